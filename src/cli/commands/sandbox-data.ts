/**
 * What every `tacpay sandbox ...` subcommand shares: where the data dir is (--data, else the
 * sandboxDir option, else the XDG default), opening the store there with errors a person can act on,
 * and the public face of a merchant (never its offerKey or private key).
 *
 * The sandbox modules and node:sqlite are imported inside these functions, never at the top:
 * this file is reachable from cli/main.ts, and `tacpay --help` must not pay for SQLite (nor for
 * node:crypto, which is required on first use).
 */
import type * as NodeCrypto from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { fingerprintOf } from '../../core/keys.js';
import type { MerchantRow, Store } from '../../sandbox/store.js';
import type { Ctx } from '../context.js';
import { TacpayError, UsageError } from '../../errors.js';
import { inert } from '../output.js';

export interface DataOptions {
  data?: string;
}

/**
 * Adds `--sandbox-dir <dir>` to a subcommand (each leaf takes it, so it works in any position): the
 * name order, refund and account use for the same directory. `--data`, its first name, still
 * works, hidden from help; both land in `data`.
 */
export function dataOption(cmd: Command): Command {
  cmd.option('--sandbox-dir <dir>', 'sandbox data dir (default: the sandboxDir option, else $XDG_DATA_HOME/tacpay/sandbox)');
  cmd.addOption(new Option('--data <dir>', 'the old name of --sandbox-dir').hideHelp());
  cmd.on('option:sandbox-dir', (dir: string) => cmd.setOptionValue('data', dir));
  return cmd;
}

/** The data dir: --data, else the sandboxDir option (flag > env > config files), else the XDG default. Absolute. */
export async function sandboxDir(ctx: Ctx, data: string | undefined): Promise<string> {
  if (data === '') throw new UsageError('--sandbox-dir is empty', 'give a directory, e.g. --sandbox-dir ./.tacpay-sandbox');
  const v = ctx.config({ sandboxDir: data }).values.sandboxDir;
  if (v) return resolve(v.baseDir, v.value);
  const { defaultSandboxDir } = await import('../../sandbox/runtime.js');
  return resolve(ctx.cwd, defaultSandboxDir(ctx.env));
}

/** A directory as shown to people: control characters made visible. */
export function shownDir(dir: string): string {
  return inert(dir, { singleLine: true });
}

/**
 * How a command needs the store: `create` opens or creates it (start, keys, merchant add);
 * `existing` writes to one that must exist; `read` reads one that must exist, read-only when SQLite
 * allows it (a reader then never takes the write lock a running sandbox needs).
 */
export type StoreMode = 'create' | 'existing' | 'read';

export async function storeExists(dir: string): Promise<boolean> {
  const { DB_FILE } = await import('../../sandbox/store.js');
  return existsSync(join(dir, DB_FILE));
}

export function noSandboxData(dir: string): TacpayError {
  return new TacpayError(
    `no sandbox data at ${shownDir(dir)}; run tacpay sandbox start first`,
    'or point --sandbox-dir (or the sandboxDir option) at the directory a sandbox uses',
    'no-sandbox-data',
  );
}

/** Opens the store in `dir`; failures become one-line TacpayErrors naming the file. */
export async function openSandboxStore(dir: string, mode: StoreMode): Promise<Store> {
  if (mode !== 'create' && !(await storeExists(dir))) throw noSandboxData(dir);
  const { openStore, DB_FILE } = await import('../../sandbox/store.js');
  const { sqliteCode } = await import('../../sandbox/sqlite.js');
  try {
    if (mode === 'read') {
      try {
        return openStore(dir, { readonly: true });
      } catch {
        // A read-only connection to a WAL database can fail where a normal one works (no -shm file
        // and no right to create it read-only): reading through a normal connection is still safe.
      }
    }
    return openStore(dir);
  } catch (err) {
    throw storeError(err as NodeJS.ErrnoException, dir, join(dir, DB_FILE), sqliteCode) ?? err;
  }
}

/** A person's version of what went wrong opening the store; undefined for anything unforeseen (a bug). */
function storeError(err: NodeJS.ErrnoException, dir: string, file: string, sqliteCode: (err: unknown) => string | undefined): TacpayError | undefined {
  const message = String(err?.message ?? err).split('\n')[0]!;
  if (err?.code === 'ERR_UNKNOWN_BUILTIN_MODULE') {
    // Only when the bundle is run by hand on a Node without node:sqlite: bin/tacpay.js checks first.
    return new TacpayError(`this Node.js (${process.versions.node}) has no built-in SQLite (node:sqlite)`, 'use Node.js 22.13 or newer', 'sqlite-driver');
  }
  if (err?.code === 'EEXIST' || err?.code === 'ENOTDIR') {
    return new TacpayError(`the sandbox data dir ${shownDir(dir)} is not a directory`, 'point --sandbox-dir (or the sandboxDir option) at a directory', 'sandbox-store');
  }
  const code = sqliteCode(err) ?? err?.code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY' || code === 'SQLITE_PERM') {
    return new TacpayError(`cannot open the sandbox store ${shownDir(file)}: ${inert(message, { singleLine: true })}`, 'check the permissions of the data dir, or choose another with --sandbox-dir', 'sandbox-store');
  }
  if (typeof code === 'string' && (code.startsWith('SQLITE_') || code.startsWith('E'))) {
    return new TacpayError(`cannot use the sandbox store ${shownDir(file)}: ${inert(message, { singleLine: true })} (${code})`, 'check the data dir; if the file is damaged, move it away and start a fresh sandbox', 'sandbox-store');
  }
  return undefined;
}

/** Runs `fn` with the store open, and closes it whatever happens. */
export async function withStore<T>(dir: string, mode: StoreMode, fn: (store: Store) => T | Promise<T>): Promise<T> {
  const store = await openSandboxStore(dir, mode);
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

/** `SHA256:...` of a PEM public key, as `tacpay keys inspect` prints it. */
export function pemFingerprint(publicPem: string): string {
  // Required here rather than imported: node:crypto costs ~10 ms of start-up that --help must not pay.
  const { createPublicKey } = createRequire(import.meta.url)('node:crypto') as typeof NodeCrypto;
  return fingerprintOf(createPublicKey(publicPem));
}

/** What may be shown of a merchant anywhere: no offerKey, no private key. */
export interface MerchantSummary {
  offerId: string;
  default: boolean;
  notifyUrl: string | null;
  fingerprint: string;
  created: string;
  /** Whether the sandbox holds the private key (false when registered with --public-key). */
  privateKeyStored: boolean;
}

export function summarizeMerchant(m: MerchantRow): MerchantSummary {
  return {
    offerId: m.offer_id,
    default: m.is_default === 1,
    notifyUrl: m.notify_url,
    fingerprint: pemFingerprint(m.public_key_pem),
    created: m.created_at,
    privateKeyStored: m.private_key_pem !== '',
  };
}

/** The merchant `--offer-id` names, else the default one; a missing one is a one-line error. */
export function pickMerchant(store: Store, dir: string, offerId: string | undefined): MerchantRow {
  const m = offerId === undefined ? store.defaultMerchant() : store.merchant(offerId);
  if (m) return m;
  if (offerId === undefined) throw new TacpayError(`the sandbox at ${shownDir(dir)} has no merchants yet`, 'run tacpay sandbox start (or tacpay sandbox keys) once to create the default merchant');
  throw new TacpayError(`no merchant ${inert(offerId, { singleLine: true })} in the sandbox at ${shownDir(dir)}`, 'tacpay sandbox merchant list shows the merchants; tacpay sandbox merchant add creates one');
}

/** Left-aligned columns with a header row; colour is applied after padding so widths stay right. */
export function table(headers: readonly string[], body: ReadonlyArray<readonly string[]>, style: (header: string) => string = (h) => h): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[], head = false): string =>
    cells
      .map((c, i) => {
        const padded = i === cells.length - 1 ? c : c.padEnd(widths[i]!);
        return head ? style(padded) : padded;
      })
      .join('  ')
      .trimEnd() + '\n';
  return line(headers, true) + body.map((r) => line(r)).join('');
}
