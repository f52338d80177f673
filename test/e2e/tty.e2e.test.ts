/**
 * The built CLI on a real pseudo-terminal (util-linux `script`), typed at as a person would: doctor
 * --fix asks before writing, order create asks only for the values the flags did not give, and
 * Ctrl-C at a prompt exits 130. The keystrokes are written to the pty a little apart, as typing is.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, tempDir } from '../helpers/cli.js';
import { PROJECTS } from '../doctor/helpers.js';
import { startHarness, type Harness } from '../sandbox/harness.js';

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

/** Runs `tacpay args` on a pty, typing `keys` (one entry per 300 ms); resolves with the exit code and the screen text. */
function onTty(args: string[], keys: string[], env: Record<string, string | undefined>, cwd: string): Promise<{ code: number | null; screen: string }> {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qec', quoted, '/dev/null'], { cwd, env: { ...env, TERM: 'xterm' } as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (screen += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (screen += d));
  let i = 0;
  const typer = setInterval(() => {
    if (i < keys.length) child.stdin.write(keys[i++]!);
  }, 300);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no exit in 20 s; screen:\n${screen}`));
    }, 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      clearInterval(typer);
      resolve({ code, screen });
    });
  });
}

describe.skipIf(!hasScript)('on a terminal (built CLI, util-linux script)', () => {
  let h: Harness;
  let keyFile: string;
  beforeAll(async () => {
    h = await startHarness();
    keyFile = h.merchantKeyFile();
  });
  afterAll(async () => {
    await h.close();
  });

  it('doctor --fix shows the diff and asks; "n" writes nothing, "y" writes the fix', async () => {
    const dir = join(tempDir(), 'p');
    cpSync(join(PROJECTS, 'ios-native/broken-schemes'), dir, { recursive: true });
    const plist = join(dir, 'TacShop/Info.plist');
    const before = readFileSync(plist, 'utf8');
    const no = await onTty(['doctor', dir, '--fix'], ['n\r'], cleanEnv(), dir);
    expect(no.screen).toContain('+++ b/TacShop/Info.plist');
    expect(readFileSync(plist, 'utf8')).toBe(before);
    expect(no.code).toBe(1);
    const yes = await onTty(['doctor', dir, '--fix'], ['y\r'], cleanEnv(), dir);
    expect(readFileSync(plist, 'utf8')).not.toBe(before);
    expect(readFileSync(plist, 'utf8')).toContain('<string>wx5e1f3c9a2b7d4e60</string>');
    expect(yes.screen).not.toMatch(/\n\s+at /);
  });

  it('order create asks only for what the flags did not give, validating with the API rules', async () => {
    const env = cleanEnv({ TACPAY_OFFER_KEY: h.merchant.offer_key });
    const args = ['order', 'create', '--base-url', h.sandbox.url, '--offer-id', h.merchant.offer_id, '--private-key', keyFile, '--product-id', 'p1', '--product-name', 'n', '--product-detail', 'd'];
    // "ab" is refused (user_id needs 5-255 characters), erased, then a valid id and the amount.
    const r = await onTty(args, ['ab\r', '\x7f\x7f', 'rickenwang\r', '100\r'], env, tempDir());
    expect(r.screen).toMatch(/user_id/);
    expect(r.screen).toMatch(/is 2 characters; it must be 5–255/);
    expect(r.screen).toMatch(/order placed/);
    expect(r.screen).not.toMatch(/product_id \(/);
    expect(r.code).toBe(0);
    expect(r.screen).not.toContain(h.merchant.offer_key);
  });

  it('Ctrl-C at a prompt exits 130 without a stack trace', async () => {
    const env = cleanEnv({ TACPAY_OFFER_KEY: h.merchant.offer_key });
    const r = await onTty(['order', 'create', '--base-url', h.sandbox.url, '--offer-id', h.merchant.offer_id, '--private-key', keyFile], ['\x03'], env, tempDir());
    expect(r.code).toBe(130);
    expect(r.screen).not.toMatch(/\n\s+at /);
  });
});
