/**
 * `tacpay sandbox start` as a user runs it: the built bin in a child process on 127.0.0.1:0 (build
 * first: node scripts/build.mjs). The ready event and file, signed requests over HTTP, --verbose
 * request lines, a clean stop on SIGTERM / SIGINT that lets an in-flight request finish, a busy
 * port, and `log --follow` / `keys` against the running process. Every wait is bounded.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createServer, connect } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toQuery } from '../../src/client/encode.js';
import { signParams } from '../../src/client/order-client.js';
import { READY_FILE } from '../../src/sandbox/runtime.js';
import { openStore } from '../../src/sandbox/store.js';
import { BIN, cleanEnv, json, ROOT, spawnCli, tempDir } from '../helpers/cli.js';
import { call, credentials, exitWithin, killAll, startSandboxProcess, track, until } from '../helpers/sandbox-process.js';
import { orderParams } from '../sandbox/harness.js';

afterEach(killAll);
const start = startSandboxProcess;

beforeAll(() => {
  expect(existsSync(join(ROOT, 'dist/main.cjs')), 'build first: node scripts/build.mjs').toBe(true);
});

describe('tacpay sandbox start (built CLI)', () => {
  it('prints one ready event, writes the ready file, serves signed requests, logs them with --verbose, stops on SIGTERM with exit 0', async () => {
    const dir = join(tempDir('tacpay-e2e-'), 'data');
    const s = await start(['--port', '0', '--data', dir, '--json', '--verbose']);
    const ready = JSON.parse(s.readyLine);
    expect(ready).toEqual({
      event: 'ready',
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      pid: s.child.pid,
      offerId: expect.stringMatching(/^TC\d+$/),
      dataDir: dir,
      platformKeyFingerprint: expect.stringMatching(/^SHA256:[A-Za-z0-9+/]{43}$/),
      dashboardUrl: `${ready.url}/`,
    });
    const dashboard = await fetch(ready.dashboardUrl);
    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).toContain('tacpay sandbox');
    const readyFile = JSON.parse(readFileSync(join(dir, READY_FILE), 'utf8'));
    expect(readyFile).toMatchObject({ url: ready.url, pid: ready.pid, offerId: ready.offerId });
    expect(statSync(join(dir, READY_FILE)).mode & 0o777).toBe(0o600);

    const c = credentials(dir);
    expect(c.offerId).toBe(ready.offerId);
    const created = await call(ready.url, c, 'unified_order', orderParams('e2e1'));
    expect(created).toMatchObject({ ret: 0, out_trade_no: 'open_e2e1', transaction_id: expect.stringMatching(/^E-\d{18}$/) });
    const queried = await call(ready.url, c, 'query_order', { user_id: 'rickenwang', type: 'by_order', out_trade_no: 'open_e2e1' });
    expect(queried).toMatchObject({ ret: 0, order_state: '0', transaction_id: created.transaction_id });
    const unsigned = await call(ready.url, { ...c, offerKey: 'wrong' }, 'query_order', { user_id: 'rickenwang', type: 'by_order', out_trade_no: 'open_e2e1' });
    expect(unsigned.ret).toBe(1001);

    await until(() => /ret 1001/.test(s.err()), 'the --verbose line of the third request');
    expect(s.err()).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} POST /v1/r/${ready.offerId}/unified_order unified_order ret 0 [\\d.]+ms$`, 'm'));

    // Other commands find the running sandbox through its data dir, from other processes.
    const keys = await spawnCli(['--json', 'sandbox', 'keys', '--data', dir]);
    expect(keys.code, keys.stderr).toBe(0);
    expect(json(keys)).toMatchObject({ running: true, baseUrl: ready.url, merchant: { offerId: ready.offerId } });
    const log = await spawnCli(['--json', 'sandbox', 'log', '--data', dir]);
    expect(json(log).requests.map((r: any) => [r.api ?? r.path, r.ret])).toEqual([
      ['unified_order', 0],
      ['query_order', 0],
      ['query_order', 1001],
      // `sandbox keys` checked that the sandbox is alive before trusting its ready file; the CLI's
      // own health probes are not logged (they filled the log).
    ]);

    s.child.kill('SIGTERM');
    expect(await exitWithin(s)).toEqual({ code: 0, signal: null });
    expect(s.out()).toBe(s.readyLine + '\n');
    expect(existsSync(join(dir, READY_FILE))).toBe(false);
    expect(s.err()).toMatch(/SIGTERM: stopping the sandbox[^\n]*\nsandbox stopped\n$/);
    const store = openStore(dir, { readonly: true });
    expect(store.orderByOutTradeNo(ready.offerId, 'open_e2e1')?.transaction_id).toBe(created.transaction_id);
    store.close();
  });

  // libuv starts its pool with the first signature; the threads it adds then are the pool (Linux: /proc).
  it.skipIf(!existsSync('/proc/self/task'))('signs on one pool thread per core unless UV_THREADPOOL_SIZE says otherwise', async () => {
    const poolThreads = async (env: Record<string, string | undefined>): Promise<number> => {
      const dir = join(tempDir('tacpay-e2e-'), 'data');
      const s = await start(['--port', '0', '--data', dir, '--json'], 15_000, env);
      const ready = JSON.parse(s.readyLine);
      const threads = () => readdirSync(`/proc/${ready.pid}/task`).length;
      const before = threads();
      expect(await call(ready.url, credentials(dir), 'unified_order', orderParams('pool1'))).toMatchObject({ ret: 0 });
      const after = threads();
      s.child.kill('SIGTERM');
      await exitWithin(s);
      return after - before;
    };
    expect(await poolThreads(cleanEnv({ UV_THREADPOOL_SIZE: undefined }))).toBe(Math.max(2, availableParallelism()));
    expect(await poolThreads(cleanEnv({ UV_THREADPOOL_SIZE: '5' }))).toBe(5);
  });

  it('on SIGTERM stops accepting but finishes a request already in flight', async () => {
    const dir = join(tempDir('tacpay-e2e-'), 'data');
    const s = await start(['--port', '0', '--data', dir, '--json']);
    const { url } = JSON.parse(s.readyLine) as { url: string };
    const c = credentials(dir);
    const body = toQuery(signParams(orderParams('inflight'), c, 'beijing-naive', new Date()));
    const { port } = new URL(url);

    // Headers and half the body now; the rest after the signal.
    const sock = connect(Number(port), '127.0.0.1');
    let response = '';
    sock.setEncoding('utf8').on('data', (d: string) => (response += d));
    const ended = new Promise<void>((resolve, reject) => {
      sock.on('end', resolve);
      sock.on('error', reject);
    });
    await new Promise<void>((resolve) => sock.once('connect', resolve));
    const half = Math.floor(body.length / 2);
    sock.write(`POST /v1/r/${c.offerId}/unified_order HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, half)}`);
    await new Promise((r) => setTimeout(r, 200));

    s.child.kill('SIGTERM');
    await until(() => s.err().includes('SIGTERM: stopping the sandbox'), 'the shutdown note');
    expect(s.child.exitCode).toBeNull();
    await expect(fetch(`${url}/_sandbox/health`, { signal: AbortSignal.timeout(5000) })).rejects.toThrow();

    // write, not end: Node's HTTP server drops a request whose client half-closes before the answer.
    sock.write(body.slice(half));
    await Promise.race([ended, new Promise((_, reject) => setTimeout(() => reject(new Error('no response to the in-flight request')), 10_000))]);
    expect(response).toMatch(/^HTTP\/1\.1 200 /);
    expect(JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4))).toMatchObject({ ret: 0, out_trade_no: 'open_inflight' });
    expect(await exitWithin(s)).toEqual({ code: 0, signal: null });
  });

  it('a busy port: exit 1 with one error line naming the port and a hint; JSON error under --json', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const parent = tempDir('tacpay-e2e-');
      const dir = join(parent, 'data');
      // Two levels that do not exist yet: both are created, and both go again.
      const r = await spawnCli(['sandbox', 'start', '--port', String(port), '--data', join(dir, 'nested')]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`error: port ${port} on 127.0.0.1 is already in use\nhint: another program (perhaps another sandbox) holds it: use --port 0 for a free port, or --port <another>\n`);
      // The data dir this failed start created is gone again: no fresh store with new keys left behind.
      expect(existsSync(dir)).toBe(false);
      expect(existsSync(parent)).toBe(true);

      // An existing data dir keeps everything in it.
      mkdirSync(dir);
      writeFileSync(join(dir, 'keep.txt'), 'mine');
      const j = await spawnCli(['--json', 'sandbox', 'start', '--port', String(port), '--data', dir]);
      expect(j.code).toBe(1);
      expect(json(j)).toEqual({ error: { code: 'port-in-use', message: `port ${port} on 127.0.0.1 is already in use`, hint: expect.stringContaining('--port 0') } });
      expect(readFileSync(join(dir, 'keep.txt'), 'utf8')).toBe('mine');
      expect(existsSync(join(dir, 'sandbox.db'))).toBe(true);
      expect(existsSync(join(dir, READY_FILE))).toBe(false);
    } finally {
      blocker.close();
    }
  });

  it('human ready line; log --follow --json streams NDJSON until SIGINT (exit 0); SIGINT stops the sandbox (exit 0)', async () => {
    const dir = join(tempDir('tacpay-e2e-'), 'data');
    const s = await start(['--port', '0', '--data', dir]);
    const m = /^tacpay sandbox ready at (http:\/\/127\.0\.0\.1:\d+) \(merchant (TC\d+), data (.+)\)$/.exec(s.readyLine);
    expect(m?.[3]).toBe(dir);
    const url = m![1]!;
    const c = credentials(dir);
    expect((await call(url, c, 'unified_order', orderParams('f1'))).ret).toBe(0);

    const follower = spawn(process.execPath, [BIN, '--json', 'sandbox', 'log', '--follow', '--limit', '1', '--data', dir], { cwd: tempDir(), env: { NO_COLOR: '1', ...cleanEnv() } as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    track(follower);
    let out = '';
    let err = '';
    follower.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    follower.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    const followerExit = new Promise<number | null>((resolve) => follower.on('exit', (code) => resolve(code)));
    // The backlog record arriving shows the follower is up and polling.
    await until(() => out.includes('\n'), `the backlog record (stderr: ${err})`);
    expect((await call(url, c, 'query_order', { user_id: 'rickenwang', type: 'by_order', out_trade_no: 'open_nope' })).ret).toBe(1006);
    await until(() => out.split('\n').length >= 3, 'the followed record');

    follower.kill('SIGINT');
    expect(await Promise.race([followerExit, new Promise((r) => setTimeout(() => r('timeout'), 10_000))])).toBe(0);
    const records = out.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(records.map((r) => [r.api, r.ret])).toEqual([
      ['unified_order', 0],
      ['query_order', 1006],
    ]);
    expect(records[1].msg).toMatch(/no order with out_trade_no open_nope/);

    s.child.kill('SIGINT');
    expect(await exitWithin(s)).toEqual({ code: 0, signal: null });
    expect(s.err()).toMatch(/SIGINT: stopping the sandbox/);
    expect(existsSync(join(dir, READY_FILE))).toBe(false);
  });

  it('keys --dotenv works through the bin (Node itself would swallow an --env-file flag)', async () => {
    const dir = join(tempDir('tacpay-e2e-'), 'data');
    const cwd = tempDir();
    const r = await spawnCli(['sandbox', 'keys', '--dotenv', 'fresh.env', '--data', dir], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(join(cwd, 'fresh.env')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(cwd, 'fresh.env'), 'utf8')).toMatch(/^TACPAY_OFFER_ID=TC\d+$/m);
  });

  it('--retry-scale: a failed notification is retried on the scaled schedule and the order reaches state 4', async () => {
    const dir = join(tempDir('tacpay-e2e-'), 'data');
    let hits = 0;
    // A merchant endpoint that fails the first delivery and accepts the second.
    const endpoint = createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => res.end(++hits === 1 ? '{"ret":-1,"msg":"busy"}' : '{"ret":0,"msg":"ok"}'));
    });
    await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', r));
    try {
      const notifyUrl = `http://127.0.0.1:${(endpoint.address() as { port: number }).port}/notify`;
      const s = await start(['--port', '0', '--data', dir, '--json', '--retry-scale', '0.001']);
      const { url, offerId } = JSON.parse(s.readyLine) as { url: string; offerId: string };
      expect((await spawnCli(['sandbox', 'merchant', 'set-notify', offerId, notifyUrl, '--data', dir])).code).toBe(0);
      const c = credentials(dir);
      expect((await call(url, c, 'unified_order', orderParams('retry1'))).ret).toBe(0);
      expect((await spawnCli(['sandbox', 'pay', 'open_retry1', '--data', dir])).code).toBe(0);
      await until(() => hits >= 2, 'the retried delivery');
      let state = '';
      for (let i = 0; i < 40 && state !== '4'; i++) {
        state = (await call(url, c, 'query_order', { user_id: 'rickenwang', type: 'by_order', out_trade_no: 'open_retry1' })).order_state;
        if (state !== '4') await new Promise((r) => setTimeout(r, 50));
      }
      expect(state).toBe('4');
      expect(hits).toBe(2);
      s.child.kill('SIGTERM');
      expect((await exitWithin(s)).code).toBe(0);
    } finally {
      endpoint.close();
    }
  });

  it('--retry-scale outside (0, 1] is a usage error', async () => {
    const r = await spawnCli(['sandbox', 'start', '--port', '0', '--data', join(tempDir(), 'd'), '--retry-scale', '5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--retry-scale must be a number above 0 and at most 1/);
  });
});
