/**
 * Where a sandbox lives and how others find it: the data dir, and a ready file written once the
 * server listens (`sandbox.ready.json`: url, pid, started). Commands that talk to "the sandbox"
 * reuse a running one found this way, or start one in-process on 127.0.0.1:0.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isLoopbackHost } from '../client/encode.js';

export const READY_FILE = 'sandbox.ready.json';

export interface ReadyInfo {
  url: string;
  pid: number;
  started: string;
  offerId: string;
  /** The sandbox that served the dir before this one and was still running when this one started. */
  previous?: ReadyInfo | undefined;
}

/** The default data dir: $XDG_DATA_HOME/tacpay/sandbox, else ~/.local/share/tacpay/sandbox. */
export function defaultSandboxDir(env: Readonly<Record<string, string | undefined>>): string {
  const base = env.XDG_DATA_HOME || join(env.HOME || '.', '.local', 'share');
  return join(base, 'tacpay', 'sandbox');
}

/** Writes the ready file atomically (temp + rename), so a reader never sees half of it. */
export function writeReady(dir: string, info: ReadyInfo): void {
  // A live sandbox already serving the dir is remembered, so that stopping this one hands the ready
  // file back to it instead of deleting it while it still serves.
  const before = readReady(dir);
  const previous = before && before.pid !== info.pid && pidAlive(before.pid) ? { ...before, previous: undefined } : undefined;
  writeAtomically(dir, { ...info, ...(previous ? { previous } : {}) });
}

function writeAtomically(dir: string, info: ReadyInfo): void {
  const tmp = join(dir, `${READY_FILE}.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, join(dir, READY_FILE));
}

/**
 * Removes the ready file if it is still ours (another sandbox may have taken over the dir); when a
 * sandbox that was serving before us still runs, the file points at it again.
 */
export function clearReady(dir: string, pid: number): void {
  const info = readReady(dir);
  if (!info || info.pid !== pid) return;
  const prev = info.previous;
  if (prev && typeof prev.url === 'string' && typeof prev.pid === 'number' && pidAlive(prev.pid)) writeAtomically(dir, { url: prev.url, pid: prev.pid, started: prev.started, offerId: prev.offerId });
  else rmSync(join(dir, READY_FILE), { force: true });
}

export function readReady(dir: string): ReadyInfo | undefined {
  try {
    const v = JSON.parse(readFileSync(join(dir, READY_FILE), 'utf8')) as Partial<ReadyInfo>;
    return typeof v.url === 'string' && typeof v.pid === 'number' ? (v as ReadyInfo) : undefined;
  } catch {
    return undefined;
  }
}

/** The host of a URL from the ready file, or '' when it is not a URL (a hand-edited or damaged file). */
function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The URL of a live sandbox serving `dir`, if any: the ready file's process is alive and its health
 * route answers within `timeoutMs`. A stale file (a killed sandbox) is ignored, not trusted.
 */
export async function findRunning(dir: string, timeoutMs = 1000): Promise<ReadyInfo | undefined> {
  const info = readReady(dir);
  // Only a loopback URL is trusted: the file is a hint, not a reason to send requests elsewhere.
  if (!info || !pidAlive(info.pid) || !isLoopbackHost(hostOf(info.url))) return undefined;
  try {
    const res = await fetch(`${info.url}/_sandbox/health`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.json()) as { service?: string };
    return body.service === 'tacpay-sandbox' ? info : undefined;
  } catch {
    return undefined;
  }
}
