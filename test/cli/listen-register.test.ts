/**
 * `tacpay listen --register` as a user runs it (the built CLI in child processes, on 127.0.0.1:0,
 * real stores in temp dirs): it puts back exactly what it replaced, and only while the URL is still
 * its own; two at once; a kill -9 leaves a stale registration that the next listen reports in one
 * line and --register repairs, restoring the URL from before the dead listener; a pid that lives on
 * with its port gone; a signal before the ready line cancels (130, one JSON document); a closed
 * stdout (process.exit) still puts the URL back.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/sandbox/store.js';
import { BIN, cleanEnv, ROOT, spawnCli, tempDir } from '../helpers/cli.js';
import { exitWithin, killAll, startCliProcess, track, until, type Running } from '../helpers/sandbox-process.js';

const ORIGINAL = 'http://127.0.0.1:9/my-backend';
const servers: Server[] = [];

afterEach(() => {
  killAll();
  for (const s of servers.splice(0)) s.close();
});

beforeAll(() => {
  expect(existsSync(join(ROOT, 'dist/main.cjs')), 'build first: node scripts/build.mjs').toBe(true);
});

interface Sandbox {
  dir: string;
  env: Record<string, string | undefined>;
  offerId: string;
}

function withStore<T>(dir: string, fn: (s: ReturnType<typeof openStore>) => T): T {
  const s = openStore(dir);
  try {
    return fn(s);
  } finally {
    s.close();
  }
}

async function sandbox(): Promise<Sandbox> {
  const env = cleanEnv();
  const dir = join(tempDir('tacpay-listen-reg-'), 'data');
  const keys = await spawnCli(['sandbox', 'keys', '--data', dir, '--json'], { env });
  expect(keys.code, keys.stderr).toBe(0);
  const offerId = withStore(dir, (s) => {
    const m = s.defaultMerchant()!;
    s.setNotifyUrl(m.offer_id, ORIGINAL);
    return m.offer_id;
  });
  return { dir, env, offerId };
}

const notifyUrl = (sb: Sandbox): string | null => withStore(sb.dir, (s) => s.merchant(sb.offerId)!.notify_url);
const record = (sb: Sandbox): Array<{ offerId: string; pid: number; url: string; previous: string | null; at: string }> =>
  withStore(sb.dir, (s) => JSON.parse(s.getMeta('listen_registrations') ?? '[]'));

async function register(sb: Sandbox, extra: string[] = []): Promise<{ l: Running; ready: any }> {
  const l = await startCliProcess(['listen', '--port', '0', '--data', sb.dir, '--json', '--register', ...extra], 15_000, sb.env);
  return { l, ready: JSON.parse(l.readyLine) };
}

/** Stops a listen with `signal` and returns its last stdout line (the stopped event). */
async function stop(l: Running, signal: NodeJS.Signals = 'SIGTERM'): Promise<any> {
  l.child.kill(signal);
  expect(await exitWithin(l)).toEqual({ code: 0, signal: null });
  return JSON.parse(l.out().trim().split('\n').at(-1)!);
}

async function killed(l: Running): Promise<void> {
  l.child.kill('SIGKILL');
  expect((await exitWithin(l)).signal).toBe('SIGKILL');
}

/** A port that was just free: nothing answers there. */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('tacpay listen --register', () => {
  it('records what it replaced and puts back exactly that on stop', async () => {
    const sb = await sandbox();
    const { l, ready } = await register(sb);
    expect(ready).toMatchObject({ registered: sb.offerId, replaced: ORIGINAL, stale: [] });
    expect(notifyUrl(sb)).toBe(ready.url);
    expect(record(sb)).toEqual([{ offerId: sb.offerId, pid: l.child.pid, url: ready.url, previous: ORIGINAL, at: expect.any(String) }]);
    expect(l.err()).toContain(`notify URL of merchant ${sb.offerId} set to ${ready.url} until this stops (was ${ORIGINAL})`);
    const stopped = await stop(l, 'SIGINT');
    expect(stopped).toEqual({ event: 'stopped', signal: 'SIGINT', notifications: 0, register: { offerId: sb.offerId, restored: true, notifyUrl: ORIGINAL } });
    expect(notifyUrl(sb)).toBe(ORIGINAL);
    expect(record(sb)).toEqual([]);
  });

  it('two at once: the first to stop leaves the URL to the other, which then restores the original', async () => {
    const sb = await sandbox();
    const a = await register(sb);
    const b = await register(sb);
    expect(b.ready.replaced).toBe(a.ready.url);
    expect(notifyUrl(sb)).toBe(b.ready.url);
    const aStopped = await stop(a.l);
    expect(aStopped.register).toEqual({ offerId: sb.offerId, restored: false, notifyUrl: b.ready.url });
    expect(a.l.err()).toMatch(/notify URL of merchant \S+ left as it is \(http:\/\/127\.0\.0\.1:\d+\/notify\): it was changed after this listen registered/);
    expect(notifyUrl(sb)).toBe(b.ready.url);
    // B inherits what A had replaced: it never restores A's dead URL.
    expect(record(sb).map((r) => [r.pid, r.previous])).toEqual([[b.l.child.pid, ORIGINAL]]);
    expect((await stop(b.l)).register).toMatchObject({ restored: true, notifyUrl: ORIGINAL });
    expect(notifyUrl(sb)).toBe(ORIGINAL);
  });

  it('after a kill -9, the next --register reports the stale registration in one line and restores the URL from before it', async () => {
    const sb = await sandbox();
    const a = await register(sb);
    const b = await register(sb);
    await killed(b.l);
    expect(notifyUrl(sb)).toBe(b.ready.url); // pointing at a dead port
    const c = await register(sb);
    expect(c.ready.stale).toEqual([{ offerId: sb.offerId, pid: b.l.child.pid, url: b.ready.url, previous: a.ready.url, at: expect.any(String), reason: 'not running', current: true, repaired: true }]);
    expect(c.ready.replaced).toBe(a.ready.url);
    const lines = c.l.err().split('\n').filter((x) => x.includes('stale'));
    expect(lines).toEqual([`warning: a stale registration: tacpay listen --register pid ${b.l.child.pid} (${b.ready.url}, merchant ${sb.offerId}) is not running; the URL before it (${a.ready.url}) is what this listen restores`]);
    expect((await stop(c.l)).register).toMatchObject({ restored: true, notifyUrl: a.ready.url });
    expect((await stop(a.l)).register).toMatchObject({ restored: true, notifyUrl: ORIGINAL });
    expect(notifyUrl(sb)).toBe(ORIGINAL);
    expect(record(sb)).toEqual([]);
  });

  it('a listen that replaced one killed later restores what that one had replaced', async () => {
    const sb = await sandbox();
    const a = await register(sb);
    const b = await register(sb);
    await killed(a.l);
    expect((await stop(b.l)).register).toMatchObject({ restored: true, notifyUrl: ORIGINAL });
    expect(notifyUrl(sb)).toBe(ORIGINAL);
    expect(record(sb)).toEqual([]);
  });

  it('listen without --register shows a stale registration (and changes nothing); --register then repairs it', async () => {
    const sb = await sandbox();
    const a = await register(sb);
    await killed(a.l);
    const watcher = await startCliProcess(['listen', '--port', '0', '--data', sb.dir, '--json'], 15_000, sb.env);
    expect(JSON.parse(watcher.readyLine).stale).toEqual([expect.objectContaining({ pid: a.l.child.pid, reason: 'not running', current: true, repaired: false, previous: ORIGINAL })]);
    expect(watcher.err()).toContain(`warning: the notify URL points at a stale registration: tacpay listen --register pid ${a.l.child.pid} (${a.ready.url}, merchant ${sb.offerId}) is not running; run tacpay listen --register once to put back the URL before it (${ORIGINAL})`);
    expect(await stop(watcher)).toEqual({ event: 'stopped', signal: 'SIGTERM', notifications: 0, register: null });
    expect(notifyUrl(sb)).toBe(a.ready.url);
    const human = await startCliProcess(['listen', '--port', '0', '--data', sb.dir], 15_000, sb.env);
    expect(human.err().split('\n').filter((x) => x.includes('stale'))).toHaveLength(1);
    human.child.kill('SIGTERM');
    await exitWithin(human);

    const c = await register(sb);
    expect(c.ready.replaced).toBe(ORIGINAL);
    await stop(c.l);
    expect(notifyUrl(sb)).toBe(ORIGINAL);
  });

  it('a registration whose pid still runs but whose port does not answer is stale too', async () => {
    const sb = await sandbox();
    // This test process is alive; nothing listens on the port it "registered".
    const gone = `http://127.0.0.1:${await deadPort()}/notify`;
    withStore(sb.dir, (s) => {
      s.setMeta('listen_registrations', JSON.stringify([{ offerId: sb.offerId, pid: process.pid, url: gone, previous: ORIGINAL, at: new Date().toISOString() }]));
      s.setNotifyUrl(sb.offerId, gone);
    });
    const c = await register(sb);
    expect(c.ready.stale).toEqual([expect.objectContaining({ pid: process.pid, url: gone, reason: 'not answering', current: true, repaired: true })]);
    expect(c.ready.replaced).toBe(ORIGINAL);
    await stop(c.l);
    expect(notifyUrl(sb)).toBe(ORIGINAL);
  });

  it('leaves a URL someone set after it alone', async () => {
    const sb = await sandbox();
    const { l } = await register(sb);
    withStore(sb.dir, (s) => s.setNotifyUrl(sb.offerId, 'http://127.0.0.1:3000/set-by-hand'));
    expect((await stop(l)).register).toEqual({ offerId: sb.offerId, restored: false, notifyUrl: 'http://127.0.0.1:3000/set-by-hand' });
    expect(notifyUrl(sb)).toBe('http://127.0.0.1:3000/set-by-hand');
    expect(record(sb)).toEqual([]);
  });

  it('a damaged record reads as none: it still registers and restores', async () => {
    const sb = await sandbox();
    withStore(sb.dir, (s) => s.setMeta('listen_registrations', '{not json'));
    const { l, ready } = await register(sb);
    expect(ready.replaced).toBe(ORIGINAL);
    await stop(l);
    expect(notifyUrl(sb)).toBe(ORIGINAL);
  });

  it('a signal before the ready line cancels: exit 130, one JSON document, nothing registered', async () => {
    const sb = await sandbox();
    // A live pid whose URL accepts the probe and never answers: listen waits on it (bounded), not ready yet.
    let probed = false;
    const hang = createServer(() => (probed = true));
    servers.push(hang);
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(hang.address() as AddressInfo).port}/notify`;
    const rec = [{ offerId: sb.offerId, pid: process.pid, url, previous: ORIGINAL, at: new Date().toISOString() }];
    withStore(sb.dir, (s) => s.setMeta('listen_registrations', JSON.stringify(rec)));
    const child = track(spawn(process.execPath, [BIN, 'listen', '--port', '0', '--data', sb.dir, '--json', '--register'], { env: { NO_COLOR: '1', ...sb.env } as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    await until(() => probed, 'the probe of the registration');
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(JSON.parse(out)).toEqual({ error: { code: 'cancelled', message: 'cancelled' } });
    expect(notifyUrl(sb)).toBe(ORIGINAL);
    expect(record(sb)).toEqual(rec);
  });

  it('puts the URL back even when it ends by process.exit (stdout closed under it)', async () => {
    const sb = await sandbox();
    const { l, ready } = await register(sb);
    l.child.stdout!.destroy();
    // The notification's event line is written to the closed pipe: EPIPE, and the CLI exits.
    const sent = await spawnCli(['simulate', 'notify', '--to', ready.url, '--no-retry', '--data', sb.dir], { env: sb.env });
    expect(sent.code).toBe(0);
    await exitWithin(l);
    expect(notifyUrl(sb)).toBe(ORIGINAL);
    expect(record(sb)).toEqual([]);
  });
});
