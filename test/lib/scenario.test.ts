/**
 * runScenario as a merchant's test suite calls it: a built-in scenario, a scenario object, a file,
 * a JUnit report, cancellation through an AbortSignal, and its mistakes as typed errors. TMPDIR
 * points at a directory of this file's own, so "nothing left behind" is checked exactly.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listScenarios, runScenario, TacpayError, TacpayLibError, type StepReport } from '../../src/lib/index.js';

let tmp: string;
let work: string;
const savedTmp = process.env.TMPDIR;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tacpay-lib-scenario-'));
  tmp = join(work, 'tmp');
  // os.tmpdir() reads TMPDIR on every call: the runs' temp sandboxes land here, and nowhere else.
  mkdirSync(tmp);
  process.env.TMPDIR = tmp;
});
afterAll(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  rmSync(work, { recursive: true, force: true });
});

describe('runScenario', () => {
  it('lists the built-in scenarios the CLI lists', () => {
    const names = listScenarios().map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['happy-path', 'delivery-retry', 'partial-refund', 'user-cancels']));
    expect(listScenarios().every((s) => s.steps > 0 && s.description.length > 0)).toBe(true);
  });

  it('runs happy-path by name: every step passes, reported as it finishes, and the temp sandbox is gone', async () => {
    const seen: StepReport[] = [];
    const report = await runScenario('happy-path', { onStep: (s) => seen.push(s) });
    expect(report.failed, JSON.stringify(report.steps.filter((s) => s.status !== 'passed'))).toBe(0);
    expect(report.passed).toBe(report.steps.length);
    expect(report.steps.length).toBeGreaterThanOrEqual(4);
    expect(seen.map((s) => s.id)).toEqual(report.steps.map((s) => s.id));
    expect(report.scenario).toBe('happy-path');
    expect(report.source).toMatch(/fixtures[\\/]scenarios[\\/]happy-path\.json$/);
    expect(report.dataDir).toBeUndefined();
    const deliver = report.steps.find((s) => s.action === 'deliver')!;
    expect(deliver.result).toMatchObject({ delivered: true, order_state: 4, signature_verified: true });
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('a scenario object whose expectation does not hold: that step fails with the mismatch, the rest are skipped', async () => {
    const report = await runScenario({
      name: 'wrong-amount',
      description: 'expects an amount the order was not placed with',
      steps: [
        { action: 'create', params: { amount: 100 }, expect: { amount: 200 } },
        { action: 'query', params: { out_trade_no: '${create.out_trade_no}' } },
      ],
    });
    expect(report.source).toBe('object');
    expect(report.steps.map((s) => s.status)).toEqual(['failed', 'skipped']);
    expect(report.steps[0]!.mismatches).toEqual([{ path: 'amount', expected: 200, actual: 100 }]);
    expect([report.passed, report.failed, report.skipped]).toEqual([0, 1, 1]);
  });

  it('a file relative to cwd, with a JUnit report and keep: the data dir is kept and named', async () => {
    const file = join(work, 'checkout.json');
    writeFileSync(file, JSON.stringify({ name: 'checkout', description: 'place and close', steps: [{ action: 'create' }, { action: 'close', params: { out_trade_no: '${create.out_trade_no}' } }] }));
    const report = await runScenario('checkout.json', { cwd: work, junit: 'reports/tacpay.xml', keep: true, retryScale: 0.01, timeoutMs: 5000 });
    expect(report.failed).toBe(0);
    expect(report.steps.map((s) => s.action)).toEqual(['create', 'close']);
    const xml = readFileSync(join(work, 'reports/tacpay.xml'), 'utf8');
    expect(xml).toContain('tacpay scenario checkout');
    expect(xml).toContain('create (create)');
    expect(report.dataDir).toMatch(/tacpay-scenario-/);
    expect(readdirSync(report.dataDir!).length).toBeGreaterThan(0);
    rmSync(report.dataDir!, { recursive: true, force: true });
  });

  it('aborting mid-run stops it, cleans up, and rejects with code "cancelled"', async () => {
    const controller = new AbortController();
    // retryScale 1: the scripted failed first attempt waits 15 s for its retry, so the abort lands during deliver.
    const run = runScenario('delivery-retry', { retryScale: 1, signal: controller.signal, onStep: (s) => { if (s.action === 'pay') setTimeout(() => controller.abort(), 50); } });
    const t0 = Date.now();
    const err = await run.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(TacpayError);
    expect((err as TacpayError).code).toBe('cancelled');
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('an already aborted signal starts nothing', async () => {
    const err = await runScenario('happy-path', { signal: AbortSignal.abort() }).then(() => undefined, (e: unknown) => e);
    expect((err as TacpayError).code).toBe('cancelled');
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('mistakes are TacpayErrors with a code and a hint, before anything starts', async () => {
    const cases: Array<[Promise<unknown>, string, RegExp]> = [
      [runScenario('no-such-scenario'), 'scenario.unknown', /happy-path/],
      [runScenario({ name: 'x', steps: [{ action: 'teleport' }] }), 'scenario', /scenario/],
      [runScenario('happy-path', { retryScale: 2 }), 'scenario.retry-scale', /0\.001/],
      [runScenario('happy-path', { timeoutMs: 0 }), 'scenario.timeout', /5000/],
      [runScenario('happy-path', { notifyUrl: 'ftp://x' }), 'scenario.notify-url', /http/],
    ];
    for (const [p, code, hint] of cases) {
      const err = (await p.then(() => undefined, (e: unknown) => e)) as TacpayError;
      expect(err, code).toBeInstanceOf(TacpayError);
      expect(err.code).toBe(code);
      expect(err.hint ?? '').toMatch(hint);
    }
    expect(await runScenario('no-such-scenario').catch((e: unknown) => e)).toBeInstanceOf(TacpayLibError);
    expect(readdirSync(tmp)).toEqual([]);
  });
});
