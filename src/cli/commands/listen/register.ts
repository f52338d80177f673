/**
 * What `tacpay listen --register` replaced, so that it puts back exactly that, and only while the
 * notify URL is still its own.
 *
 * The record lives in the sandbox store, as one row of its meta table (`listen_registrations`, a JSON
 * list of {offerId, pid, url, previous, at}), not in a file beside it: it is changed in the same
 * SQLite transaction as the merchant's notify URL, so the two can never disagree (a file written
 * after the store could be lost to a kill -9 between the two), concurrent listens are serialized by
 * the store's write lock, and no schema or store method had to change. It holds no secrets.
 *
 * Registrations stack: each one's `previous` is what it replaced, often the URL of an earlier listen
 * that still runs. Taking one out of the stack (its listen stopped, or it is stale) hands its
 * `previous` to the registration that replaced it, or puts it back on the merchant if it was the
 * current URL, so nobody ever restores the URL of a listener that is gone. A registration is stale
 * when its pid is not running, or its URL is on loopback and does not answer as that pid
 * (GET /_tacpay/listen): a pid reused by another process, or a stopped port.
 */
import { isLoopbackHost } from '../../../client/encode.js';
import { pidAlive } from '../../../sandbox/runtime.js';
import type { Store } from '../../../sandbox/store.js';

export const REGISTRATIONS_KEY = 'listen_registrations';
const MAX_REGISTRATIONS = 100;

export interface Registration {
  offerId: string;
  pid: number;
  url: string;
  previous: string | null;
  at: string;
}

export interface StaleRegistration extends Registration {
  reason: 'not running' | 'not answering';
  /** Whether it was the merchant's notify URL at the time. */
  current: boolean;
  /** Whether it was taken out of the record (only a listen that writes, --register, repairs). */
  repaired: boolean;
}

export interface Release {
  offerId: string;
  /** True when the notify URL was still ours and went back to `notifyUrl`. */
  restored: boolean;
  /** The notify URL now. */
  notifyUrl: string | null;
}

function isRegistration(v: unknown): v is Registration {
  const r = v as Partial<Registration> | null;
  return (
    !!r &&
    typeof r.offerId === 'string' &&
    typeof r.pid === 'number' &&
    Number.isSafeInteger(r.pid) &&
    r.pid > 0 &&
    typeof r.url === 'string' &&
    (r.previous === null || typeof r.previous === 'string') &&
    typeof r.at === 'string'
  );
}

/** The registrations in force; a damaged record reads as none (it only ever loses restores, never sends anything anywhere). */
export function readRegistrations(store: Store): Registration[] {
  const text = store.getMeta(REGISTRATIONS_KEY);
  if (!text) return [];
  try {
    const v = JSON.parse(text) as unknown;
    // A real record holds one entry per listen running at once; a hand-made huge one must not turn into thousands of probes.
    return Array.isArray(v) ? v.filter(isRegistration).slice(-MAX_REGISTRATIONS) : [];
  } catch {
    return [];
  }
}

function writeRegistrations(store: Store, regs: readonly Registration[]): void {
  store.setMeta(REGISTRATIONS_KEY, JSON.stringify(regs));
}


const same = (a: Registration, b: Registration): boolean => a.pid === b.pid && a.url === b.url && a.offerId === b.offerId && a.at === b.at;

/** Whether `r`'s URL answers as its pid. Only loopback is asked: the record is a hint, never a reason to send requests elsewhere. */
async function answers(r: Registration, timeoutMs: number): Promise<boolean | undefined> {
  let url: URL;
  try {
    url = new URL(r.url);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' || !isLoopbackHost(url.hostname)) return undefined;
  const { IDENTITY_PATH, IDENTITY_SERVICE } = await import('../../../sandbox/notify-receiver.js');
  try {
    const res = await fetch(`${url.origin}${IDENTITY_PATH}`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.json()) as { service?: unknown; pid?: unknown };
    return body.service === IDENTITY_SERVICE && body.pid === r.pid;
  } catch {
    return false;
  }
}

type Judged = Registration & { reason: StaleRegistration['reason'] };

/** The registrations (other than this process's) whose pid is not running: all an exit handler, which cannot wait, can judge. */
export function findStaleNow(regs: readonly Registration[]): Judged[] {
  return regs.filter((r) => r.pid !== process.pid && !pidAlive(r.pid)).map((r) => ({ ...r, reason: 'not running' as const }));
}

/** Which of `regs` (other than this process's) are stale; with `probe`, loopback URLs of live pids are asked too. */
export async function findStale(regs: readonly Registration[], opts: { probe: boolean; timeoutMs?: number }): Promise<Judged[]> {
  const judged = await Promise.all(
    regs.map(async (r) => {
      if (r.pid === process.pid) return undefined;
      if (!pidAlive(r.pid)) return { ...r, reason: 'not running' as const };
      if (opts.probe && (await answers(r, opts.timeoutMs ?? 1000)) === false) return { ...r, reason: 'not answering' as const };
      return undefined;
    }),
  );
  return judged.filter((r) => r !== undefined);
}

/** Takes `gone` out of `regs` (in place): its successor inherits its previous, and a notify URL still pointing at it goes back. */
function takeOut(store: Store, regs: Registration[], gone: Registration): { current: boolean; notifyUrl: string | null } {
  const i = regs.findIndex((r) => same(r, gone));
  if (i !== -1) regs.splice(i, 1);
  for (const r of regs) if (r.offerId === gone.offerId && r.previous === gone.url) r.previous = gone.previous;
  const now = store.merchant(gone.offerId)?.notify_url ?? null;
  if (now !== gone.url) return { current: false, notifyUrl: now };
  store.setNotifyUrl(gone.offerId, gone.previous);
  return { current: true, notifyUrl: gone.previous };
}

/** Repairs the record (in one transaction): every stale registration is taken out. */
function repair(store: Store, regs: Registration[], stale: readonly Judged[]): StaleRegistration[] {
  const out: StaleRegistration[] = [];
  for (const s of stale) {
    if (!regs.some((r) => same(r, s))) continue; // another listen repaired it meanwhile
    const { current } = takeOut(store, regs, s);
    out.push({ ...s, current, repaired: true });
  }
  return out;
}

/** Stale registrations as they stand, for a listen that does not write (no --register). */
export function describeStale(store: Store, stale: readonly Judged[]): StaleRegistration[] {
  return stale.map((s) => ({ ...s, current: store.merchant(s.offerId)?.notify_url === s.url, repaired: false }));
}

/**
 * Points `offerId`'s notify URL at `url` and records what it replaced, after taking out `stale`
 * (judged before, outside the transaction: probing is asynchronous). Returns the registration and
 * the stale ones repaired.
 */
export function claim(store: Store, offerId: string, url: string, stale: readonly Judged[], at: Date): { mine: Registration; repaired: StaleRegistration[] } {
  return store.tx(() => {
    const regs = readRegistrations(store);
    const repaired = repair(store, regs, stale);
    const mine: Registration = { offerId, pid: process.pid, url, previous: store.merchant(offerId)?.notify_url ?? null, at: at.toISOString() };
    regs.push(mine);
    store.setNotifyUrl(offerId, url);
    writeRegistrations(store, regs);
    return { mine, repaired };
  });
}

/**
 * Takes `mine` out (one transaction, synchronous: it also runs from an exit handler): the notify URL
 * goes back to what it replaced only if it is still `mine.url`. Stale registrations are repaired
 * first, so what goes back is never the URL of a listener that is gone.
 */
export function release(store: Store, mine: Registration, stale: readonly Judged[]): Release {
  return store.tx(() => {
    const regs = readRegistrations(store);
    // Not in the record (a damaged or hand-edited meta row): what it replaced is still known here.
    const entry = regs.find((r) => same(r, mine)) ?? { ...mine };
    if (!regs.includes(entry)) regs.push(entry);
    repair(store, regs, stale);
    const { current, notifyUrl } = takeOut(store, regs, entry);
    writeRegistrations(store, regs);
    return { offerId: mine.offerId, restored: current, notifyUrl };
  });
}
