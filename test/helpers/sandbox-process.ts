/**
 * `tacpay sandbox start` as a child process, for e2e tests: spawn the built bin, wait (bounded) for
 * its ready line, sign calls against it, stop it. Every wait has a timeout; killAll() in afterEach
 * makes sure a failed test leaves no sandbox running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { toQuery } from '../../src/client/encode.js';
import { signParams, type Credentials } from '../../src/client/order-client.js';
import { openStore } from '../../src/sandbox/store.js';
import { BIN, cleanEnv, tempDir } from './cli.js';

export interface Running {
  child: ChildProcess;
  /** The first stdout line (the ready line or event). */
  readyLine: string;
  out(): string;
  err(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: ChildProcess[] = [];

/** Registers a child process for killAll(). */
export function track(child: ChildProcess): ChildProcess {
  children.push(child);
  return child;
}

/** Resolves when `cond` holds, polling every 25 ms; fails after `timeoutMs`. */
export async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Kills (SIGKILL) every sandbox these helpers started that is still running. */
export function killAll(): void {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

/** Spawns the built CLI with `args` (a server: sandbox start, listen) and waits (bounded) for its first stdout line. */
export function startCliProcess(args: string[], timeoutMs = 15_000, env: Record<string, string | undefined> = cleanEnv()): Promise<Running> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: tempDir(), env: { NO_COLOR: '1', ...env } as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line in ${timeoutMs} ms\nstderr: ${err}`)), timeoutMs);
    const check = (): void => {
      const nl = out.indexOf('\n');
      if (nl === -1) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      resolve({ child, readyLine: out.slice(0, nl), out: () => out, err: () => err, exited });
    };
    child.stdout!.on('data', check);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`tacpay ${args[0]} exited (${code}) before it was ready\nstderr: ${err}`));
    });
  });
}

/** Spawns `tacpay sandbox start ...args` and waits (bounded) for its first stdout line. */
export function startSandboxProcess(args: string[], timeoutMs = 15_000, env: Record<string, string | undefined> = cleanEnv()): Promise<Running> {
  return startCliProcess(['sandbox', 'start', ...args], timeoutMs, env);
}

/** Resolves with the exit, or fails if the process has not exited after `timeoutMs`. */
export function exitWithin(r: Running, timeoutMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return Promise.race([r.exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms\nstderr: ${r.err()}`)), timeoutMs))]);
}

/** The default merchant's credentials, read from the store the sandbox uses. */
export function credentials(dir: string): Credentials {
  const store = openStore(dir, { readonly: true });
  try {
    const m = store.defaultMerchant()!;
    return { offerId: m.offer_id, offerKey: m.offer_key, privateKey: createPrivateKey(m.private_key_pem) };
  } finally {
    store.close();
  }
}

/** One signed order API call (POST, parameters in the query string); rejects when the connection fails. */
export async function call(url: string, c: Credentials, api: string, params: Record<string, string>): Promise<any> {
  const signed = signParams(params, c, 'beijing-naive', new Date());
  const res = await fetch(`${url}/v1/r/${c.offerId}/${api}?${toQuery(signed)}`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
  return JSON.parse(await res.text());
}
