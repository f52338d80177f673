/**
 * The SQLite driver: Node's built-in `node:sqlite` (unflagged since Node 22.13), so installing
 * tacpay builds nothing native and a Node upgrade cannot leave a mismatched addon behind.
 *
 * What this file adds to the driver, and why:
 * - Node 22 prints "ExperimentalWarning: SQLite is an experimental feature" when the module loads.
 *   That line on a user's terminal is noise about tacpay's internals, so that one warning, and only
 *   it, is dropped while the module loads; every other warning still reaches the user.
 * - Errors carry SQLite's extended result code as a number (`errcode`); `sqliteCode()` names the
 *   few the sandbox acts on, so callers read `SQLITE_CONSTRAINT_UNIQUE`, not 2067.
 * - `isTransaction` arrived in Node 22.16; `inTransaction()` answers on 22.13-22.15 too.
 */
import { createRequire } from 'node:module';
import type * as NodeSqlite from 'node:sqlite';

export type Database = NodeSqlite.DatabaseSync;
export type Statement = NodeSqlite.StatementSync;
export type SQLInputValue = NodeSqlite.SQLInputValue;

let driver: typeof NodeSqlite | undefined;

/** node:sqlite, loaded on first use (`tacpay --help` never pays for it), without its experimental warning. */
export function sqlite(): typeof NodeSqlite {
  return (driver ??= withoutSqliteWarning(() => createRequire(import.meta.url)('node:sqlite') as typeof NodeSqlite));
}

/**
 * Runs `load` with Node's "SQLite is an experimental feature" warning dropped; any other warning
 * emitted meanwhile goes through. Node emits that warning synchronously while node:sqlite loads (it
 * is printed a tick later), so filtering just around the load catches it and nothing after.
 */
export function withoutSqliteWarning<T>(load: () => T): T {
  const emitWarning = process.emitWarning;
  process.emitWarning = function filtered(warning: string | Error, ...rest: unknown[]): void {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    const name = typeof warning === 'string' ? type : warning.name;
    const text = typeof warning === 'string' ? warning : warning.message;
    if (name === 'ExperimentalWarning' && text.startsWith('SQLite is an experimental feature')) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    return load();
  } finally {
    process.emitWarning = emitWarning;
  }
}

/** Opens a database file; read-only never creates it. */
export function openDatabase(file: string, opts: { readonly?: boolean } = {}): Database {
  const { DatabaseSync } = sqlite();
  return new DatabaseSync(file, opts.readonly ? { readOnly: true } : {});
}

/** Primary result codes (the low byte of an extended code), by name. */
const PRIMARY: Record<number, string> = {
  1: 'SQLITE_ERROR',
  3: 'SQLITE_PERM',
  5: 'SQLITE_BUSY',
  6: 'SQLITE_LOCKED',
  7: 'SQLITE_NOMEM',
  8: 'SQLITE_READONLY',
  10: 'SQLITE_IOERR',
  11: 'SQLITE_CORRUPT',
  13: 'SQLITE_FULL',
  14: 'SQLITE_CANTOPEN',
  19: 'SQLITE_CONSTRAINT',
  26: 'SQLITE_NOTADB',
};
/** Extended codes the sandbox tells apart. */
const EXTENDED: Record<number, string> = {
  1555: 'SQLITE_CONSTRAINT_PRIMARYKEY',
  2067: 'SQLITE_CONSTRAINT_UNIQUE',
  787: 'SQLITE_CONSTRAINT_FOREIGNKEY',
};

/**
 * The SQLite result code of a driver error by name (`SQLITE_CONSTRAINT_UNIQUE`, `SQLITE_CANTOPEN`,
 * ...), the extended name where one is known, else the primary one; undefined for anything that
 * is not an SQLite error.
 */
export function sqliteCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; errcode?: unknown } | null | undefined;
  if (e?.code !== 'ERR_SQLITE_ERROR' || typeof e.errcode !== 'number') return undefined;
  return EXTENDED[e.errcode] ?? PRIMARY[e.errcode & 0xff] ?? `SQLITE_${e.errcode}`;
}

/**
 * Whether `db` has a transaction open. False once SQLite has rolled one back by itself (some I/O
 * errors do), which is what the group commit must notice. Before Node 22.16 there is no
 * `isTransaction`: BEGIN fails inside a transaction and, outside one, opens an empty one that is
 * rolled back at once, which changes nothing.
 */
export function inTransaction(db: Database): boolean {
  const known = (db as { isTransaction?: boolean }).isTransaction;
  if (typeof known === 'boolean') return known;
  try {
    db.exec('BEGIN');
  } catch {
    return true;
  }
  db.exec('ROLLBACK');
  return false;
}
