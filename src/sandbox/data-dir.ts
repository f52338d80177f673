/**
 * The sandbox's data dir as every caller needs it: whether a store is there, opening it with errors
 * a person can act on (one line naming the file, never a SQLite stack), picking a merchant, the
 * public face of a merchant (never its offerKey or private key), and the platform key plus a
 * merchant in one step for whoever signs notifications (simulate, listen, scenarios, the library).
 */
import { createPublicKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { inert } from '../core/inert.js';
import { fingerprintOf } from '../core/keys.js';
import { TacpayError } from '../errors.js';
import { ensureDefaultMerchant, ensurePlatformKeys } from './merchants.js';
import { sqliteCode } from './sqlite.js';
import { DB_FILE, openStore, type MerchantRow, type Store } from './store.js';

/** A directory as shown to people: control characters made visible. */
export function shownDir(dir: string): string {
  return inert(dir, { singleLine: true });
}

/**
 * How a caller needs the store: `create` opens or creates it (start, keys, merchant add);
 * `existing` writes to one that must exist; `read` reads one that must exist, read-only when SQLite
 * allows it (a reader then never takes the write lock a running sandbox needs).
 */
export type StoreMode = 'create' | 'existing' | 'read';

export function storeExists(dir: string): boolean {
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
export function openSandboxStore(dir: string, mode: StoreMode): Store {
  if (mode !== 'create' && !storeExists(dir)) throw noSandboxData(dir);
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
    throw storeError(err as NodeJS.ErrnoException, dir, join(dir, DB_FILE)) ?? err;
  }
}

/** A person's version of what went wrong opening the store; undefined for anything unforeseen (a bug). */
export function storeError(err: NodeJS.ErrnoException, dir: string, file: string): TacpayError | undefined {
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
  const store = openSandboxStore(dir, mode);
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

/** `SHA256:...` of a PEM public key, as `tacpay keys inspect` prints it. */
export function pemFingerprint(publicPem: string): string {
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

/** The merchant `offerId` names, else the default one; a missing one is a one-line error. */
export function pickMerchant(store: Store, dir: string, offerId: string | undefined): MerchantRow {
  const m = offerId === undefined ? store.defaultMerchant() : store.merchant(offerId);
  if (m) return m;
  if (offerId === undefined) throw new TacpayError(`the sandbox at ${shownDir(dir)} has no merchants yet`, 'run tacpay sandbox start (or tacpay sandbox keys) once to create the default merchant');
  throw new TacpayError(`no merchant ${inert(offerId, { singleLine: true })} in the sandbox at ${shownDir(dir)}`, 'tacpay sandbox merchant list shows the merchants; tacpay sandbox merchant add creates one');
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
export function sandboxKeys(env: { now(): Date; note(message: string): void }, dir: string, offerId: string | undefined): SandboxKeys {
  const existed = storeExists(dir);
  const store = openSandboxStore(dir, 'create');
  try {
    const platform = ensurePlatformKeys(store);
    ensureDefaultMerchant(store, env.now());
    if (!existed) env.note(`created sandbox data at ${shownDir(dir)} (platform key and default merchant; tacpay sandbox keys shows them)`);
    const merchant = pickMerchant(store, dir, offerId);
    return { dir, store, merchant, platformPrivatePem: platform.privatePem, platformPublicPem: platform.publicPem, platformFingerprint: pemFingerprint(platform.publicPem) };
  } catch (err) {
    store.close();
    throw err;
  }
}
