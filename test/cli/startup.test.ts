// Start-up is a product requirement (`tacpay --help` and `tacpay decode` near bare `node -e 0`). Timing
// is noisy, so this guards the cause instead: which Node built-ins the built CLI loads. Spawns the
// built bin (npm test builds first; run `node scripts/build.mjs` before running this file alone).
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, tempDir } from '../helpers/cli.js';
import { docPayInfo, FIXTURES } from '../helpers/fixtures.js';

/**
 * Built-ins that cost start-up and that no help, version or key-less decode needs. child_process
 * (~4-5 ms: it pulls in net and more) is required by commander at load; the build hands commander a
 * shim that loads it on first use (scripts/shims/child-process-lazy.cjs), so it is forbidden too.
 */
const FORBIDDEN = ['crypto', 'fs/promises', 'worker_threads', 'http', 'net', 'child_process'];

// Preloaded with -r: records the public built-ins loaded after it ran, and writes them on exit to
// the file named by the environment (not stderr, which the CLI writes to as well).
const PRELOAD = `
const base = new Set(process.moduleLoadList);
process.on('exit', () => {
  const added = process.moduleLoadList.filter((m) => !base.has(m) && m.startsWith('NativeModule ') && !m.includes('internal/'));
  require('fs').writeFileSync(process.env.STARTUP_PROBE_OUT, JSON.stringify(added.map((m) => m.slice('NativeModule '.length))));
});
`;

let dir: string;
let preload: string;
let probeRun = 0;

/** Runs `node -r <preload> <script> ...args` and returns the exit code and the built-ins it loaded. */
function loadedBy(script: string, args: string[]): { code: number | null; stderr: string; modules: string[] } {
  const out = join(dir, `loaded-${probeRun++}.json`);
  // stdout and stderr go to files, as in `tacpay ... > out 2> err`: for a pipe, Node's own stdio
  // would load node:net (a pipe is a net.Socket), which says nothing about tacpay.
  const errFile = join(dir, `stderr-${probeRun}.txt`);
  const stdout = openSync(join(dir, `stdout-${probeRun}.txt`), 'w');
  const stderr = openSync(errFile, 'w');
  try {
    const r = spawnSync(process.execPath, ['-r', preload, script, ...args], {
      cwd: dir,
      env: { ...cleanEnv(), NO_COLOR: '1', STARTUP_PROBE_OUT: out } as NodeJS.ProcessEnv,
      stdio: ['ignore', stdout, stderr],
      timeout: 20_000,
    });
    return { code: r.status, stderr: readFileSync(errFile, 'utf8'), modules: JSON.parse(readFileSync(out, 'utf8')) as string[] };
  } finally {
    closeSync(stdout);
    closeSync(stderr);
  }
}

beforeAll(() => {
  dir = tempDir('tacpay-startup-');
  preload = join(dir, 'probe.cjs');
  writeFileSync(preload, PRELOAD);
});

describe('start-up loads no heavy built-ins', () => {
  const probes: Array<[string, () => string[]]> = [
    ['--help', () => ['--help']],
    ['--version', () => ['--version']],
    ['order --help', () => ['order', '--help']],
    ['decode <documented pay_info> (no key)', () => ['decode', docPayInfo]],
  ];
  for (const [name, args] of probes) {
    it(`tacpay ${name}`, () => {
      const r = loadedBy(BIN, args());
      expect(r.code, r.stderr).toBe(0);
      const heavy = r.modules.filter((m) => FORBIDDEN.includes(m));
      expect(heavy, `loaded: ${r.modules.join(', ')}`).toEqual([]);
    });
  }

  it('sees node:crypto when decode verifies with a key (the probe works)', () => {
    const signed = readFileSync(join(FIXTURES, 'payinfo/signed.txt'), 'utf8').trimEnd();
    const r = loadedBy(BIN, ['decode', '--public-key', join(FIXTURES, 'payinfo/platform-public.pem'), signed]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.modules).toContain('crypto');
  });
});

describe('the bundle', () => {
  it('is ASCII: V8 keeps it as a one-byte string, cheaper to read and hash at every start', () => {
    const bundle = readFileSync(join(BIN, '../../dist/main.cjs'), 'latin1');
    const at = bundle.search(/[^\x00-\x7f]/);
    expect(at === -1 ? '' : bundle.slice(Math.max(0, at - 60), at + 20)).toBe('');
  });
});

describe('the lazy node:child_process shim handed to commander', () => {
  it('is the real module once touched', async () => {
    const { createRequire } = await import('node:module');
    const require = createRequire(import.meta.url);
    const shim = require('../../scripts/shims/child-process-lazy.cjs') as typeof import('node:child_process');
    expect(shim.spawn).toBe(require('node:child_process').spawn);
    expect(shim.execFileSync(process.execPath, ['-e', 'process.stdout.write("ok")'], { encoding: 'utf8' })).toBe('ok');
  });
});
