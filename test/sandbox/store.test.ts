/** The store's merchant cache against a second connection (another tacpay process on the same data dir). */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type MerchantRow, type Store } from '../../src/sandbox/store.js';
import { tempDir } from '../helpers/cli.js';

const open: Store[] = [];
let dir: string;
afterEach(() => {
  for (const s of open.splice(0)) s.close();
  rmSync(dir, { recursive: true, force: true });
});

function merchant(offerId: string): MerchantRow {
  return { offer_id: offerId, offer_key: 'k'.repeat(32), private_key_pem: 'x', public_key_pem: 'y', notify_url: null, is_default: 0, created_at: '2026-11-27 00:00:00' } as MerchantRow;
}

describe('Store.merchant cache', () => {
  it("sees another connection's new merchant and changed notify URL, and its own writes", () => {
    dir = tempDir('tacpay-store-');
    const sandbox = openStore(dir);
    const cli = openStore(dir);
    open.push(sandbox, cli);
    expect(sandbox.merchant('TC200001')).toBeUndefined();
    cli.addMerchant(merchant('TC200001'));
    expect(sandbox.merchant('TC200001')?.offer_id).toBe('TC200001');
    expect(sandbox.merchant('TC200001')?.notify_url).toBeNull(); // now from the cache
    cli.setNotifyUrl('TC200001', 'http://127.0.0.1:9/notify');
    expect(sandbox.merchant('TC200001')?.notify_url).toBe('http://127.0.0.1:9/notify');
    sandbox.setNotifyUrl('TC200001', null);
    expect(sandbox.merchant('TC200001')?.notify_url).toBeNull();
    expect(cli.merchant('TC200001')?.notify_url).toBeNull();
  });

  it('transactions and savepoints reuse one wrapper: a failing savepoint undoes only its writes', () => {
    dir = tempDir('tacpay-store-');
    const store = openStore(dir);
    open.push(store);
    store.tx(() => {
      store.addMerchant(merchant('TC200002'));
      expect(() => store.savepoint(() => {
        store.addMerchant(merchant('TC200003'));
        throw new Error('undo this one');
      })).toThrow('undo this one');
    });
    expect(store.merchants().map((m) => m.offer_id)).toEqual(['TC200002']);
    expect(store.inTransaction()).toBe(false);
  });

  it('refuses an async transaction body (it would commit before its work) and leaves no transaction open', () => {
    dir = tempDir('tacpay-store-');
    const store = openStore(dir);
    open.push(store);
    expect(() => store.tx(async () => store.addMerchant(merchant('TC200004')))).toThrow('a transaction body must not be async');
    expect(store.inTransaction()).toBe(false);
    // The write made before the body returned its promise is rolled back with the transaction.
    expect(store.merchants().map((m) => m.offer_id)).toEqual([]);
  });
});
