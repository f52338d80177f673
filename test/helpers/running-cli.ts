/** The built CLI as a running child whose output is collected as it comes, for tests that signal it mid-run (no ready line to wait for). */
import { spawn } from 'node:child_process';
import { BIN } from './cli.js';
import { track, type Running } from './sandbox-process.js';

/** Spawns `node ...nodeArgs ...args` (nodeArgs: the CLI by default); killAll() of sandbox-process.ts kills it if a test fails. */
export function spawnRunning(args: string[], env: Record<string, string | undefined>, nodeArgs: readonly string[] = [BIN]): Running {
  const child = track(spawn(process.execPath, [...nodeArgs, ...args], { env: { NO_COLOR: '1', ...env } as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { child, readyLine: '', out: () => out, err: () => err, exited };
}
