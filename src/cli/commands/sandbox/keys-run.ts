/** The work of `tacpay sandbox keys`: gather a merchant's credentials, and write them as a .env (mode 0600) on request. */
import { randomBytes } from 'node:crypto';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Ctx } from '../../context.js';
import { TacpayError } from '../../../errors.js';
import { rows } from '../../output.js';
import { inert } from '../../../core/inert.js';
import { sandboxDir, type DataOptions } from '../../flags.js';
import { noSandboxData, openSandboxStore, pemFingerprint, pickMerchant, shownDir, storeExists } from '../../../sandbox/index.js';
import { DEFAULT_PORT } from '../../listen-address.js';

export const SECRETS_WARNING = 'these are sandbox secrets; never reuse them for production';

export interface KeysOptions extends DataOptions {
  offerId?: string;
  /** `--dotenv`: `true` when given without a path (then `.env`); `-` prints the file instead of writing it. */
  dotenv?: string | boolean;
  force?: boolean;
  format?: string;
}

export const DEFAULT_BASE_URL = `http://127.0.0.1:${DEFAULT_PORT}`;

export interface KeysResult {
  dataDir: string;
  /** The running sandbox's URL (from its ready file), else the default one. */
  baseUrl: string;
  running: boolean;
  platform: { publicKeyPem: string; publicKeyBase64: string; fingerprint: string };
  merchant: {
    offerId: string;
    offerKey: string;
    /** null when the merchant was registered with only a public key. */
    privateKeyPem: string | null;
    /** The same key as bare Base64 PKCS#8 DER: the form the documents print and the demos' key loaders take. */
    privateKeyBase64: string | null;
    publicKeyPem: string;
    /** Bare Base64 SPKI DER. */
    publicKeyBase64: string;
    fingerprint: string;
    notifyUrl: string | null;
    default: boolean;
  };
  envFile?: { path: string; mode?: string; variables: string[]; content?: string };
}

/** A .env value: bare when plainly safe, PEM in double quotes with \n escapes (dotenv and Node's --env-file expand them), else single-quoted. */
function envValue(value: string): string {
  if (/^[A-Za-z0-9_.:/@+=,-]*$/.test(value)) return value;
  if (value.includes('\n') && !/["\\]/.test(value)) return `"${value.replace(/\r?\n/g, '\\n')}"`;
  if (!value.includes("'") && !value.includes('\n')) return `'${value}'`;
  return JSON.stringify(value);
}

/** The .env text for a backend: TACPAY_OFFER_ID, _OFFER_KEY, _PRIVATE_KEY, _PLATFORM_PUBLIC_KEY, _BASE_URL. */
export function envFileText(r: KeysResult): { text: string; variables: string[] } {
  const vars: Array<[string, string]> = [
    ['TACPAY_OFFER_ID', r.merchant.offerId],
    ['TACPAY_OFFER_KEY', r.merchant.offerKey],
    ...(r.merchant.privateKeyPem ? ([['TACPAY_PRIVATE_KEY', r.merchant.privateKeyPem]] as Array<[string, string]>) : []),
    ['TACPAY_PLATFORM_PUBLIC_KEY', r.platform.publicKeyPem],
    ['TACPAY_BASE_URL', r.baseUrl],
  ];
  const head = [
    `# tacpay sandbox credentials for merchant ${r.merchant.offerId} (data ${inert(r.dataDir, { singleLine: true })})`,
    `# ${SECRETS_WARNING}. Keep this file out of version control.`,
    ...(r.merchant.privateKeyPem ? [] : ['# TACPAY_PRIVATE_KEY: not stored in the sandbox (registered with --public-key); use the private key that matches it']),
  ];
  return { text: [...head, ...vars.map(([k, v]) => `${k}=${envValue(v)}`)].join('\n') + '\n', variables: vars.map(([k]) => k) };
}

/** Writes `text` to `path` with mode 0600: refuses to replace a file unless `force` (then a temp file is renamed over it, so the mode is 0600 even if the old file's was not). */
async function writeSecretFile(path: string, text: string, force: boolean): Promise<string> {
  const tmp = force ? join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`) : path;
  let fh;
  try {
    // 'wx' never follows a planted symlink nor truncates an existing file; the mode applies at creation.
    fh = await open(tmp, 'wx', 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new TacpayError(`${inert(path, { singleLine: true })} already exists; nothing was written`, 'pass --force to replace it, or give another path: --dotenv sandbox.env');
    if (code === 'ENOENT') throw new TacpayError(`directory ${inert(dirname(path), { singleLine: true })} does not exist`, 'create it first, or give another path');
    throw new TacpayError(`cannot write ${inert(path, { singleLine: true })} (${code ?? (err as Error).message})`, 'check the directory permissions, or give another path');
  }
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  if (force) {
    try {
      await rename(tmp, path);
    } catch (err) {
      await unlink(tmp).catch(() => {});
      throw new TacpayError(`cannot replace ${inert(path, { singleLine: true })} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'give the path of a file, not a directory');
    }
  }
  return ((await stat(path)).mode & 0o777).toString(8).padStart(4, '0');
}

/** Gathers the credentials (creating the store and default merchant when needed) and writes the .env if asked. */
export async function runKeys(opts: KeysOptions, ctx: Ctx): Promise<KeysResult> {
  const dir = await sandboxDir(ctx, opts.data);
  const existed = await storeExists(dir);
  // With --offer-id the merchant must exist already: do not create a store just to report it missing.
  if (opts.offerId !== undefined && !existed) throw noSandboxData(dir);
  const { ensureDefaultMerchant, ensurePlatformKeys } = await import('../../../sandbox/merchants.js');
  const store = await openSandboxStore(dir, 'create');
  let result: KeysResult;
  try {
    const platform = ensurePlatformKeys(store);
    const m = opts.offerId === undefined ? ensureDefaultMerchant(store, ctx.now()) : pickMerchant(store, dir, opts.offerId);
    if (!existed) ctx.note(`created a sandbox store in ${shownDir(dir)} with default merchant ${m.offer_id}`);
    result = {
      dataDir: dir,
      baseUrl: DEFAULT_BASE_URL,
      running: false,
      platform: { publicKeyPem: platform.publicPem, publicKeyBase64: bareBase64(platform.publicPem), fingerprint: pemFingerprint(platform.publicPem) },
      merchant: {
        offerId: m.offer_id,
        offerKey: m.offer_key,
        privateKeyPem: m.private_key_pem || null,
        privateKeyBase64: m.private_key_pem ? bareBase64(m.private_key_pem) : null,
        publicKeyPem: m.public_key_pem,
        publicKeyBase64: bareBase64(m.public_key_pem),
        fingerprint: pemFingerprint(m.public_key_pem),
        notifyUrl: m.notify_url,
        default: m.is_default === 1,
      },
    };
  } finally {
    store.close();
  }
  const { findRunning } = await import('../../../sandbox/runtime.js');
  const running = await findRunning(dir);
  if (running) Object.assign(result, { baseUrl: running.url, running: true });

  if (opts.dotenv !== undefined && opts.dotenv !== false) {
    const { text, variables } = envFileText(result);
    if (opts.dotenv === '-') {
      result.envFile = { path: '-', variables, content: text };
    } else {
      const path = resolve(ctx.cwd, opts.dotenv === true ? '.env' : opts.dotenv);
      const mode = await writeSecretFile(path, text, Boolean(opts.force));
      result.envFile = { path, mode, variables };
    }
  }
  return result;
}

/** A PEM's body as one line of Base64: the DER, which is what the Java and PHP demos' loaders decode. */
function bareBase64(pem: string): string {
  return pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
}

export function renderKeys(r: KeysResult, ctx: Ctx, format: 'pem' | 'base64' = 'pem'): string {
  const c = ctx.color;
  if (r.envFile?.content !== undefined) return r.envFile.content;
  if (r.envFile) return `Wrote ${inert(r.envFile.path, { singleLine: true })} (mode ${r.envFile.mode}): ${r.envFile.variables.join(', ')}\n`;
  const m = r.merchant;
  const base = `${r.baseUrl} ${c.dim(r.running ? '(running)' : '(the default; no sandbox is running on this data dir)')}`;
  return (
    `${c.bold('Platform public key')}  ${c.cyan(r.platform.fingerprint)}  ${c.dim('verifies pay_info and notifications')}\n` +
    (format === 'base64' ? `${r.platform.publicKeyBase64}\n` : r.platform.publicKeyPem) +
    `\n${c.bold(`Merchant ${m.offerId}`)}${m.default ? c.dim(' (default)') : ''}\n` +
    rows([
      ['offerId', m.offerId],
      ['offerKey', inert(m.offerKey, { singleLine: true })],
      ['fingerprint', m.fingerprint],
      ['notify URL', m.notifyUrl ? inert(m.notifyUrl, { singleLine: true }) : 'none'],
      ['base URL', base],
    ]) +
    (m.privateKeyPem
      ? format === 'base64'
        ? `\n${c.bold('Private key')} ${c.dim('(Base64 PKCS#8, as the documents print it)')}\n${m.privateKeyBase64}\n`
        : `\n${c.bold('Private key')} ${c.dim('(PKCS#8 PEM; --format base64 for the bare form the demos load)')}\n${m.privateKeyPem}`
      : `\n${c.dim('No private key stored: this merchant was registered with --public-key.')}\n`) +
    (format === 'base64' ? `\n${c.bold('Public key')} ${c.dim('(Base64 SPKI)')}\n${m.publicKeyBase64}\n` : `\n${c.bold('Public key')} ${c.dim('(SPKI PEM)')}\n${m.publicKeyPem}`) +
    c.dim('\ntacpay sandbox keys --dotenv .env writes these as a .env file for a backend.\n')
  );
}
