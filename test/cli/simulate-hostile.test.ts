/**
 * `simulate scenario` given hostile input: a device, a FIFO, a file over the 1 MB cap, nesting
 * 5,000 deep, a file that is not JSON and holds secrets (none of its bytes may be printed), control
 * characters in the name and keys. And clean-up: the tacpay-scenario-* temp dir (a whole sandbox
 * store) is gone after a pass, a failure, an error, SIGINT (exit 130) and SIGTERM, tested on the
 * built CLI with its own TMPDIR.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/sandbox/store.js';
import { cleanEnv, json, runCli, spawnCli, tempDir, type RunResult } from '../helpers/cli.js';
import { spawnRunning } from '../helpers/running-cli.js';
import { exitWithin, killAll, until } from '../helpers/sandbox-process.js';

afterEach(killAll);
const env = cleanEnv();

/** The refusal is exactly two lines on stderr (error, hint), nothing on stdout, exit 1, no stack. */
function expectOneLineRefusal(r: RunResult, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(2);
  expect(lines[0]).toMatch(pattern);
  expect(lines[1]).toMatch(/^hint: /);
  expect(r.stderr).not.toMatch(/internal error|this is a bug|\n\s+at /);
}

function file(name: string, content: string | Buffer): { cwd: string; path: string } {
  const cwd = tempDir('tacpay-hostile-');
  writeFileSync(join(cwd, name), content);
  return { cwd, path: join(cwd, name) };
}

const nested = (depth: number): string => '['.repeat(depth) + '1' + ']'.repeat(depth);

describe('simulate scenario: files that are not scenario files', () => {
  it('/dev/zero is refused at once as a device (it used to grow to gigabytes)', async () => {
    const t0 = Date.now();
    const r = await spawnCli(['simulate', 'scenario', '/dev/zero'], { env, timeoutMs: 10_000 });
    expectOneLineRefusal(r, /^error: scenario file \/dev\/zero: a device file, not a regular file; not read$/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('a FIFO with no writer is refused, not waited on (it used to hang)', async () => {
    const dir = tempDir('tacpay-fifo-');
    const fifo = join(dir, 'scenario.json');
    execFileSync('mkfifo', [fifo]);
    const r = await spawnCli(['simulate', 'scenario', fifo], { env, timeoutMs: 10_000 });
    expectOneLineRefusal(r, /: a FIFO, not a regular file; not read$/);
  });

  it('the cap is 1 MB: a file of exactly 1,048,576 bytes is read, one byte more is refused', async () => {
    // Valid JSON padded with spaces, with a mistake the validator names: proof the file was read and parsed.
    const body = JSON.stringify({ name: 'big', steps: [{ action: 'nope' }] });
    const exact = file('exact.json', body + ' '.repeat(1024 * 1024 - body.length));
    const r1 = await runCli(['simulate', 'scenario', exact.path], { env });
    expectOneLineRefusal(r1, /has 1 problem: steps\[0\]\.action must be one of/);
    const over = file('over.json', body + ' '.repeat(1024 * 1024 - body.length + 1));
    const r2 = await runCli(['simulate', 'scenario', over.path], { env });
    expectOneLineRefusal(r2, /over\.json: 1\.0 MB, over the 1\.0 MB limit for this kind of file; not read$/);
  });

  it('nesting 5,000 deep is a one-line error with the position (it used to be "internal error ... this is a bug")', async () => {
    const text = `{"name":"deep","steps":[{"action":"create","params":{"metadata":${nested(5000)}}}]}`;
    const deep = file('deep.json', text);
    const r = await spawnCli(['simulate', 'scenario', deep.path], { env });
    // Four levels before metadata: its 29th bracket is the 33rd level.
    const column = text.indexOf('[[') + 29;
    expectOneLineRefusal(r, new RegExp(`deep\\.json is not valid JSON: line 1, column ${column}: nesting deeper than 32 levels of objects and arrays$`));
  });

  it('32 levels are accepted; 33 are not', async () => {
    // object, steps, step, params: 4 levels; the metadata arrays make up the rest.
    const at = (depth: number): string => `{"name":"d","steps":[{"action":"create","params":{"metadata":${nested(depth - 4)}}}]}`;
    const ok = file('ok.json', at(32));
    const r = await runCli(['--json', 'simulate', 'scenario', ok.path], { env });
    expect(r.stderr).not.toMatch(/nesting/);
    expect(json(r).steps).toHaveLength(1);
    const deep = file('deep.json', at(33));
    expectOneLineRefusal(await runCli(['simulate', 'scenario', deep.path], { env }), /nesting deeper than 32 levels/);
  });

  it('a file that is not JSON: line, column and kind, never a byte of it (/etc/shadow used to be echoed)', async () => {
    const shadow = file('shadow', 'root:$6$SECRETSALT$Zm9vYmFy:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n');
    const r = await runCli(['simulate', 'scenario', shadow.path], { env });
    expectOneLineRefusal(r, /shadow is not valid JSON: line 1, column 1: expected a value \(an object, array, string, number, true, false or null\), found a letter$/);
    expect(r.stderr).not.toMatch(/root|SECRETSALT|daemon|\$6\$/);
    const later = file('later.json', '{\n  "name": "x",\n  "steps": [{"action": \'TOPSECRET\'}]\n}\n');
    const r2 = await runCli(['simulate', 'scenario', later.path], { env });
    expectOneLineRefusal(r2, /later\.json is not valid JSON: line 3, column 24: expected a value .*, found a single quote \(JSON strings take double quotes\)$/);
    expect(r2.stderr).not.toContain('TOPSECRET');
    const comma = file('comma.json', '{"name": "x", "steps": [{"action": "create"},]}');
    expectOneLineRefusal(await runCli(['simulate', 'scenario', comma.path], { env }), /line 1, column 46: a trailing comma before "\]"$/);
  });

  it('a UTF-8 byte order mark (Windows editors) is not a mistake', async () => {
    const bom = file('bom.json', '\ufeff' + JSON.stringify({ name: 'bom', steps: [{ action: 'create' }] }));
    const r = await runCli(['--json', 'simulate', 'scenario', bom.path], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(json(r).scenario).toBe('bom');
  });
});

describe('simulate scenario: untrusted text in the file', () => {
  it('the name is printed inert: no escape sequence or bidi control reaches the terminal, stdout or JUnit', async () => {
    const evil = file('evil.json', JSON.stringify({ name: 'x\u001b[2J\u001b]0;owned\u0007\u202ey', steps: [{ action: 'create' }] }));
    const r = await runCli(['simulate', 'scenario', evil.path, '--junit', 'out.xml'], { env, cwd: evil.cwd });
    expect(r.code, r.stderr).toBe(0);
    for (const out of [r.stdout, r.stderr]) expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/);
    expect(r.stderr).toContain('scenario x\\x1b[2J\\x1b]0;owned\\x07\\u202ey: 1 step against a fresh sandbox');
    expect(r.stdout).toMatch(/^1 passed, 0 failed \(scenario x\\x1b\[2J/m);
    const xml = readFileSync(join(evil.cwd, 'out.xml'), 'utf8');
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
  });

  it('a hostile key is cut short and made inert; many problems are counted, not all listed', async () => {
    const key = '\u001b[31m' + 'k'.repeat(100_000);
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`bad${i}`, 1]));
    const evil = file('keys.json', JSON.stringify({ name: 'k', [key]: 1, ...many, steps: [{ action: 'create' }] }));
    const r = await runCli(['simulate', 'scenario', evil.path], { env });
    expectOneLineRefusal(r, /keys\.json has 51 problems: unknown top-level key "\\u001b\[31mk{35}…" \(known: .*; and 46 more$/);
    expect(r.stderr.length).toBeLessThan(1500);
  });

  it('more than 1000 steps are refused before anything runs', async () => {
    const f = file('long.json', JSON.stringify({ name: 'long', steps: Array.from({ length: 1001 }, () => ({ action: 'create' })) }));
    expectOneLineRefusal(await runCli(['simulate', 'scenario', f.path], { env }), /"steps" holds 1001 steps; at most 1000 are run$/);
  });
});

/** A TMPDIR of its own, so the test sees exactly the temp dirs this run makes. */
function tmpEnv(): { tmp: string; env: Record<string, string | undefined>; scenarioDirs(): string[] } {
  const tmp = tempDir('tacpay-tmpdir-');
  mkdirSync(tmp, { recursive: true });
  return { tmp, env: cleanEnv({ TMPDIR: tmp }), scenarioDirs: () => readdirSync(tmp).filter((d) => d.startsWith('tacpay-scenario-')) };
}

/** Delivery attempts logged in a sandbox store (0 while it is not there yet). */
function attemptsIn(dir: string): number {
  try {
    const s = openStore(dir, { readonly: true });
    try {
      return s.lastAttemptId();
    } finally {
      s.close();
    }
  } catch {
    return 0;
  }
}

/** A scenario whose third step waits ten minutes for a delivery the handler always refuses (at scale 1). */
function slowScenario(): string {
  return file(
    'slow.json',
    JSON.stringify({
      name: 'slow',
      retryScale: 1,
      receiver: { replies: ['fail'] },
      steps: [
        { action: 'create' },
        { action: 'pay', params: { out_trade_no: '${create.out_trade_no}' } },
        { action: 'deliver', params: { out_trade_no: '${create.out_trade_no}', timeout_ms: 600000 } },
      ],
    }),
  ).path;
}

describe('simulate scenario: the temp sandbox goes on every exit path', () => {
  it.each([
    ['SIGINT', [] as string[]],
    ['SIGTERM', [] as string[]],
    ['SIGINT', ['--json']],
  ] as const)('%s mid-run %j: exit 130, the sandbox stopped, tacpay-scenario-* removed', async (signal, flags) => {
    const t = tmpEnv();
    const run = spawnRunning([...flags, 'simulate', 'scenario', slowScenario()], t.env);
    // --json prints nothing until the end: there the first delivery attempt in the log says the deliver step is waiting.
    if (!flags.length) await until(() => /✓ pay/.test(run.out()), 'the pay step');
    else await until(() => t.scenarioDirs().length === 1 && attemptsIn(join(t.tmp, t.scenarioDirs()[0]!)) > 0, 'the first delivery attempt');
    await new Promise((r) => setTimeout(r, 200));
    expect(t.scenarioDirs()).toHaveLength(1);
    expect(readdirSync(join(t.tmp, t.scenarioDirs()[0]!))).toContain('sandbox.db');
    const sent = Date.now();
    run.child.kill(signal);
    const exit = await exitWithin(run, 10_000);
    expect(exit.code, run.err()).toBe(130);
    expect(Date.now() - sent).toBeLessThan(5000);
    expect(t.scenarioDirs()).toEqual([]);
    if (flags.length) expect(JSON.parse(run.out())).toEqual({ error: expect.objectContaining({ code: 'cancelled' }) });
    else {
      expect(run.err()).toMatch(new RegExp(`^${signal}: stopping after 2 of 3 steps`, 'm'));
      expect(run.err()).toMatch(/^error: cancelled$/m);
    }
  });

  it('after a pass, a failed step, and an error writing the JUnit report: nothing left; --keep keeps it', async () => {
    const t = tmpEnv();
    expect((await spawnCli(['simulate', 'scenario', 'happy-path'], { env: t.env })).code).toBe(0);
    const failing = file('fail.json', JSON.stringify({ name: 'fail', steps: [{ action: 'create', expect: { ret: 1 } }, { action: 'create' }] }));
    expect((await spawnCli(['simulate', 'scenario', failing.path], { env: t.env })).code).toBe(1);
    const blocker = file('blocker', 'a file where the report dir would go');
    const j = await spawnCli(['simulate', 'scenario', 'user-cancels', '--junit', join(blocker.path, 'r.xml')], { env: t.env });
    expect(j.code).toBe(1);
    expect(j.stderr).toMatch(/^error: cannot write the JUnit report/m);
    expect(t.scenarioDirs()).toEqual([]);
    const kept = await spawnCli(['--json', 'simulate', 'scenario', 'user-cancels', '--keep'], { env: t.env });
    expect(t.scenarioDirs()).toHaveLength(1);
    expect(json(kept).dataDir).toBe(join(t.tmp, t.scenarioDirs()[0]!));
  });
});
