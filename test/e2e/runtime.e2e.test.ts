/**
 * The runtime contract of bin/tacpay.js, spawned as a user runs it: the Node version gate, the V8
 * code cache it makes on this machine (never shipped), and no Node warning on the user's terminal.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cleanEnv, ROOT, tempDir } from '../helpers/cli.js';
import { docPayInfo } from '../helpers/fixtures.js';

function run(args: string[], env: Record<string, string | undefined>, nodeArgs: string[] = []) {
  const r = spawnSync(process.execPath, [...nodeArgs, BIN, ...args], { cwd: tempDir(), env: { NO_COLOR: '1', ...env } as NodeJS.ProcessEnv, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh user: empty HOME, and a cache dir of its own. */
function freshUser(): { env: Record<string, string | undefined>; cacheDir: string } {
  const env = cleanEnv();
  env.XDG_CACHE_HOME = join(env.HOME!, '.cache');
  return { env, cacheDir: join(env.XDG_CACHE_HOME, 'tacpay', 'code-cache') };
}

describe('the Node version gate', () => {
  for (const version of ['20.19.0', '22.12.0', '18.20.4']) {
    it(`refuses Node ${version} in one line, exit 1, before loading the bundle`, () => {
      const dir = tempDir('tacpay-old-node-');
      const pretend = join(dir, 'pretend.cjs');
      writeFileSync(pretend, `Object.defineProperty(process.versions, 'node', { value: ${JSON.stringify(version)} });\n`);
      const r = run(['order', 'create'], freshUser().env, ['-r', pretend]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`tacpay: Node.js 22.13 or newer is required (this is ${version}): the sandbox uses Node's built-in SQLite. Install Node.js 22 or 24 LTS and try again.\n`);
    });
  }

  it('runs on 22.13 itself (the floor)', () => {
    const dir = tempDir('tacpay-floor-node-');
    const pretend = join(dir, 'pretend.cjs');
    writeFileSync(pretend, `Object.defineProperty(process.versions, 'node', { value: '22.13.0' });\n`);
    const r = run(['--version'], freshUser().env, ['-r', pretend]);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('the V8 code cache', () => {
  it('is made on the first run, for this Node, and read (not rewritten) on the next', () => {
    const { env, cacheDir } = freshUser();
    expect(existsSync(cacheDir)).toBe(false);
    const first = run(['decode', docPayInfo], env);
    expect(first.code, first.stderr).toBe(0);
    const files = readdirSync(cacheDir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(new RegExp(`^main-${process.version.replace(/\./g, '\\.')}-${process.arch}-[0-9a-f]{8}-[0-9a-f]{8}\\.cache$`));
    const file = join(cacheDir, files[0]!);
    const made = statSync(file);
    expect(made.size).toBeGreaterThan(10_000);
    expect(made.mode & 0o077).toBe(0);
    const second = run(['--help'], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('Usage: tacpay');
    // V8 accepted it: bin/tacpay.js rewrites the cache only when it was missing or rejected.
    expect(statSync(file).mtimeMs).toBe(made.mtimeMs);
    expect(readdirSync(cacheDir)).toEqual(files);
  });

  it('a damaged cache is rejected by V8 and replaced; the command works meanwhile', () => {
    const { env, cacheDir } = freshUser();
    expect(run(['--version'], env).code).toBe(0);
    const [name] = readdirSync(cacheDir);
    const file = join(cacheDir, name!);
    const good = readFileSync(file);
    const junk = Buffer.alloc(good.length, 0x5a);
    writeFileSync(file, junk);
    const r = run(['decode', docPayInfo], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('TC100008');
    expect(readFileSync(file).equals(junk)).toBe(false);
  });

  it('other V8 flags get a cache of their own; NODE_DISABLE_COMPILE_CACHE turns it off', () => {
    const { env, cacheDir } = freshUser();
    expect(run(['--version'], env).code).toBe(0);
    const [plain] = readdirSync(cacheDir);
    expect(run(['--version'], { ...env, NODE_OPTIONS: '--max-old-space-size=200' }).code).toBe(0);
    expect(readdirSync(cacheDir)).toHaveLength(2);
    // Another tacpay build's caches for this Node go when this build writes one; other flags' and other Nodes' stay.
    const ours = readdirSync(cacheDir).sort();
    const staleBuild = ours.map((n) => n.replace(/-[0-9a-f]{8}-([0-9a-f]{8})\.cache$/, '-00000000-$1.cache'));
    for (const n of staleBuild) writeFileSync(join(cacheDir, n), 'an older tacpay build');
    const otherNode = 'main-v0.0.1-x64-00000000-00000000.cache';
    writeFileSync(join(cacheDir, otherNode), 'another Node keeps its own');
    writeFileSync(join(cacheDir, plain!), 'rejected by V8, so written anew');
    expect(run(['--version'], env).code).toBe(0);
    expect(readdirSync(cacheDir).sort()).toEqual([...ours, otherNode].sort());
    const off = freshUser();
    expect(run(['--version'], { ...off.env, NODE_DISABLE_COMPILE_CACHE: '1' }).code).toBe(0);
    expect(existsSync(off.cacheDir)).toBe(false);
  });

  it('an unusable cache dir changes nothing for the user: same output, no error', () => {
    const { env } = freshUser();
    const blocker = join(env.HOME!, 'not-a-dir');
    writeFileSync(blocker, 'x');
    const r = run(['decode', '--json', docPayInfo], { ...env, XDG_CACHE_HOME: blocker });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).valid).toBe(true);
  });

  it('is not shipped: the build leaves no cache or source map in dist/', () => {
    // dist/lib (the library's ESM bundle) and dist/types (its declarations) are the only folders.
    const top = readdirSync(join(ROOT, 'dist'));
    expect(top.filter((f) => !f.endsWith('.cjs') && f !== 'lib' && f !== 'types')).toEqual([]);
    expect(readdirSync(join(ROOT, 'dist/lib')).filter((f) => /\.(map|cache)$/.test(f))).toEqual([]);
  });
});

describe('no Node warning reaches the user', () => {
  it('order create against the embedded sandbox (node:sqlite loads) prints no ExperimentalWarning', () => {
    const { env } = freshUser();
    const r = run(['order', 'create', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).response.ret).toBe(0);
    expect(r.stderr).not.toMatch(/Warning/);
  });
});
