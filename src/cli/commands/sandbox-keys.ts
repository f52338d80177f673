/**
 * `tacpay sandbox keys`: the platform public key and one merchant's credentials (offerId, offerKey,
 * private key). This is the one command that prints secrets, on explicit request and after a
 * warning; `--dotenv` writes them as a `.env` a backend can load (mode 0600, never over an
 * existing file without --force). They are sandbox secrets, worthless outside the sandbox, but a
 * habit of printing keys is not one to teach, hence the warning every time.
 *
 * The flag is `--dotenv`, not `--env-file`: Node takes `--env-file <path>` from anywhere on its
 * command line, even after the script (nodejs/node#54232), and exits 9 before tacpay runs when the
 * file does not exist yet, which is exactly when one asks for it to be written.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Ctx } from '../context.js';
import { TacpayError } from '../errors.js';
import { action, examples, type App } from '../kit.js';
import { inert, rows, writeJson } from '../output.js';
import { DEFAULT_PORT } from './sandbox-start.js';
import { dataOption, noSandboxData, openSandboxStore, pemFingerprint, pickMerchant, sandboxDir, shownDir, storeExists, type DataOptions } from './sandbox-data.js';

export const DEFAULT_BASE_URL = `http://127.0.0.1:${DEFAULT_PORT}`;
export const SECRETS_WARNING = 'these are sandbox secrets; never reuse them for production';

export interface KeysOptions extends DataOptions {
  offerId?: string;
  /** `--dotenv`: `true` when given without a path (then `.env`); `-` prints the file instead of writing it. */
  dotenv?: string | boolean;
  force?: boolean;
}

export interface KeysResult {
  dataDir: string;
  /** The running sandbox's URL (from its ready file), else the default one. */
  baseUrl: string;
  running: boolean;
  platform: { publicKeyPem: string; fingerprint: string };
  merchant: {
    offerId: string;
    offerKey: string;
    /** null when the merchant was registered with only a public key. */
    privateKeyPem: string | null;
    publicKeyPem: string;
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
  const { ensureDefaultMerchant, ensurePlatformKeys } = await import('../../sandbox/merchants.js');
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
      platform: { publicKeyPem: platform.publicPem, fingerprint: pemFingerprint(platform.publicPem) },
      merchant: {
        offerId: m.offer_id,
        offerKey: m.offer_key,
        privateKeyPem: m.private_key_pem || null,
        publicKeyPem: m.public_key_pem,
        fingerprint: pemFingerprint(m.public_key_pem),
        notifyUrl: m.notify_url,
        default: m.is_default === 1,
      },
    };
  } finally {
    store.close();
  }
  const { findRunning } = await import('../../sandbox/runtime.js');
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

export function renderKeys(r: KeysResult, ctx: Ctx): string {
  const c = ctx.color;
  if (r.envFile?.content !== undefined) return r.envFile.content;
  if (r.envFile) return `Wrote ${inert(r.envFile.path, { singleLine: true })} (mode ${r.envFile.mode}): ${r.envFile.variables.join(', ')}\n`;
  const m = r.merchant;
  const base = `${r.baseUrl} ${c.dim(r.running ? '(running)' : '(the default; no sandbox is running on this data dir)')}`;
  return (
    `${c.bold('Platform public key')}  ${c.cyan(r.platform.fingerprint)}  ${c.dim('verifies pay_info and notifications')}\n` +
    r.platform.publicKeyPem +
    `\n${c.bold(`Merchant ${m.offerId}`)}${m.default ? c.dim(' (default)') : ''}\n` +
    rows([
      ['offerId', m.offerId],
      ['offerKey', inert(m.offerKey, { singleLine: true })],
      ['fingerprint', m.fingerprint],
      ['notify URL', m.notifyUrl ? inert(m.notifyUrl, { singleLine: true }) : 'none'],
      ['base URL', base],
    ]) +
    (m.privateKeyPem ? `\n${c.bold('Private key')} ${c.dim('(PKCS#8 PEM)')}\n${m.privateKeyPem}` : `\n${c.dim('No private key stored: this merchant was registered with --public-key.')}\n`) +
    `\n${c.bold('Public key')} ${c.dim('(SPKI PEM)')}\n${m.publicKeyPem}` +
    c.dim('\ntacpay sandbox keys --dotenv .env writes these as a .env file for a backend.\n')
  );
}

export function registerSandboxKeys(sandbox: Command, app: App): void {
  const cmd = sandbox
    .command('keys')
    .description("print the platform public key and a merchant's credentials (offerId, offerKey, private key): the one command that shows secrets")
    .option('--offer-id <offerId>', 'which merchant (default: the default merchant, created if the sandbox is new)')
    .option('--dotenv [path]', 'write TACPAY_* variables as a .env file (mode 0600; default path .env); - prints it instead')
    .option('--force', 'let --dotenv replace an existing file')
    .addHelpText('after', '\n--dotenv, not --env-file: Node itself takes --env-file from any command line (nodejs/node#54232).');
  dataOption(cmd).action(
    action<KeysOptions>(app, async (opts, ctx) => {
      ctx.warn(SECRETS_WARNING);
      const result = await runKeys(opts, ctx);
      if (ctx.json) writeJson(ctx.stdout, result);
      else ctx.stdout.write(renderKeys(result, ctx));
    }),
  );
  examples(cmd, [
    'tacpay sandbox keys                               platform key and the default merchant\'s credentials',
    'tacpay sandbox keys --dotenv .env                 TACPAY_OFFER_ID, _OFFER_KEY, _PRIVATE_KEY, _PLATFORM_PUBLIC_KEY, _BASE_URL',
    'tacpay sandbox keys --offer-id TC100008 --dotenv - > backend/.env',
    'tacpay sandbox keys --json | jq -r .merchant.offerKey',
  ]);
}
