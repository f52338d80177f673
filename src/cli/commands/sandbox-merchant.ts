/**
 * `tacpay sandbox merchant add|list|set-notify`: the sandbox's merchants. They work whether or not a
 * sandbox is running (the store is SQLite in WAL mode with a busy timeout; the server reads a
 * merchant per request, so changes apply at once). Nothing here prints an offerKey or a private key:
 * `tacpay sandbox keys` is the one place that does, on request.
 */
import type { Command } from 'commander';
import { publicPem } from '../../core/keys.js';
import { checkParam } from '../../core/rules.js';
import type { Ctx } from '../context.js';
import { TacpayError, UsageError } from '../errors.js';
import { loadKeyWithNotes } from '../input.js';
import { action, examples, type App } from '../kit.js';
import { inert, rows, writeJson } from '../output.js';
import { parseBits } from './keys-generate.js';
import { dataOption, sandboxDir, shownDir, summarizeMerchant, table, withStore, type DataOptions, type MerchantSummary } from './sandbox-data.js';

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

/** An offerId as the order API knows them (TC + digits), judged by the same rule the rest of tacpay uses. */
export function checkOfferId(value: string): string {
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
  const { addMerchant, ensureDefaultMerchant, ensurePlatformKeys } = await import('../../sandbox/merchants.js');
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
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new TacpayError(`merchant ${offerId} already exists in the sandbox at ${shownDir(dir)}`, 'choose another --offer-id');
      throw err;
    }
  });
  return { dataDir: dir, merchant: summarizeMerchant(row) };
}

export async function runMerchantList(opts: DataOptions, ctx: Ctx): Promise<ListResult> {
  const dir = await sandboxDir(ctx, opts.data);
  const merchants = await withStore(dir, 'read', (store) => store.merchants().map(summarizeMerchant));
  return { dataDir: dir, merchants };
}

export async function runSetNotify(offerId: string, url: string, opts: DataOptions, ctx: Ctx): Promise<SetNotifyResult> {
  const notifyUrl = url === 'none' ? null : checkNotifyUrl(url, 'the notify URL');
  const dir = await sandboxDir(ctx, opts.data);
  const found = await withStore(dir, 'existing', (store) => store.setNotifyUrl(offerId, notifyUrl));
  if (!found) throw new TacpayError(`no merchant ${inert(offerId, { singleLine: true })} in the sandbox at ${shownDir(dir)}`, 'tacpay sandbox merchant list shows the merchants');
  return { dataDir: dir, offerId, notifyUrl };
}

function renderList(r: ListResult, ctx: Ctx): string {
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

function renderAdded(r: AddResult, ctx: Ctx): string {
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

export function registerSandboxMerchant(sandbox: Command, app: App): void {
  const merchant = sandbox.command('merchant').description('add and list sandbox merchants (offerId, offerKey, RSA key pair), set their notify URL');

  const add = merchant
    .command('add')
    .description('register a merchant: generated offerId, offerKey and key pair unless given')
    .option('--offer-id <offerId>', 'offerId to use (TC + digits); default: a fresh TC + 6 digits')
    .option('--offer-key <key>', 'offerKey to use; default: 32 random letters and digits')
    .option('--public-key <file>', 'register this public key instead of generating a pair (the sandbox then cannot sign for the merchant)')
    .option('--notify-url <url>', 'where the sandbox POSTs payment notifications (http or https)')
    .option('--bits <n>', 'size of a generated key', '2048');
  dataOption(add).action(
    action<AddOptions>(app, async (opts, ctx) => {
      const result = await runMerchantAdd(opts, ctx);
      if (ctx.json) writeJson(ctx.stdout, result);
      else ctx.stdout.write(renderAdded(result, ctx));
    }),
  );
  examples(add, [
    'tacpay sandbox merchant add                                  fresh offerId, offerKey and RSA-2048 pair',
    'tacpay sandbox merchant add --offer-id TC100008 --notify-url http://127.0.0.1:3000/notify',
    'tacpay sandbox merchant add --public-key merchant.pub.pem    your own key pair (keep the private half yourself)',
  ]);

  const list = merchant.command('list').description('list the merchants: offerId, default, notify URL, key fingerprint, created (never a secret)');
  dataOption(list).action(
    action<DataOptions>(app, async (opts, ctx) => {
      const result = await runMerchantList(opts, ctx);
      if (ctx.json) writeJson(ctx.stdout, result);
      else ctx.stdout.write(renderList(result, ctx));
    }),
  );
  examples(list, ['tacpay sandbox merchant list', 'tacpay sandbox merchant list --json --data ./.sandbox']);

  const setNotify = merchant
    .command('set-notify')
    .description('set (or with "none", clear) the URL a merchant receives payment notifications at')
    .argument('<offerId>', 'the merchant (tacpay sandbox merchant list)')
    .argument('<url>', 'http(s) URL, or none');
  dataOption(setNotify).action(
    action<DataOptions>(app, async (opts, ctx, args) => {
      const result = await runSetNotify(args[0]!, args[1]!, opts, ctx);
      if (ctx.json) writeJson(ctx.stdout, result);
      else ctx.stdout.write(result.notifyUrl ? `notify URL of ${result.offerId} set to ${inert(result.notifyUrl, { singleLine: true })}\n` : `notify URL of ${result.offerId} cleared\n`);
    }),
  );
  examples(setNotify, ['tacpay sandbox merchant set-notify TC100008 http://127.0.0.1:3000/tacpay/notify', 'tacpay sandbox merchant set-notify TC100008 none']);
}
