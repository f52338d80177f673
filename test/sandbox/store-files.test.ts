// The sandbox's files: the store holds offerKeys and private keys, so it is 0600 from its first
// byte (the WAL and SHM files too) in a 0700 dir; a damaged store is one line naming the file in
// every command; the ready file belongs to the sandbox that wrote it, and hands back to one that
// still serves.
import { spawn } from 'node:child_process';
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clearReady, findRunning, readReady, writeReady } from '../../src/sandbox/runtime.js';
import { openStore } from '../../src/sandbox/store.js';
import { cleanEnv, runCli, tempDir } from '../helpers/cli.js';

const mode = (p: string) => statSync(p).mode & 0o777;
const sleepers: Array<{ kill(): void }> = [];
afterAll(() => {
  for (const s of sleepers) s.kill();
});

describe('sandbox store files', () => {
  it('are 0600 in a 0700 data dir from creation, WAL and SHM included', () => {
    const dir = join(tempDir('tacpay-store-'), 'sandbox');
    const store = openStore(dir);
    store.setMeta('probe', 'x');
    expect(mode(dir)).toBe(0o700);
    for (const f of ['sandbox.db', 'sandbox.db-wal', 'sandbox.db-shm']) expect(mode(join(dir, f)), f).toBe(0o600);
    store.close();
  });

  it('a store an older version left 0644 is tightened to 0600 when opened', () => {
    const dir = tempDir('tacpay-store-');
    openStore(dir).close();
    chmodSync(join(dir, 'sandbox.db'), 0o644);
    openStore(dir).close();
    expect(mode(join(dir, 'sandbox.db'))).toBe(0o600);
  });

  it('a damaged store is one line naming the file and what to do, in every command (no "internal error", no stack)', async () => {
    const dir = tempDir('tacpay-store-');
    writeFileSync(join(dir, 'sandbox.db'), 'this is not a database\n');
    for (const args of [['order', 'create', '--amount', '1'], ['sandbox', 'log'], ['sandbox', 'merchant', 'list'], ['refund', 'query', '--refund-id', 'r1', '--user-id', 'user1']]) {
      const r = await runCli(args, { env: cleanEnv({ TACPAY_SANDBOX_DIR: dir }) });
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toMatch(/^error: the sandbox store .*sandbox\.db is damaged \(SQLITE_NOTADB\)\nhint: move it away/);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    }
  });
});

describe('the ready file', () => {
  it('a second sandbox on the dir hands the file back to the first, still running, when it stops', () => {
    const dir = tempDir('tacpay-ready-');
    const first = spawn('sleep', ['30']);
    sleepers.push(first);
    writeReady(dir, { url: 'http://127.0.0.1:4010', pid: first.pid!, started: '2026-12-03T10:00:00Z', offerId: 'TC1' });
    writeReady(dir, { url: 'http://127.0.0.1:4011', pid: process.pid, started: '2026-12-03T10:05:00Z', offerId: 'TC1' });
    expect(readReady(dir)?.url).toBe('http://127.0.0.1:4011');
    clearReady(dir, process.pid);
    expect(readReady(dir)).toMatchObject({ url: 'http://127.0.0.1:4010', pid: first.pid });
    // The first one stopping removes it.
    clearReady(dir, first.pid!);
    expect(readReady(dir)).toBeUndefined();
  });

  it('a ready file with a live pid and a bad url is ignored, not a crash', async () => {
    const dir = tempDir('tacpay-ready-');
    writeFileSync(join(dir, 'sandbox.ready.json'), JSON.stringify({ url: 'not a url', pid: process.pid, started: 'x', offerId: 'TC1' }));
    await expect(findRunning(dir)).resolves.toBeUndefined();
  });
});
