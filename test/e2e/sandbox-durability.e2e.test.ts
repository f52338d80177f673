/**
 * The sandbox store under stress, through the built CLI in child processes on 127.0.0.1:0 (build
 * first): data survives a clean restart; a kill -9 in the middle of a stream of creates loses no
 * acknowledged order; 200 concurrent creates of one out_trade_no make one order. Every wait is
 * bounded; the whole file takes a few seconds.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/sandbox/store.js';
import { json, ROOT, spawnCli, tempDir } from '../helpers/cli.js';
import { call, credentials, exitWithin, killAll, startSandboxProcess, type Running } from '../helpers/sandbox-process.js';
import { orderParams } from '../sandbox/harness.js';

afterEach(killAll);

/** Starts a sandbox on `dir` (--port 0 --json) and parses its ready event. */
async function start(dir: string): Promise<Running & { ready: { url: string; offerId: string; platformKeyFingerprint: string } }> {
  const r = await startSandboxProcess(['--port', '0', '--data', dir, '--json']);
  return { ...r, ready: JSON.parse(r.readyLine) };
}

/** Sends `signal` and waits (bounded) for the exit. */
function stop(r: Running, signal: NodeJS.Signals = 'SIGTERM') {
  r.child.kill(signal);
  return exitWithin(r);
}

const byOrder = (outTradeNo: string) => ({ user_id: 'rickenwang', type: 'by_order', out_trade_no: outTradeNo });

/** out_trade_no → transaction_id of every order in the store at `dir` (read after the sandbox stopped). */
function storedOrders(dir: string): Map<string, string> {
  const store = openStore(dir, { readonly: true });
  try {
    const rows = store.db.prepare('SELECT out_trade_no, transaction_id FROM orders').all() as Array<{ out_trade_no: string; transaction_id: string }>;
    return new Map(rows.map((r) => [r.out_trade_no, r.transaction_id]));
  } finally {
    store.close();
  }
}

beforeAll(() => {
  expect(existsSync(join(ROOT, 'dist/main.cjs')), 'build first: node scripts/build.mjs').toBe(true);
});

describe('sandbox durability (built CLI)', () => {
  it('keeps merchants, platform key, orders and payments across a SIGTERM and a restart', async () => {
    const dir = join(tempDir('tacpay-dur-'), 'data');
    const first = await start(dir);
    const c = credentials(dir);
    const created = new Map<string, string>();
    for (let i = 0; i < 5; i++) {
      const r = await call(first.ready.url, c, 'unified_order', orderParams(`persist${i}`));
      expect(r.ret).toBe(0);
      created.set(r.out_trade_no, r.transaction_id);
    }
    const paid = await spawnCli(['--json', 'sandbox', 'pay', 'open_persist2', '--data', dir]);
    expect(paid.code, paid.stderr).toBe(0);
    expect(json(paid).order_state).toBe('2');
    expect(await stop(first)).toEqual({ code: 0, signal: null });

    const second = await start(dir);
    expect(second.ready.offerId).toBe(first.ready.offerId);
    expect(second.ready.platformKeyFingerprint).toBe(first.ready.platformKeyFingerprint);
    for (const [outTradeNo, transactionId] of created) {
      const q = await call(second.ready.url, c, 'query_order', byOrder(outTradeNo));
      expect(q).toMatchObject({ ret: 0, transaction_id: transactionId, order_state: outTradeNo === 'open_persist2' ? '2' : '0' });
    }
    // Idempotency survives too: the same create answers with the order made before the restart.
    const again = await call(second.ready.url, c, 'unified_order', orderParams('persist0'));
    expect(again).toMatchObject({ ret: 0, transaction_id: created.get('open_persist0') });
    expect(await stop(second)).toEqual({ code: 0, signal: null });
    expect(storedOrders(dir).size).toBe(5);
  });

  it('loses no acknowledged order when killed with SIGKILL in the middle of a stream of creates', async () => {
    const dir = join(tempDir('tacpay-dur-'), 'data');
    const s = await start(dir);
    const c = credentials(dir);
    const TOTAL = 300;
    const CONCURRENCY = 16;
    const KILL_AFTER = 100;
    const attempted = new Set<string>();
    const acknowledged = new Map<string, string>();
    const refusedAnswers: unknown[] = [];
    let failedConnections = 0;
    let next = 0;
    let killed = false;

    const worker = async (): Promise<void> => {
      while (next < TOTAL) {
        const params = orderParams(`k9_${next++}`);
        attempted.add(params.out_trade_no!);
        try {
          const r = await call(s.ready.url, c, 'unified_order', params);
          if (r.ret !== 0) refusedAnswers.push(r);
          else acknowledged.set(r.out_trade_no, r.transaction_id);
        } catch {
          failedConnections++;
        }
        if (!killed && acknowledged.size >= KILL_AFTER) {
          killed = true;
          // Up to CONCURRENCY - 1 creates are in flight at this moment: signing, committing or answering.
          s.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(await s.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(refusedAnswers).toEqual([]);
    expect(acknowledged.size).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(failedConnections).toBeGreaterThan(0);

    const restarted = await start(dir);
    const missing: string[] = [];
    const queue = [...acknowledged];
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let item = queue.pop(); item; item = queue.pop()) {
          const [outTradeNo, transactionId] = item;
          const q = await call(restarted.ready.url, c, 'query_order', byOrder(outTradeNo));
          if (q.ret !== 0 || q.transaction_id !== transactionId) missing.push(outTradeNo);
        }
      }),
    );
    expect(missing).toEqual([]);
    expect(await stop(restarted)).toEqual({ code: 0, signal: null });

    // Every acknowledged order is there; orders whose answer was lost in the kill may be too; nothing else.
    const stored = storedOrders(dir);
    for (const [outTradeNo, transactionId] of acknowledged) expect(stored.get(outTradeNo)).toBe(transactionId);
    expect(stored.size).toBeGreaterThanOrEqual(acknowledged.size);
    for (const outTradeNo of stored.keys()) expect(attempted.has(outTradeNo)).toBe(true);
    console.info(`kill -9: ${attempted.size} sent, ${acknowledged.size} acknowledged (ret 0), ${failedConnections} failed to connect or lost their answer, ${stored.size} orders in the store after restart`);
  });

  it('200 concurrent creates of one out_trade_no: all ret 0 with one transaction_id, one order', async () => {
    const dir = join(tempDir('tacpay-dur-'), 'data');
    const s = await start(dir);
    const c = credentials(dir);
    const answers = await Promise.all(Array.from({ length: 200 }, () => call(s.ready.url, c, 'unified_order', orderParams('same'))));
    expect(answers.filter((a) => a.ret !== 0)).toEqual([]);
    const ids = new Set(answers.map((a) => a.transaction_id));
    expect(ids.size).toBe(1);
    expect(new Set(answers.map((a) => a.pay_info)).size).toBe(1);
    expect(await stop(s)).toEqual({ code: 0, signal: null });

    const stored = storedOrders(dir);
    expect([...stored]).toEqual([['open_same', [...ids][0]]]);
    const store = openStore(dir, { readonly: true });
    expect((store.db.prepare("SELECT COUNT(*) AS n FROM requests WHERE api = 'unified_order' AND ret = 0").get() as { n: number }).n).toBe(200);
    store.close();
  });
});
