/**
 * The sandbox in-process, for a merchant's tests: an OpenMidas-compatible server on 127.0.0.1 with
 * a merchant ready to sign for, and `pay()` to do what a real payment does to an order. Each call
 * gets its own data dir (a temp one, removed on close) so parallel test files never share orders.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { payOrder } from '../sandbox/api.js';
import { ensureDefaultMerchant, ensurePlatformKeys } from '../sandbox/merchants.js';
import { startSandbox as startServer } from '../sandbox/server.js';
import { openStore } from '../sandbox/store.js';
import { OpenMidasApiError } from './errors.js';
import type { ApiAnswer } from './client.js';

export interface SandboxOptions {
  /** Keep the store here (kept on close); default a temp dir, removed on close. */
  dataDir?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Multiplies the notification retry schedule (15 s, 15 s, 30 s, ...); e.g. 0.001 in tests. Default 1. */
  retryScale?: number;
  /** Where the sandbox POSTs payment notifications for the merchant (settable later with setNotifyUrl). */
  notifyUrl?: string;
}

export interface Sandbox {
  /** Base URL for createOrderClient: http://127.0.0.1:<port>. */
  url: string;
  dataDir: string;
  /** The default sandbox merchant. These are sandbox credentials, worthless anywhere else. */
  merchant: { offerId: string; offerKey: string; privateKeyPem: string };
  /** Verifies pay_info and notifications the sandbox signs. */
  platformPublicKeyPem: string;
  /** Marks an unpaid order paid (order_state 2) and starts its notification; rejects with OpenMidasApiError for an unknown or closed order. */
  pay(outTradeNo: string): Promise<ApiAnswer>;
  /** Sets (or clears, with null) the merchant's notify URL. */
  setNotifyUrl(url: string | null): void;
  /** Stops the server and its deliveries, closes the store, and removes a temp data dir. */
  close(): Promise<void>;
}

/**
 * Starts a sandbox on 127.0.0.1.
 * @example const sandbox = await startSandbox(); ...; await sandbox.close()
 */
export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const temp = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'tacpay-sandbox-'));
  // openStore makes a missing dataDir (0700, with a walk that ends: recursive mkdirSync loops under /proc).
  const store = openStore(dataDir);
  let server;
  try {
    const platform = ensurePlatformKeys(store);
    const m = ensureDefaultMerchant(store, new Date());
    if (opts.notifyUrl !== undefined) store.setNotifyUrl(m.offer_id, opts.notifyUrl);
    server = await startServer({ store, host: '127.0.0.1', port: opts.port ?? 0, notify: { retryScale: opts.retryScale ?? 1 } });
    const started = server;
    let closed = false;
    return {
      url: started.url,
      dataDir,
      merchant: { offerId: m.offer_id, offerKey: m.offer_key, privateKeyPem: m.private_key_pem },
      platformPublicKeyPem: platform.publicPem,
      pay: async (outTradeNo) => {
        const reply = payOrder(store, m.offer_id, outTradeNo, new Date());
        if (reply.ret !== 0) throw new OpenMidasApiError('sandbox pay', reply.ret, reply.msg ?? '', reply as unknown as Record<string, unknown>);
        started.deliveries?.kick();
        return reply as unknown as ApiAnswer;
      },
      setNotifyUrl: (url) => void store.setNotifyUrl(m.offer_id, url),
      close: async () => {
        if (closed) return;
        closed = true;
        await started.close();
        store.close();
        if (temp) rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    store.close();
    if (temp) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}
