/**
 * simulate and listen as a user runs them: the built bin in child processes (build first: node
 * scripts/build.mjs), all on 127.0.0.1. listen's ready line, verification with the sandbox platform
 * key, --fail, --register (restored on stop) and a clean SIGTERM; a running `sandbox start`
 * delivering the notification of an order paid by `simulate result`; a scenario with a JUnit report;
 * and the JUnit builder kept out of the bundle. Every wait is bounded.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/sandbox/store.js';
import { cleanEnv, json, ROOT, spawnCli, tempDir } from '../helpers/cli.js';
import { exitWithin, killAll, startCliProcess, startSandboxProcess, until, type Running } from '../helpers/sandbox-process.js';

afterEach(killAll);

beforeAll(() => {
  expect(existsSync(join(ROOT, 'dist/main.cjs')), 'build first: node scripts/build.mjs').toBe(true);
});

/** Spawns `tacpay listen ...args` and waits (bounded) for its ready line. */
function startListen(args: string[], env: Record<string, string | undefined>): Promise<Running> {
  return startCliProcess(['listen', ...args], 15_000, env);
}

function notifyUrlOf(dir: string): string | null {
  const s = openStore(dir, { readonly: true });
  try {
    return s.defaultMerchant()!.notify_url;
  } finally {
    s.close();
  }
}

describe('tacpay listen (built CLI)', () => {
  it('prints a ready event, verifies and prints each notification, answers ok; --register is undone on SIGTERM (exit 0)', async () => {
    const env = cleanEnv();
    const dir = join(tempDir('tacpay-e2e-listen-'), 'data');
    expect((await spawnCli(['sandbox', 'keys', '--data', dir, '--json'], { env })).code).toBe(0);
    const l = await startListen(['--port', '0', '--data', dir, '--json', '--register'], env);
    const ready = JSON.parse(l.readyLine);
    expect(ready).toMatchObject({ event: 'ready', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/notify$/), pid: l.child.pid, registered: expect.stringMatching(/^TC\d+$/) });
    expect(notifyUrlOf(dir)).toBe(ready.url);

    const sent = await spawnCli(['--json', 'simulate', 'notify', '--to', ready.url, '--amount', '321', '--no-retry', '--data', dir], { env });
    expect(sent.code, sent.stdout + sent.stderr).toBe(0);
    expect(json(sent).attempts[0].reply).toBe('{"ret":0,"msg":"ok"}');
    await until(() => l.out().split('\n').length >= 3, 'the notification event');
    const event = JSON.parse(l.out().split('\n')[1]!);
    expect(event).toMatchObject({ event: 'notification', n: 1, verified: true, body: { amount: 321, appid: ready.registered }, reply: { ret: 0, msg: 'ok' } });

    l.child.kill('SIGTERM');
    expect(await exitWithin(l)).toEqual({ code: 0, signal: null });
    expect(notifyUrlOf(dir)).toBeNull();
  });

  it('--fail refuses even a genuine notification; a forged one is refused with the reason, in human output', async () => {
    const env = cleanEnv();
    const dir = join(tempDir('tacpay-e2e-listen-'), 'data');
    expect((await spawnCli(['sandbox', 'keys', '--data', dir, '--json'], { env })).code).toBe(0);
    const failing = await startListen(['--port', '0', '--data', dir, '--fail'], env);
    const url = /ready at (\S+)/.exec(failing.readyLine)![1]!;
    const refused = await spawnCli(['--json', 'simulate', 'notify', '--to', url, '--no-retry', '--data', dir], { env });
    expect(refused.code).toBe(1);
    expect(json(refused).attempts[0].reason).toMatch(/refusing on purpose/);
    failing.child.kill('SIGINT');
    expect((await exitWithin(failing)).code).toBe(0);

    const l = await startListen(['--port', '0', '--data', dir], env);
    const url2 = /ready at (\S+)/.exec(l.readyLine)![1]!;
    const probes = await spawnCli(['--json', 'simulate', 'notify', '--to', url2, '--probes', '--data', dir], { env });
    const doc = json(probes);
    // listen knows no orders, so "unknown order" is acknowledged: the one thing a watcher cannot check.
    expect(doc.probes.filter((p: { verdict: string }) => p.verdict === 'hole').map((p: { id: string }) => p.id)).toEqual(['unknown-order']);
    await until(() => /✗ refused/.test(l.out()) && /signature does not verify/.test(l.out()), 'a refused notification in the output');
    expect(l.out()).toMatch(/✗ sign is missing/);
    expect(l.out()).toMatch(/replied \{"ret":-1,"msg":"the body is not JSON"\}/);
    expect(l.out()).toMatch(/replied \{"ret":-1,"msg":"ts is \d+ s old, outside/);
    l.child.kill('SIGTERM');
    expect((await exitWithin(l)).code).toBe(0);
  });
});

describe('a running sandbox delivers what simulate result pays', () => {
  it('order create → simulate result success → the running sandbox notifies listen → state 4, logged', async () => {
    const env = cleanEnv();
    const dir = join(tempDir('tacpay-e2e-flow-'), 'data');
    const s = await startSandboxProcess(['--port', '0', '--data', dir, '--json'], 15_000, env);
    const l = await startListen(['--port', '0', '--data', dir, '--json', '--register'], env);
    const created = await spawnCli(['--json', 'order', 'create', '--sandbox-dir', dir, '--amount', '990'], { env });
    expect(created.code, created.stderr).toBe(0);
    const order = json(created).response;
    const paid = await spawnCli(['--json', 'simulate', 'result', 'success', '--pay-info', order.pay_info, '--platform', 'ios', '--data', dir], { env });
    expect(paid.code, paid.stderr).toBe(0);
    expect(json(paid).order).toMatchObject({ stateAfter: 4, delivery: { status: 'delivered', sender: 'running-sandbox' } });
    await until(() => /"event":"notification"/.test(l.out()), 'the notification at listen');
    const event = JSON.parse(l.out().split('\n').find((x) => x.includes('"notification"'))!);
    expect(event).toMatchObject({ verified: true, body: { out_trade_no: order.out_trade_no, amount: 990, pay_scene: 2 } });

    const log = await spawnCli(['--json', 'sandbox', 'log', '--notifications', '--data', dir], { env });
    expect(json(log).notifications).toEqual([expect.objectContaining({ outTradeNo: order.out_trade_no, attempt: 1, delivered: true, orderState: 4 })]);
    const queried = await spawnCli(['--json', 'order', 'query', '--sandbox-dir', dir, '--out-trade-no', order.out_trade_no], { env });
    expect(json(queried).response).toMatchObject({ order_state: '4', callback_time: expect.stringMatching(/^\d{4}-/) });

    s.child.kill('SIGTERM');
    l.child.kill('SIGTERM');
    expect((await exitWithin(s)).code).toBe(0);
    expect((await exitWithin(l)).code).toBe(0);
  });
});

describe('simulate scenario (built CLI)', () => {
  it('runs a built-in scenario from the installed fixtures and writes JUnit XML', async () => {
    const cwd = tempDir('tacpay-e2e-scn-');
    const r = await spawnCli(['simulate', 'scenario', 'partial-refund', '--junit', 'report.xml'], { cwd, env: cleanEnv() });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^✓ too_much\s+refund ret 1007/m);
    expect(r.stdout).toMatch(/^9 passed, 0 failed \(scenario partial-refund/m);
    const xml = readFileSync(join(cwd, 'report.xml'), 'utf8');
    expect(xml).toMatch(/<testsuites tests="9" failures="0" errors="0" skipped="0">/);
  });

  it('keeps the JUnit builder out of the bundle (required at run time only) and has help with examples', async () => {
    const bundle = readFileSync(join(ROOT, 'dist/main.cjs'), 'utf8');
    expect(bundle).toContain('junit-report-builder');
    expect(bundle).not.toContain('JUnitReportBuilder');
    const help = await spawnCli(['simulate', 'notify', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Examples:\n {2}tacpay simulate notify --to/);
  });
});
