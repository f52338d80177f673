/**
 * `simulate scenario --sandbox-dir DIR` against handlers that verify signatures: `tacpay listen` on
 * the same data dir, a running `tacpay sandbox start` on it, and examples/ci-smoke.sh run for real
 * with its stand-in handler (examples/notify-handler.mjs, which knows only the platform public key
 * and the offerKey). Built CLI, real processes, 127.0.0.1 only.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/sandbox/store.js';
import { BIN, cleanEnv, json, ROOT, runCli, spawnCli, tempDir } from '../helpers/cli.js';
import { spawnRunning } from '../helpers/running-cli.js';
import { exitWithin, killAll, startCliProcess, track, until } from '../helpers/sandbox-process.js';

afterEach(killAll);

/** A sandbox data dir with its platform key and default merchant. */
async function dataDir(env: Record<string, string | undefined>): Promise<string> {
  const dir = join(tempDir('tacpay-sbdir-'), 'data');
  expect((await runCli(['sandbox', 'keys', '--json', '--data', dir], { env })).code).toBe(0);
  return dir;
}

function readStore<T>(dir: string, fn: (s: ReturnType<typeof openStore>) => T): T {
  const s = openStore(dir, { readonly: true });
  try {
    return fn(s);
  } finally {
    s.close();
  }
}

/** The JSON events `tacpay listen --json` printed after its ready line. */
const events = (out: string): Array<{ event: string; verified: boolean; issues: Array<{ code: string }>; body: { out_trade_no?: string } | null }> =>
  out
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((e) => e.event === 'notification');

describe('simulate scenario --sandbox-dir with tacpay listen as the handler', () => {
  it('listen --data DIR verifies every notification of scenarios run with --sandbox-dir DIR; without it, they are refused', async () => {
    const env = cleanEnv();
    const dir = await dataDir(env);
    const listen = await startCliProcess(['listen', '--json', '--port', '0', '--data', dir], 15_000, env);
    const url = JSON.parse(listen.readyLine).url as string;

    for (const name of ['happy-path', 'partial-refund']) {
      const r = await spawnCli(['--json', 'simulate', 'scenario', name, '--sandbox-dir', dir, '--notify-url', url], { env });
      const doc = json(r);
      expect(doc.steps.filter((s: { status: string }) => s.status !== 'passed'), r.stderr).toEqual([]);
      expect(r.code).toBe(0);
      expect(doc.dataDir).toBe(dir);
      expect(doc.steps.find((s: { id: string }) => s.id === 'deliver').result).toMatchObject({ delivered: true, attempts: 1, signature_verified: true });
      expect(r.stderr).toMatch(/no sandbox is running on .*: started one in this process for the run \(the data stays\)/);
    }
    await until(() => events(listen.out()).length >= 2, 'two notifications at listen');
    const got = events(listen.out());
    expect(got.map((e) => [e.verified, e.issues.filter((i) => i.code.startsWith('notify.sign'))])).toEqual([
      [true, []],
      [true, []],
    ]);
    // The data stays in DIR; the merchant's notify URL (none before) is put back.
    const merchant = readStore(dir, (s) => s.defaultMerchant()!);
    expect(merchant.notify_url).toBeNull();
    expect(readStore(dir, (s) => s.orderByOutTradeNo(merchant.offer_id, got[0]!.body!.out_trade_no!))?.order_state).toBe(4);

    // The problem this option solves: a fresh sandbox has a merchant listen does not know.
    const fresh = await spawnCli(['--json', 'simulate', 'scenario', 'happy-path', '--notify-url', url, '--retry-scale', '0.00001'], { env });
    expect(fresh.code).toBe(1);
    expect(json(fresh).steps[2]).toMatchObject({ id: 'deliver', status: 'failed' });
    await until(() => events(listen.out()).length >= 3, 'the refused notification');
    expect(events(listen.out())[2]).toMatchObject({ verified: false, issues: [expect.objectContaining({ code: 'notify.appid.unknown' })] });

    listen.child.kill('SIGTERM');
    expect((await exitWithin(listen)).code).toBe(0);
  });

  it('a sandbox running on DIR is used: the orders go to it and it sends the notifications', async () => {
    const env = cleanEnv();
    const dir = await dataDir(env);
    const sandbox = await startCliProcess(['--verbose', 'sandbox', 'start', '--port', '0', '--data', dir], 15_000, env);
    const url = /ready at (\S+)/.exec(sandbox.readyLine)![1]!;
    const r = await spawnCli(['simulate', 'scenario', 'delivery-retry', '--sandbox-dir', dir], { env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^4 passed, 0 failed \(scenario delivery-retry/m);
    expect(r.stderr).toContain(`using the sandbox running at ${url} (pid ${sandbox.child.pid})`);
    expect(sandbox.err()).toMatch(/ POST \/v1\/r\/\w+\/unified_order unified_order ret 0 /);
    expect(sandbox.err()).toMatch(/query_order ret 0/);
    // Its delivery engine sent both attempts (this run started no sandbox of its own).
    const attempts = readStore(dir, (s) => s.lastAttemptId());
    expect(attempts).toBe(2);
    sandbox.child.kill('SIGTERM');
    expect((await exitWithin(sandbox)).code).toBe(0);
  });

  it('SIGINT mid-run with --sandbox-dir: exit 130, the data stays, the old notify URL is back, no temp dir', async () => {
    const tmp = tempDir('tacpay-tmpdir-');
    const env = cleanEnv({ TMPDIR: tmp });
    const dir = await dataDir(env);
    const offerId = readStore(dir, (s) => s.defaultMerchant()!.offer_id);
    const rw = openStore(dir);
    rw.setNotifyUrl(offerId, 'http://127.0.0.1:9/before');
    rw.close();
    const scenario = join(tempDir('tacpay-slow-'), 'slow.json');
    writeFileSync(
      scenario,
      JSON.stringify({
        name: 'slow',
        retryScale: 1,
        receiver: { replies: ['fail'] },
        steps: [{ action: 'create' }, { action: 'pay', params: { out_trade_no: '${create.out_trade_no}' } }, { action: 'deliver', params: { out_trade_no: '${create.out_trade_no}', timeout_ms: 600000 } }],
      }),
    );
    const run = spawnRunning(['simulate', 'scenario', scenario, '--sandbox-dir', dir], env);
    await until(() => /✓ pay/.test(run.out()), 'the pay step');
    await until(() => readStore(dir, (s) => s.lastAttemptId()) > 0, 'the first attempt');
    run.child.kill('SIGINT');
    expect((await exitWithin(run)).code, run.err()).toBe(130);
    expect(run.err()).toMatch(/^SIGINT: stopping after 2 of 3 steps \(the sandbox stops\)$/m);
    expect(readStore(dir, (s) => s.merchant(offerId)!.notify_url)).toBe('http://127.0.0.1:9/before');
    expect(readStore(dir, (s) => s.countOrders())).toBe(1);
    expect(readdirSync(tmp).filter((d) => d.startsWith('tacpay-scenario-'))).toEqual([]);
  });

  it('--sandbox-dir that is empty is a usage error; one that is a file is a one-line error', async () => {
    const env = cleanEnv();
    const empty = await runCli(['simulate', 'scenario', 'happy-path', '--sandbox-dir', ''], { env });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/^error: --sandbox-dir is empty$/m);
    const f = join(tempDir(), 'file');
    writeFileSync(f, 'x');
    const r = await runCli(['simulate', 'scenario', 'happy-path', '--sandbox-dir', f], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: the sandbox data dir .*\/file\b.*not a directory\nhint: .*--sandbox-dir/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

/** Waits for a file to have content (the handler writes its URL there once it listens). */
async function contentOf(file: string): Promise<string> {
  let text = '';
  await until(() => {
    try {
      text = readFileSync(file, 'utf8').trim();
    } catch {
      text = '';
    }
    return text !== '';
  }, file);
  return text;
}

describe('examples/ci-smoke.sh, run for real', () => {
  it('keys → handler that verifies with the platform public key → three scenarios pass with JUnit reports', async () => {
    const work = tempDir('tacpay-ci-');
    const reports = join(work, 'reports');
    const env = { ...cleanEnv(), TACPAY: `${process.execPath} ${BIN}`, PORT: '0', WORK: work, REPORTS: reports, NO_COLOR: '1' };
    const child = track(spawn('sh', [join(ROOT, 'examples/ci-smoke.sh')], { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, out).toBe(0);
    expect(readdirSync(reports).sort()).toEqual(['tacpay-happy-path.xml', 'tacpay-partial-refund.xml', 'tacpay-user-cancels.xml']);
    for (const f of readdirSync(reports)) expect(readFileSync(join(reports, f), 'utf8')).toMatch(/<testsuite [^>]*failures="0" errors="0"/);
    // Two scenarios deliver a notification; the handler verified both, and it was stopped at the end.
    const log = readFileSync(join(work, 'handler.log'), 'utf8');
    expect(log.match(/verified, ok/g)).toHaveLength(2);
    expect(log).not.toMatch(/refused/);
    const url = readFileSync(join(work, 'handler.url'), 'utf8').trim();
    await expect(fetch(url, { method: 'POST', body: '{}' })).rejects.toThrow();
  });

  it('the stand-in handler really verifies: with another sandbox platform key it refuses, and the scenario fails', async () => {
    const env = cleanEnv();
    const dir = await dataDir(env);
    const other = await dataDir(env);
    const work = tempDir('tacpay-ci-');
    const dotenv = async (d: string): Promise<string> => {
      const f = join(work, `${readdirSync(work).length}.env`);
      expect((await runCli(['sandbox', 'keys', '--data', d, '--dotenv', f], { env })).code).toBe(0);
      return readFileSync(f, 'utf8');
    };
    const platformLine = (text: string): string => text.split('\n').find((l) => l.startsWith('TACPAY_PLATFORM_PUBLIC_KEY='))!;
    const mine = await dotenv(dir);
    const wrongKey = join(work, 'wrong.env');
    writeFileSync(wrongKey, mine.replace(platformLine(mine), platformLine(await dotenv(other))));
    const urlFile = join(work, 'url');
    const handler = spawnRunning([], { ...env, PORT: '0', HANDLER_URL_FILE: urlFile }, [`--env-file=${wrongKey}`, join(ROOT, 'examples/notify-handler.mjs')]);
    const url = await contentOf(urlFile);
    const r = await spawnCli(['--json', 'simulate', 'scenario', 'happy-path', '--sandbox-dir', dir, '--notify-url', url, '--retry-scale', '0.00001'], { env });
    expect(r.code).toBe(1);
    expect(json(r).steps[2]).toMatchObject({ id: 'deliver', status: 'failed' });
    expect(handler.out()).toMatch(/notify-handler: refused \(bad signature\)/);
    handler.child.kill('SIGTERM');
    await exitWithin(handler);
  });
});
