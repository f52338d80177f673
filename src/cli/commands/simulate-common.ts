/**
 * What the simulate commands and `listen` share: option parsing (retry scale, timeout, port, URL,
 * k=v pairs), and getting the sandbox's platform key and a merchant out of the data dir. The
 * sandbox modules load inside these functions: this file is reachable from cli/main.ts.
 */
import type { Ctx } from '../context.js';
import { UsageError } from '../../errors.js';
import { inert } from '../output.js';
import type { MerchantRow, Store } from '../../sandbox/store.js';
import { openSandboxStore, pemFingerprint, pickMerchant, shownDir, storeExists } from './sandbox-data.js';

/** `--retry-scale`: above 0, at most 1. */
export async function retryScaleOption(text: string | undefined): Promise<number> {
  if (text === undefined) return 1;
  const { parseRetryScale } = await import('../../core/notification.js');
  const s = parseRetryScale(text);
  if (s === undefined) throw new UsageError(`--retry-scale must be a number above 0 and at most 1, not "${inert(text, { singleLine: true })}"`, '--retry-scale 0.001 turns the 15 s first retry into 15 ms');
  return s;
}

/** `--timeout <ms>` per attempt. */
export function timeoutOption(text: string, flag = '--timeout'): number {
  if (!/^\d{1,7}$/.test(text) || Number(text) < 1) throw new UsageError(`${flag} must be a whole number of milliseconds from 1, not "${inert(text, { singleLine: true })}"`, `e.g. ${flag} 5000`);
  return Number(text);
}

/** An http(s) URL to send notifications to. */
export function targetUrl(text: string, flag = '--to'): string {
  let u: URL | undefined;
  try {
    u = new URL(text);
  } catch {
    u = undefined;
  }
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) {
    throw new UsageError(`${flag} must be an http:// or https:// URL, not "${inert(text, { singleLine: true })}"`, 'e.g. --to http://127.0.0.1:3000/tacpay/notify');
  }
  return u.href;
}

/** Repeated `k=v` flags as ordered pairs (a value may hold `=`). */
export function pairsOption(values: readonly string[] | undefined, flag: string): Array<[string, string]> {
  return (values ?? []).map((p) => {
    const eq = p.indexOf('=');
    if (eq < 1) throw new UsageError(`${flag} takes key=value, not "${inert(p, { singleLine: true })}"`, `e.g. ${flag} order=42`);
    return [p.slice(0, eq), p.slice(eq + 1)];
  });
}

/** commander collector for repeatable options. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export interface SandboxKeys {
  dir: string;
  store: Store;
  merchant: MerchantRow;
  platformPrivatePem: string;
  platformPublicPem: string;
  platformFingerprint: string;
}

/**
 * Opens the sandbox store (creating the platform key and default merchant on first use, with a
 * note) and picks the merchant. The caller closes `store`.
 */
export async function sandboxKeys(ctx: Ctx, dir: string, offerId: string | undefined): Promise<SandboxKeys> {
  const existed = await storeExists(dir);
  const store = await openSandboxStore(dir, 'create');
  try {
    const { ensureDefaultMerchant, ensurePlatformKeys } = await import('../../sandbox/merchants.js');
    const platform = ensurePlatformKeys(store);
    ensureDefaultMerchant(store, ctx.now());
    if (!existed) ctx.note(`created sandbox data at ${shownDir(dir)} (platform key and default merchant; tacpay sandbox keys shows them)`);
    const merchant = pickMerchant(store, dir, offerId);
    return { dir, store, merchant, platformPrivatePem: platform.privatePem, platformPublicPem: platform.publicPem, platformFingerprint: pemFingerprint(platform.publicPem) };
  } catch (err) {
    store.close();
    throw err;
  }
}
