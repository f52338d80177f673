/**
 * tacpay as a user's project uses it: `npm pack` the repository, install the tarball into a copy of
 * test/package/consumer, type-check the consumer (strict) against the shipped declarations, then run
 * it: sandbox → client → pay → query, and its notification handler probed by the installed CLI.
 * Needs the build (npm test builds first); the pack skips `prepare` so this file never rebuilds.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let work: string;
let project: string;

function run(cmd: string, args: string[], cwd: string, timeout = 60_000) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, NO_COLOR: '1', npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' } });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tacpay-package-'));
  const packed = run(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', work], ROOT);
  expect(packed.status, packed.stderr).toBe(0);
  const tarball = join(work, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]!.filename);
  project = join(work, 'consumer');
  cpSync(join(ROOT, 'test/package/consumer'), project, { recursive: true });
  // Offline from the npm cache the repository's own install filled; the registry only if that misses.
  let install = run(npm, ['install', '--offline', '--no-audit', '--no-fund', tarball], project, 120_000);
  if (install.status !== 0) install = run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], project, 120_000);
  expect(install.status, install.stderr.slice(-2000)).toBe(0);
  // The consumer's @types/node: the repository's, linked rather than installed (the consumer needs no other dependency).
  mkdirSync(join(project, 'node_modules', '@types'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules', '@types', 'node'), join(project, 'node_modules', '@types', 'node'), 'dir');
}, 180_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed tarball, as a dependency', () => {
  it('type-checks a strict TypeScript consumer that uses every export', () => {
    const tsc = run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', project], project);
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });

  it('runs: sandbox → order → pay → paid and delivered to the handler; the handler survives the probes', () => {
    const dataDir = join(work, 'sandbox');
    const r = run(process.execPath, ['--experimental-strip-types', '--no-warnings', 'src/main.ts', dataDir, join(ROOT, 'fixtures/projects/plugins/local-aar')], project, 60_000);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const steps = Object.fromEntries(r.stdout.trim().split('\n').map((l) => { const { step, value } = JSON.parse(l) as { step: string; value: unknown }; return [step, value]; }));
    expect(steps['pay_info']).toBe('verified');
    expect(steps['order_state']).toBe('4');
    expect(steps['handler-paid']).toBe(true);
    expect(steps['api-error']).toBe(true);
    expect(steps['signed']).toBe(true);
    expect(steps['verdict']).toBe('notify.sign.missing');
    expect(steps['ok-reply']).toEqual({ ret: 0, msg: 'ok' });
    expect(steps['lib-error']).toBe(true);
    expect(steps['transport-error-class']).toBe(true);
    expect(steps['doctor']).toBe('pass');
    const sc = steps['scenario'] as { failed: number; passed: number; reported: number; builtins: number };
    expect(sc.failed).toBe(0);
    expect(sc.passed).toBeGreaterThanOrEqual(4);
    expect(sc.reported).toBe(sc.passed);
    expect(sc.builtins).toBeGreaterThanOrEqual(4);
    expect(steps['probes']).toMatchObject({ exit: 0, holes: 0, stderr: '' });
    // Every probe was sent and judged: a run that sent none would also have no holes.
    expect((steps['probes'] as { verdicts: string[] }).verdicts).toEqual(expect.arrayContaining(['bad-signature:ok', 'unknown-order:ok', 'duplicate:ok', 'replay:ok']));
    expect(steps['done']).toBe(true);
  });
});
