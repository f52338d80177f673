/** Running the CLI in tests: in-process through main() with fake streams, or spawned from the built bin. */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/tacpay.js');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  stdin?: string | Buffer;
  env?: Record<string, string | undefined>;
  cwd?: string;
  tty?: { stdin?: boolean; stdout?: boolean; stderr?: boolean };
  now?: Date;
}

/** A scratch directory under the OS temp dir. */
export function tempDir(prefix = 'tacpay-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Where spawned CLIs keep the V8 code cache bin/tacpay.js makes: one for the whole test run, as a
 * user's cache dir outlives each command (a fresh one per spawn would make every spawn a first run).
 */
export const TEST_CACHE_HOME = join(tmpdir(), `tacpay-test-cache-${process.getuid?.() ?? 'user'}`);

/** An environment with no user config and no colour unless asked: HOME and XDG point at an empty temp dir. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const home = tempDir('tacpay-home-');
  return { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_CACHE_HOME: TEST_CACHE_HOME, PATH: process.env.PATH, ...extra };
}

/** Runs main() in-process with fake streams. */
export async function runCli(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const input = opts.stdin ?? '';
  const stdin = Object.assign(Readable.from(typeof input === 'string' ? [Buffer.from(input)] : [input]), { isTTY: opts.tty?.stdin ?? false });
  const code = await main(args, {
    stdout: { write: (s: string | Uint8Array) => ((stdout += typeof s === 'string' ? s : Buffer.from(s).toString('utf8')), true), isTTY: opts.tty?.stdout ?? false },
    stderr: { write: (s: string | Uint8Array) => ((stderr += typeof s === 'string' ? s : Buffer.from(s).toString('utf8')), true), isTTY: opts.tty?.stderr ?? false },
    stdin,
    env: opts.env ?? cleanEnv(),
    cwd: opts.cwd ?? tempDir(),
    ...(opts.now ? { now: () => opts.now! } : {}),
  });
  return { code, stdout, stderr };
}

/** Spawns the built CLI as a user would (NO_COLOR=1 unless env overrides). Resolves on exit; kills after `timeoutMs`. */
export function spawnCli(args: string[], opts: RunOptions & { timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? tempDir(),
      env: { NO_COLOR: '1', ...(opts.env ?? cleanEnv()) } as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tacpay ${args.join(' ')} did not finish in ${opts.timeoutMs ?? 20000} ms\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 20000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.stdin ?? '');
  });
}

/** Parses stdout as exactly one JSON document (fails the test otherwise). */
export function json<T = any>(r: RunResult): T {
  return JSON.parse(r.stdout) as T;
}
