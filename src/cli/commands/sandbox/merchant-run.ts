/** The work of `tacpay sandbox merchant add|list|set-notify`: validate the flags, change or read the store. */
import { ACCOUNT_ID } from '../../../core/account-api.js';
import { publicPem } from '../../../core/keys.js';
import { checkParam } from '../../../core/rules.js';
import type { Ctx } from '../../context.js';
import { TacpayError, UsageError } from '../../../errors.js';
import { loadKeyWithNotes } from '../../key-input.js';
import { rows } from '../../output.js';
import { inert } from '../../../core/inert.js';
import { parseBits } from '../keys/generate-options.js';
import { sandboxDir, type DataOptions } from '../../flags.js';
import { table } from '../../output.js';
import { shownDir, summarizeMerchant, withStore, type MerchantSummary } from '../../../sandbox/index.js';

export interface AddOptions extends DataOptions {
  offerId?: string;
  offerKey?: string;
  publicKey?: string;
  notifyUrl?: string;
  bits: string;
}

export interface AddResult {
  dataDir: string;
  merchant: MerchantSummary;
}

export interface ListResult {
  dataDir: string;
  merchants: MerchantSummary[];
}

export interface SetNotifyResult {
  dataDir: string;
  offerId: string;
  notifyUrl: string | null;
}

/**
 * An offerId as the order API knows them (TC + digits), judged by the same rule the rest of tacpay
 * uses, or a hosted-account id (TC100008_005): registered as such, it has keys of its own instead
 * of its merchant's.
 */
export function checkOfferId(value: string): string {
  if (ACCOUNT_ID.test(value)) return value;
  const bad = checkParam('offerId', value).find((i) => i.severity === 'error');
  if (bad) throw new UsageError(`--offer-id: ${inert(bad.message, { singleLine: true })}`, bad.hint);
  return value;
}

/** An offerKey the canonical string can carry: printable ASCII, no spaces (the documented ones are 32 letters and digits). */
export function checkOfferKey(value: string): string {
  if (!/^[\x21-\x7e]{1,128}$/.test(value)) {
    throw new UsageError('--offer-key must be 1–128 printable ASCII characters without spaces', 'leave it out and one is generated (32 letters and digits, like the documented example)');
  }
  return value;
}

/** A notify URL must be http(s): the sandbox POSTs payment notifications to it. */
export function checkNotifyUrl(value: string, flag = '--notify-url'): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UsageError(`${flag} must be an http:// or https:// URL, not "${inert(value, { singleLine: true })}"`, 'e.g. http://127.0.0.1:3000/tacpay/notify');
  }
  return value;
}

/** Registers a merchant; generates its key pair unless --public-key gives one. */
export async function runMerchantAdd(opts: AddOptions, ctx: Ctx): Promise<AddResult> {
  const offerId = opts.offerId === undefined ? undefined : checkOfferId(opts.offerId);
  const offerKey = opts.offerKey === undefined ? undefined : checkOfferKey(opts.offerKey);
  const notifyUrl = opts.notifyUrl === undefined ? undefined : checkNotifyUrl(opts.notifyUrl);
  const bits = parseBits(opts.bits);
  let publicKeyPem: string | undefined;
  if (opts.publicKey !== undefined) {
    const { key } = await loadKeyWithNotes(ctx, opts.publicKey, 'any', 'public key');
    // Only the public half is registered: the sandbox must not quietly keep a private key it was not asked to.
    if (key.kind === 'private') ctx.warn('--public-key holds a private key; only its public half is registered (the sandbox will not sign for this merchant)');
    publicKeyPem = publicPem(key);
  } else if (bits < 2048) {
    ctx.warn(`${bits}-bit RSA is weak; fine for a sandbox, never for production`);
  }
  const dir = await sandboxDir(ctx, opts.data);
  const { addMerchant, ensureDefaultMerchant, ensurePlatformKeys } = await import('../../../sandbox/merchants.js');
  const { sqliteCode } = await import('../../../sandbox/sqlite.js');
  const row = await withStore(dir, 'create', (store) => {
    if (offerId !== undefined && store.merchant(offerId)) {
      throw new TacpayError(`merchant ${offerId} already exists in the sandbox at ${shownDir(dir)}`, 'choose another --offer-id, or leave it out for a fresh one');
    }
    // A fresh store gets its platform key and default merchant first, so "default" keeps meaning
    // the one made on first start rather than whichever merchant happened to be added first.
    ensurePlatformKeys(store);
    ensureDefaultMerchant(store, ctx.now());
    try {
      return addMerchant(store, { ...(offerId ? { offerId } : {}), ...(offerKey ? { offerKey } : {}), ...(publicKeyPem ? { publicKeyPem } : {}), ...(notifyUrl ? { notifyUrl } : {}), bits }, ctx.now());
    } catch (err) {
      // Another process added the same offerId between the check and the insert.
      if (sqliteCode(err) === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new TacpayError(`merchant ${offerId} already exists in the sandbox at ${shownDir(dir)}`, 'choose another --offer-id');
      throw err;
    }
  });
  return { dataDir: dir, merchant: summarizeMerchant(row) };
}

/** The merchants of the sandbox store, as they may be shown (no offerKey, no private key). */
export async function runMerchantList(opts: DataOptions, ctx: Ctx): Promise<ListResult> {
  const dir = await sandboxDir(ctx, opts.data);
  const merchants = await withStore(dir, 'read', (store) => store.merchants().map(summarizeMerchant));
  return { dataDir: dir, merchants };
}

/** Sets or (with `none`) clears a merchant's notify URL. */
export async function runSetNotify(offerId: string, url: string, opts: DataOptions, ctx: Ctx): Promise<SetNotifyResult> {
  const notifyUrl = url === 'none' ? null : checkNotifyUrl(url, 'the notify URL');
  const dir = await sandboxDir(ctx, opts.data);
  const found = await withStore(dir, 'existing', (store) => store.setNotifyUrl(offerId, notifyUrl));
  if (!found) throw new TacpayError(`no merchant ${inert(offerId, { singleLine: true })} in the sandbox at ${shownDir(dir)}`, 'tacpay sandbox merchant list shows the merchants');
  return { dataDir: dir, offerId, notifyUrl };
}

/** Human form of the merchant list: one row per merchant, never a secret. */
export function renderList(r: ListResult, ctx: Ctx): string {
  const c = ctx.color;
  if (!r.merchants.length) return c.dim(`no merchants in ${shownDir(r.dataDir)} yet (tacpay sandbox start creates the default one)\n`);
  const body = r.merchants.map((m) => [
    m.offerId,
    m.default ? 'yes' : '',
    m.notifyUrl ? inert(m.notifyUrl, { singleLine: true }) : '-',
    m.fingerprint + (m.privateKeyStored ? '' : ' (public key only)'),
    m.created,
  ]);
  return table(['OFFER ID', 'DEFAULT', 'NOTIFY URL', 'KEY FINGERPRINT', 'CREATED'], body, (h) => c.bold(h)) + c.dim(`data ${shownDir(r.dataDir)}\n`);
}

/** Human form of an added merchant, with where to find its credentials. */
export function renderAdded(r: AddResult, ctx: Ctx): string {
  const c = ctx.color;
  const m = r.merchant;
  return (
    `Added sandbox merchant ${c.bold(m.offerId)}\n` +
    rows([
      ['key fingerprint', m.fingerprint + (m.privateKeyStored ? '' : ' (public key only: sign with your own private key)')],
      ['notify URL', m.notifyUrl ? inert(m.notifyUrl, { singleLine: true }) : 'none'],
      ['data', shownDir(r.dataDir)],
    ]) +
    c.dim(`Its offerKey and private key: tacpay sandbox keys --offer-id ${m.offerId}\n`)
  );
}
