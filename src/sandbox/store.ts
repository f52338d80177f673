/**
 * The sandbox's durable store: merchants, the platform key, orders, refunds and the request log, in
 * SQLite through Node's built-in node:sqlite (sqlite.ts). WAL mode so a `sandbox log --follow` or a CLI reading merchant
 * credentials never blocks the server; synchronous=NORMAL, which in WAL mode loses nothing a
 * committed transaction wrote when the process is killed (only an OS crash can cost the last
 * commits); a busy timeout so two processes sharing a data dir wait instead of failing.
 * Every multi-step change runs in one IMMEDIATE transaction, so concurrent creates of one
 * out_trade_no (even from two processes) yield one order: UNIQUE(offer_id, out_trade_no) backs it.
 */
import { chmodSync, closeSync, existsSync, openSync, statSync } from 'node:fs';
import { MakeDirError, makeDirs } from './make-dirs.js';
import { dirname, join } from 'node:path';
import { ACCOUNT_ID } from '../core/account-api.js';
import { TacpayError } from '../errors.js';
import { inTransaction, openDatabase, sqliteCode, type Database, type SQLInputValue, type Statement } from './sqlite.js';

export interface MerchantRow {
  offer_id: string;
  offer_key: string;
  private_key_pem: string;
  public_key_pem: string;
  notify_url: string | null;
  is_default: number;
  created_at: string;
}

export interface OrderRow {
  id: number;
  offer_id: string;
  out_trade_no: string;
  transaction_id: string;
  user_id: string;
  product_id: string;
  product_name: string;
  product_detail: string;
  currency_type: string;
  amount: number;
  channel: string;
  metadata: string | null;
  sub_appid: string | null;
  sub_out_trade_no_list: string | null;
  /** All request parameters but sign, as JSON: the idempotency check compares these. */
  params_json: string;
  pay_info: string;
  order_state: number;
  closed: number;
  refunded_amount: number;
  order_time: string;
  pay_time: string | null;
  callback_time: string | null;
  refund_time: string | null;
}

export interface RefundRow {
  id: number;
  offer_id: string;
  refund_id: string;
  order_id: number;
  amount: number;
  state: number;
  sub_out_trade_no: string | null;
  params_json: string;
  created_at: string;
}

/** A hosted account (spec §3.6): one user's balance in one account id. Amounts in fen. */
export interface AccountRow {
  account_id: string;
  user_id: string;
  balance: number;
  /** The gifted part of the balance (present). */
  gen_balance: number;
  /** Everything topped up so far (save, unified_order type=save). */
  save_amt: number;
}

/** One pay / present / save on a hosted account, by its billno (the idempotency key). */
export interface BillRow {
  account_id: string;
  billno: string;
  user_id: string;
  kind: 'pay' | 'present' | 'save';
  amt: number;
  /** Of a pay: how much of it came out of the gifted part. */
  used_gen_amt: number;
  cancelled: number;
  at: string;
}

/** A payment notification the sandbox owes a merchant (one per paid order), and where it stands. */
export interface DeliveryRow {
  id: number;
  order_id: number;
  offer_id: string;
  out_trade_no: string;
  /** The notification fields but ts and sign, as JSON: every attempt is signed afresh with its own ts. */
  fields_json: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  /** When the next attempt is due (ISO, wall clock); null once delivered or given up. */
  next_at: string | null;
  retry_scale: number;
  /** Set while an attempt is in flight, so two sandboxes sharing a data dir never send it twice at once. */
  lease_until: string | null;
  created_at: string;
  updated_at: string;
}

/** One delivery attempt: what was sent where, what came back, and the order state it left. */
export interface DeliveryAttemptRow {
  id: number;
  delivery_id: number;
  attempt: number;
  at: string;
  url: string;
  /** The body as sent (holds no secret: the offerKey is only inside the signature). */
  body: string;
  http_status: number | null;
  reply: string | null;
  delivered: number;
  reason: string | null;
  latency_ms: number;
  order_state: number;
  /** When the next attempt is due, if one is. */
  next_at: string | null;
}

export interface RequestLogRow {
  id: number;
  at: string;
  method: string;
  path: string;
  api: string | null;
  offer_id: string | null;
  wire: string | null;
  params_json: string | null;
  ts_reading: string | null;
  ret: number | null;
  msg: string | null;
  status: number;
  latency_ms: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS merchants (
  offer_id TEXT PRIMARY KEY,
  offer_key TEXT NOT NULL,
  private_key_pem TEXT NOT NULL,
  public_key_pem TEXT NOT NULL,
  notify_url TEXT,
  is_default INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS orders (
  id INTEGER PRIMARY KEY,
  offer_id TEXT NOT NULL,
  out_trade_no TEXT NOT NULL,
  transaction_id TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL,
  product_id TEXT NOT NULL,
  product_name TEXT NOT NULL,
  product_detail TEXT NOT NULL,
  currency_type TEXT NOT NULL,
  amount INTEGER NOT NULL,
  channel TEXT NOT NULL,
  metadata TEXT,
  sub_appid TEXT,
  sub_out_trade_no_list TEXT,
  params_json TEXT NOT NULL,
  pay_info TEXT NOT NULL,
  order_state INTEGER NOT NULL DEFAULT 0,
  closed INTEGER NOT NULL DEFAULT 0,
  refunded_amount INTEGER NOT NULL DEFAULT 0,
  order_time TEXT NOT NULL,
  pay_time TEXT,
  callback_time TEXT,
  refund_time TEXT,
  UNIQUE (offer_id, out_trade_no)
);
CREATE INDEX IF NOT EXISTS orders_by_user ON orders (offer_id, user_id, order_time);
CREATE TABLE IF NOT EXISTS refunds (
  id INTEGER PRIMARY KEY,
  offer_id TEXT NOT NULL,
  refund_id TEXT NOT NULL,
  order_id INTEGER NOT NULL REFERENCES orders (id),
  amount INTEGER NOT NULL,
  state INTEGER NOT NULL,
  sub_out_trade_no TEXT,
  params_json TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (offer_id, refund_id)
);
CREATE INDEX IF NOT EXISTS orders_paid ON orders (id) WHERE order_state = 2;
CREATE TABLE IF NOT EXISTS deliveries (
  id INTEGER PRIMARY KEY,
  order_id INTEGER NOT NULL UNIQUE REFERENCES orders (id),
  offer_id TEXT NOT NULL,
  out_trade_no TEXT NOT NULL,
  fields_json TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at TEXT,
  retry_scale REAL NOT NULL,
  lease_until TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (next_at) WHERE status = 'pending';
CREATE TABLE IF NOT EXISTS delivery_attempts (
  id INTEGER PRIMARY KEY,
  delivery_id INTEGER NOT NULL REFERENCES deliveries (id),
  attempt INTEGER NOT NULL,
  at TEXT NOT NULL,
  url TEXT NOT NULL,
  body TEXT NOT NULL,
  http_status INTEGER,
  reply TEXT,
  delivered INTEGER NOT NULL,
  reason TEXT,
  latency_ms REAL NOT NULL,
  order_state INTEGER NOT NULL,
  next_at TEXT
);
CREATE TABLE IF NOT EXISTS accounts (
  account_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  balance INTEGER NOT NULL DEFAULT 0,
  gen_balance INTEGER NOT NULL DEFAULT 0,
  save_amt INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, user_id)
);
CREATE TABLE IF NOT EXISTS account_bills (
  account_id TEXT NOT NULL,
  billno TEXT NOT NULL,
  user_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  amt INTEGER NOT NULL,
  used_gen_amt INTEGER NOT NULL DEFAULT 0,
  cancelled INTEGER NOT NULL DEFAULT 0,
  at TEXT NOT NULL,
  PRIMARY KEY (account_id, billno)
);
CREATE TABLE IF NOT EXISTS requests (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  api TEXT,
  offer_id TEXT,
  wire TEXT,
  params_json TEXT,
  ts_reading TEXT,
  ret INTEGER,
  msg TEXT,
  status INTEGER NOT NULL,
  latency_ms REAL NOT NULL
);
`;

export const DB_FILE = 'sandbox.db';

const insertSql = (table: string, columns: readonly string[], verb = 'INSERT'): string =>
  `${verb} INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
/** A row's values in `columns` order, for a positional INSERT (a missing value fails the bind, as it should). */
const valuesOf = <R extends object>(row: R, columns: ReadonlyArray<keyof R>): SQLInputValue[] => columns.map((c) => row[c] as SQLInputValue);
/** Every column of orders but id, in the order ORDER_INSERT binds them. */
const ORDER_COLUMNS = [
  'offer_id', 'out_trade_no', 'transaction_id', 'user_id', 'product_id', 'product_name', 'product_detail', 'currency_type', 'amount', 'channel', 'metadata',
  'sub_appid', 'sub_out_trade_no_list', 'params_json', 'pay_info', 'order_state', 'closed', 'refunded_amount', 'order_time', 'pay_time', 'callback_time', 'refund_time',
] as const satisfies ReadonlyArray<keyof Omit<OrderRow, 'id'>>;
// Compile-time check that ORDER_COLUMNS names every column: a new one left out would not be stored.
const allOrderColumns: [Exclude<keyof Omit<OrderRow, 'id'>, (typeof ORDER_COLUMNS)[number]>] extends [never] ? true : never = true;
void allOrderColumns;
const ORDER_INSERT = insertSql('orders', ORDER_COLUMNS);
/** Every column of requests but id, in the order LOG_INSERT binds them. */
const LOG_COLUMNS = ['at', 'method', 'path', 'api', 'offer_id', 'wire', 'params_json', 'ts_reading', 'ret', 'msg', 'status', 'latency_ms'] as const satisfies ReadonlyArray<keyof Omit<RequestLogRow, 'id'>>;
const allLogColumns: [Exclude<keyof Omit<RequestLogRow, 'id'>, (typeof LOG_COLUMNS)[number]>] extends [never] ? true : never = true;
void allLogColumns;
const LOG_INSERT = insertSql('requests', LOG_COLUMNS);

const MERCHANT_COLUMNS = ['offer_id', 'offer_key', 'private_key_pem', 'public_key_pem', 'notify_url', 'is_default', 'created_at'] as const satisfies ReadonlyArray<keyof MerchantRow>;
const REFUND_COLUMNS = ['offer_id', 'refund_id', 'order_id', 'amount', 'state', 'sub_out_trade_no', 'params_json', 'created_at'] as const satisfies ReadonlyArray<keyof Omit<RefundRow, 'id'>>;
const DELIVERY_COLUMNS = [
  'order_id', 'offer_id', 'out_trade_no', 'fields_json', 'status', 'attempts', 'next_at', 'retry_scale', 'lease_until', 'created_at', 'updated_at',
] as const satisfies ReadonlyArray<keyof Omit<DeliveryRow, 'id'>>;
const ATTEMPT_COLUMNS = [
  'delivery_id', 'attempt', 'at', 'url', 'body', 'http_status', 'reply', 'delivered', 'reason', 'latency_ms', 'order_state', 'next_at',
] as const satisfies ReadonlyArray<keyof Omit<DeliveryAttemptRow, 'id'>>;
const MERCHANT_INSERT = insertSql('merchants', MERCHANT_COLUMNS);
const REFUND_INSERT = insertSql('refunds', REFUND_COLUMNS);
const DELIVERY_INSERT = insertSql('deliveries', DELIVERY_COLUMNS, 'INSERT OR IGNORE');
const ATTEMPT_INSERT = insertSql('delivery_attempts', ATTEMPT_COLUMNS);

/** Opens (creating if needed) the store in `dir`. The SQLite driver is loaded here, not at start-up. */
export function openStore(dir: string, opts: { readonly?: boolean } = {}): Store {
  const file = join(dir, DB_FILE);
  let db: Database | undefined;
  try {
    if (!opts.readonly) {
      // A reader must not create an empty data dir as a side effect of looking for one.
      makeDirs(dir, 0o700);
      // The store holds offerKeys and private keys: 0600 from its first byte. SQLite gives the
      // -wal and -shm files the mode of the database file.
      closeSync(openSync(file, 'a', 0o600));
      for (const f of [file, `${file}-wal`, `${file}-shm`]) tighten(f);
    }
    db = openDatabase(file, opts);
    db.exec('PRAGMA busy_timeout = 5000');
    if (!opts.readonly) {
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = NORMAL');
      db.exec('PRAGMA foreign_keys = ON');
      db.exec(SCHEMA);
    }
    // A damaged file is often only found at the first read: find it here, where it can be named.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (err) {
    db?.close();
    throw storeError(file, err, Boolean(opts.readonly));
  }
  return new Store(db);
}

/** Makes a store file 0600 when it is looser (made by an older version, or by another umask). */
function tighten(file: string): void {
  try {
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  } catch {
    /* absent (the WAL before first use) or not ours: SQLite will say so if it matters */
  }
}

/** A store that cannot be opened, as the user can act on it: one line naming the file, and what to do. */
function storeError(file: string, err: unknown, readonly: boolean): Error {
  if (err instanceof MakeDirError) return new TacpayError(`the sandbox data dir ${dirname(file)} cannot be created: ${err.message}`, 'give a data dir you can write with --sandbox-dir, or set XDG_DATA_HOME (or HOME) to a writable directory');
  const code = sqliteCode(err) ?? (err as NodeJS.ErrnoException)?.code;
  if (readonly && code && /CANTOPEN/.test(code) && !existsSync(file)) return new TacpayError(`no sandbox store at ${file}`, 'start one with tacpay sandbox start, or give the right --sandbox-dir');
  const reason = (err as Error)?.message ?? String(err);
  if (code && /NOTADB|CORRUPT/.test(code)) return new TacpayError(`the sandbox store ${file} is damaged (${code})`, `move it away (mv "${file}" "${file}.broken") and run the command again: a new store is made, without the old merchants and orders`);
  if (code && /READONLY|PERM|CANTOPEN|EACCES|EPERM|EROFS/.test(code)) return new TacpayError(`the sandbox store ${file} cannot be opened for writing (${code}: ${reason})`, `check the permissions of the file and of ${dirname(file)} (ls -l), or give another data dir with --sandbox-dir`);
  if (code && /FULL|ENOSPC/.test(code)) return new TacpayError(`the disk holding the sandbox store ${file} is full (${code})`, 'free some space, or give another data dir with --sandbox-dir');
  if (code && /BUSY|LOCKED/.test(code)) return new TacpayError(`the sandbox store ${file} is locked by another process (${code})`, 'wait for it, or stop the other sandbox (tacpay sandbox stop)');
  if (code === 'ENOENT' || code === 'ENOTDIR') return new TacpayError(`no sandbox store at ${file} (${code})`, 'start one with tacpay sandbox start, or give the right --sandbox-dir');
  return err instanceof Error ? err : new Error(reason);
}

export class Store {
  private readonly stmts = new Map<string, Statement>();
  /** How many transactions (the outermost) and savepoints (inside it) are open on this connection. */
  private depth = 0;
  /** Merchants by offerId, valid while PRAGMA data_version stands still (see merchant()). */
  private readonly merchantCache = new Map<string, MerchantRow>();
  private merchantCacheVersion = -1;

  constructor(readonly db: Database) {}

  /** Cached prepared statement: preparing per request would dominate the sandbox's hot path. */
  private q(sql: string): Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  /** Every row of a cached statement, as the caller's row type (SQLite hands back plain column objects). */
  private all<T>(sql: string, ...args: SQLInputValue[]): T[] {
    return this.q(sql).all(...args) as unknown as T[];
  }

  /**
   * Runs `fn` in one IMMEDIATE transaction (takes the write lock up front, so no upgrade deadlock);
   * inside another transaction, in a savepoint of it. Commits, or rolls back and rethrows.
   */
  tx<T>(fn: () => T): T {
    return this.depth > 0 ? this.savepoint(fn) : this.outermost('BEGIN IMMEDIATE', fn);
  }

  /** Runs `fn` in one read transaction: what it reads is one snapshot, and it takes no write lock. */
  read<T>(fn: () => T): T {
    return this.depth > 0 ? fn() : this.outermost('BEGIN DEFERRED', fn);
  }

  private outermost<T>(begin: string, fn: () => T): T {
    this.db.exec(begin);
    this.depth = 1;
    try {
      const result = fn();
      // A promise would let the transaction commit before its work is done (better-sqlite3 refused them too).
      if (typeof (result as { then?: unknown } | undefined)?.then === 'function') throw new TypeError('a transaction body must not be async');
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      // A failed COMMIT (a deferred foreign key, a full disk) leaves the transaction open; SQLite may
      // also have rolled it back by itself already.
      if (inTransaction(this.db)) this.db.exec('ROLLBACK');
      throw err;
    } finally {
      this.depth = 0;
    }
  }

  /** For group-commit.ts: one IMMEDIATE transaction. */
  transaction(body: () => void): void {
    this.tx(body);
  }

  /** A savepoint inside the current transaction: released, or rolled back alone and rethrown. */
  savepoint<T>(body: () => T): T {
    const name = `sp${this.depth}`;
    this.db.exec(`SAVEPOINT ${name}`);
    this.depth++;
    try {
      const result = body();
      this.db.exec(`RELEASE ${name}`);
      return result;
    } catch (err) {
      // Only while the transaction stands: one SQLite rolled back by itself took the savepoint with it.
      if (inTransaction(this.db)) this.db.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
      throw err;
    } finally {
      this.depth--;
    }
  }

  /** For group-commit.ts: false once SQLite has rolled the transaction back by itself. */
  inTransaction(): boolean {
    return inTransaction(this.db);
  }

  getMeta(key: string): string | undefined {
    return (this.q('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.q('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /**
   * A merchant by offerId, from a cache (every request asks, and the row with its PEMs costs ~30 µs
   * to read). Merchants may change from another process (`tacpay sandbox merchant add` while a
   * sandbox runs): PRAGMA data_version moves whenever another connection commits, and this
   * connection's own merchant writes clear the cache. Misses are not cached (any offerId may come).
   */
  merchant(offerId: string): MerchantRow | undefined {
    const version = (this.q('PRAGMA data_version').get() as { data_version: number }).data_version;
    if (version !== this.merchantCacheVersion) {
      this.merchantCache.clear();
      this.merchantCacheVersion = version;
    }
    let row = this.merchantCache.get(offerId);
    if (!row) {
      row = this.q('SELECT * FROM merchants WHERE offer_id = ?').get(offerId) as MerchantRow | undefined;
      // A hosted-account id (TC100008_005) is served with its merchant's keys and notify URL.
      const account = row ? undefined : ACCOUNT_ID.exec(offerId);
      if (account) row = this.q('SELECT * FROM merchants WHERE offer_id = ?').get(account[1]!) as MerchantRow | undefined;
      if (row) this.merchantCache.set(offerId, row);
    }
    return row;
  }

  defaultMerchant(): MerchantRow | undefined {
    return this.q('SELECT * FROM merchants ORDER BY is_default DESC, created_at ASC LIMIT 1').get() as MerchantRow | undefined;
  }

  merchants(): MerchantRow[] {
    return this.all<MerchantRow>('SELECT * FROM merchants ORDER BY is_default DESC, created_at ASC');
  }

  addMerchant(m: MerchantRow): void {
    this.merchantCache.clear();
    this.q(MERCHANT_INSERT).run(...valuesOf(m, MERCHANT_COLUMNS));
  }

  setNotifyUrl(offerId: string, url: string | null): boolean {
    this.merchantCache.clear();
    return this.q('UPDATE merchants SET notify_url = ? WHERE offer_id = ?').run(url, offerId).changes === 1;
  }

  orderByOutTradeNo(offerId: string, outTradeNo: string): OrderRow | undefined {
    return this.q('SELECT * FROM orders WHERE offer_id = ? AND out_trade_no = ?').get(offerId, outTradeNo) as OrderRow | undefined;
  }

  orderByTransactionId(offerId: string, transactionId: string): OrderRow | undefined {
    return this.q('SELECT * FROM orders WHERE offer_id = ? AND transaction_id = ?').get(offerId, transactionId) as OrderRow | undefined;
  }

  /** The account of a user (zeros when nothing was ever saved, presented or paid). */
  account(accountId: string, userId: string): AccountRow {
    return (this.q('SELECT * FROM accounts WHERE account_id = ? AND user_id = ?').get(accountId, userId) as AccountRow | undefined) ?? { account_id: accountId, user_id: userId, balance: 0, gen_balance: 0, save_amt: 0 };
  }

  putAccount(a: AccountRow): void {
    this.q('INSERT INTO accounts (account_id, user_id, balance, gen_balance, save_amt) VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id, user_id) DO UPDATE SET balance = excluded.balance, gen_balance = excluded.gen_balance, save_amt = excluded.save_amt').run(a.account_id, a.user_id, a.balance, a.gen_balance, a.save_amt);
  }

  bill(accountId: string, billno: string): BillRow | undefined {
    return this.q('SELECT * FROM account_bills WHERE account_id = ? AND billno = ?').get(accountId, billno) as BillRow | undefined;
  }

  insertBill(b: BillRow): void {
    this.q('INSERT INTO account_bills (account_id, billno, user_id, kind, amt, used_gen_amt, cancelled, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(b.account_id, b.billno, b.user_id, b.kind, b.amt, b.used_gen_amt, b.cancelled, b.at);
  }

  cancelBill(accountId: string, billno: string): void {
    this.q('UPDATE account_bills SET cancelled = 1 WHERE account_id = ? AND billno = ?').run(accountId, billno);
  }

  orderById(id: number): OrderRow | undefined {
    return this.q('SELECT * FROM orders WHERE id = ?').get(id) as OrderRow | undefined;
  }

  ordersByUser(offerId: string, userId: string, from: string, to: string, limit: number, offset: number): { rows: OrderRow[]; total: number } {
    const rows = this.all<OrderRow>('SELECT * FROM orders WHERE offer_id = ? AND user_id = ? AND order_time >= ? AND order_time <= ? ORDER BY order_time, id LIMIT ? OFFSET ?', offerId, userId, from, to, limit, offset);
    const total = (this.q('SELECT COUNT(*) AS n FROM orders WHERE offer_id = ? AND user_id = ? AND order_time >= ? AND order_time <= ?').get(offerId, userId, from, to) as { n: number }).n;
    return { rows, total };
  }

  /** The newest orders first, for the dashboard: by state, by a part of out_trade_no or transaction_id, by user. */
  recentOrders(filter: { state?: number; text?: string; userId?: string }, limit: number): { rows: OrderRow[]; total: number } {
    const conds: Array<[string, Array<string | number>]> = [];
    if (filter.state !== undefined) conds.push(['order_state = ?', [filter.state]]);
    // instr, not LIKE: a % or _ typed into the filter is a character, not a wildcard.
    if (filter.text) conds.push(['(instr(out_trade_no, ?) > 0 OR instr(transaction_id, ?) > 0)', [filter.text, filter.text]]);
    if (filter.userId) conds.push(['user_id = ?', [filter.userId]]);
    const where = conds.length ? ` WHERE ${conds.map(([c]) => c).join(' AND ')}` : '';
    const args = conds.flatMap(([, a]) => a);
    const rows = this.all<OrderRow>(`SELECT * FROM orders${where} ORDER BY id DESC LIMIT ?`, ...args, limit);
    const total = (this.q(`SELECT COUNT(*) AS n FROM orders${where}`).get(...args) as { n: number }).n;
    return { rows, total };
  }

  refundsOf(orderId: number): RefundRow[] {
    return this.all<RefundRow>('SELECT * FROM refunds WHERE order_id = ? ORDER BY id', orderId);
  }

  /** Changes whenever an order, a request, a refund or a delivery attempt is added or an order changes state: what an open dashboard polls. */
  changeStamp(): string {
    const r = this.q("SELECT (SELECT COALESCE(MAX(id), 0) FROM orders) || '.' || (SELECT COALESCE(SUM(order_state * 7 + closed + refunded_amount), 0) FROM orders) || '.' || (SELECT COALESCE(MAX(id), 0) FROM requests) || '.' || (SELECT COALESCE(MAX(id), 0) FROM delivery_attempts) || '.' || (SELECT COALESCE(MAX(id), 0) FROM refunds) AS s").get() as { s: string };
    return r.s;
  }

  /** Makes a delivery due now again (a redelivery asked for from the dashboard), with its attempts kept. */
  redeliverNow(deliveryId: number, nowIso: string): void {
    this.q("UPDATE deliveries SET status = 'pending', next_at = ?, lease_until = NULL WHERE id = ?").run(nowIso, deliveryId);
  }

  insertOrder(o: Omit<OrderRow, 'id'>): OrderRow {
    // Positional parameters: binding by name looks each of the 22 names up on the object (~10 us a row).
    const info = this.q(ORDER_INSERT).run(...valuesOf(o, ORDER_COLUMNS));
    return { ...o, id: Number(info.lastInsertRowid) };
  }

  updateOrder(id: number, fields: Partial<Pick<OrderRow, 'order_state' | 'closed' | 'refunded_amount' | 'pay_time' | 'callback_time' | 'refund_time'>>): void {
    const keys = Object.keys(fields) as Array<keyof typeof fields>;
    if (!keys.length) return;
    this.q(`UPDATE orders SET ${keys.map((k) => `${k} = ?`).join(', ')} WHERE id = ?`).run(...valuesOf(fields, keys), id);
  }

  /**
   * `tacpay sandbox reset`: forgets every order, refund, notification, hosted account and logged
   * request, keeping the merchants and the platform key a backend is configured with. Children first
   * (foreign keys); one transaction, so a reset is all or nothing.
   */
  clearActivity(): Record<string, number> {
    const tables = ['delivery_attempts', 'deliveries', 'refunds', 'account_bills', 'accounts', 'orders', 'requests'] as const;
    const removed: Record<string, number> = {};
    this.transaction(() => {
      for (const t of tables) removed[t] = Number(this.q(`DELETE FROM ${t}`).run().changes);
    });
    return removed;
  }

  countOrders(): number {
    return (this.q('SELECT COUNT(*) AS n FROM orders').get() as { n: number }).n;
  }

  refund(offerId: string, refundId: string): RefundRow | undefined {
    return this.q('SELECT * FROM refunds WHERE offer_id = ? AND refund_id = ?').get(offerId, refundId) as RefundRow | undefined;
  }

  insertRefund(r: Omit<RefundRow, 'id'>): RefundRow {
    const info = this.q(REFUND_INSERT).run(...valuesOf(r, REFUND_COLUMNS));
    return { ...r, id: Number(info.lastInsertRowid) };
  }

  /** Inserts an order unless (offer_id, out_trade_no) exists: one autocommit statement, no explicit transaction. */
  insertOrderIfNew(o: Omit<OrderRow, 'id'>): OrderRow | undefined {
    try {
      return this.insertOrder(o);
    } catch (err) {
      if (sqliteCode(err) === 'SQLITE_CONSTRAINT_UNIQUE') return undefined;
      throw err;
    }
  }

  /** Appends one request-log row (the server writes them with its group commit). */
  logRequest(r: Omit<RequestLogRow, 'id'>): number {
    return Number(this.q(LOG_INSERT).run(...valuesOf(r, LOG_COLUMNS)).lastInsertRowid);
  }

  /** Requests after `afterId`, oldest first (for `sandbox log --follow`). */
  requestsAfter(afterId: number, limit: number): RequestLogRow[] {
    return this.all<RequestLogRow>('SELECT * FROM requests WHERE id > ? ORDER BY id LIMIT ?', afterId, limit);
  }

  /** The id of the newest logged request, 0 when none (where `sandbox log --follow` starts). */
  lastRequestId(): number {
    return (this.q('SELECT COALESCE(MAX(id), 0) AS n FROM requests').get() as { n: number }).n;
  }

  /** The newest `limit` requests with id <= `upTo` matching api and ret (when given), oldest first. */
  requestsWhere(filter: { api?: string; ret?: number; upTo?: number }, limit: number): RequestLogRow[] {
    // At most eight shapes of this query exist, so each is prepared once and cached like the rest.
    const conds: Array<[string, string | number | undefined]> = [['api = ?', filter.api], ['ret = ?', filter.ret], ['id <= ?', filter.upTo]];
    const used = conds.filter(([, v]) => v !== undefined);
    const where = used.map(([c]) => c);
    const args = used.map(([, v]) => v!);
    const sql = `SELECT * FROM requests${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return (this.all<RequestLogRow>(sql, ...args, limit)).reverse();
  }

  /** The newest `limit` requests, oldest first. */
  lastRequests(limit: number): RequestLogRow[] {
    return (this.all<RequestLogRow>('SELECT * FROM requests ORDER BY id DESC LIMIT ?', limit)).reverse();
  }

  /** Creates the delivery of a paid order unless it exists (UNIQUE order_id: two sandboxes may both notice the payment). */
  insertDeliveryIfNew(d: Omit<DeliveryRow, 'id'>): DeliveryRow | undefined {
    const info = this.q(DELIVERY_INSERT).run(...valuesOf(d, DELIVERY_COLUMNS));
    return info.changes === 1 ? { ...d, id: Number(info.lastInsertRowid) } : undefined;
  }

  deliveryByOrder(orderId: number): DeliveryRow | undefined {
    return this.q('SELECT * FROM deliveries WHERE order_id = ?').get(orderId) as DeliveryRow | undefined;
  }

  deliveryById(id: number): DeliveryRow | undefined {
    return this.q('SELECT * FROM deliveries WHERE id = ?').get(id) as DeliveryRow | undefined;
  }

  /** Paid orders (state 2) of merchants with a notify URL that have no delivery yet: paid by any path, from any process. */
  paidOrdersWithoutDelivery(limit: number): OrderRow[] {
    return this.all<OrderRow>(`SELECT o.* FROM orders o JOIN merchants m ON m.offer_id = o.offer_id
       WHERE o.order_state = 2 AND m.notify_url IS NOT NULL AND m.notify_url != ''
         AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.order_id = o.id)
       ORDER BY o.id LIMIT ?`, limit);
  }

  /** Takes up to `limit` due, unleased pending deliveries and leases them until `leaseUntil`, in one transaction. */
  claimDueDeliveries(nowIso: string, leaseUntil: string, limit: number): DeliveryRow[] {
    return this.tx(() => {
      const rows = this.all<DeliveryRow>("SELECT * FROM deliveries WHERE status = 'pending' AND next_at <= ? AND (lease_until IS NULL OR lease_until < ?) ORDER BY next_at LIMIT ?", nowIso, nowIso, limit);
      const lease = this.q('UPDATE deliveries SET lease_until = ? WHERE id = ?');
      for (const r of rows) lease.run(leaseUntil, r.id);
      return rows.map((r) => ({ ...r, lease_until: leaseUntil }));
    });
  }

  /** Leases one delivery if it is pending, due and unleased; the claimed row, else undefined. */
  claimDelivery(id: number, nowIso: string, leaseUntil: string): DeliveryRow | undefined {
    const changed = this.q(
      "UPDATE deliveries SET lease_until = ? WHERE id = ? AND status = 'pending' AND next_at <= ? AND (lease_until IS NULL OR lease_until < ?)",
    ).run(leaseUntil, id, nowIso, nowIso).changes;
    return changed === 1 ? this.deliveryById(id) : undefined;
  }

  /** The earliest next_at of a pending delivery that no attempt in flight holds, if any. */
  nextDeliveryDue(nowIso: string): string | undefined {
    return (this.q("SELECT MIN(next_at) AS t FROM deliveries WHERE status = 'pending' AND (lease_until IS NULL OR lease_until < ?)").get(nowIso) as { t: string | null }).t ?? undefined;
  }

  /** Gives a lease back without recording an attempt (an attempt cut short by shutdown). */
  releaseDelivery(id: number): void {
    this.q('UPDATE deliveries SET lease_until = NULL WHERE id = ?').run(id);
  }

  /** Records an attempt and the delivery's new state in one transaction; sets the order's state and callback_time as given. */
  recordAttempt(
    a: Omit<DeliveryAttemptRow, 'id'>,
    d: Pick<DeliveryRow, 'status' | 'next_at' | 'updated_at'>,
    order: { id: number; order_state: number; callback_time?: string },
  ): DeliveryAttemptRow {
    return this.tx(() => {
      const id = Number(this.q(ATTEMPT_INSERT).run(...valuesOf(a, ATTEMPT_COLUMNS)).lastInsertRowid);
      this.q('UPDATE deliveries SET status = ?, attempts = ?, next_at = ?, lease_until = NULL, updated_at = ? WHERE id = ?').run(d.status, a.attempt, d.next_at, d.updated_at, a.delivery_id);
      // Only a paid order's state moves (2 delivering, 3 delivery failed, 4 delivered): a closed order keeps its own.
      this.q('UPDATE orders SET order_state = ?, callback_time = COALESCE(?, callback_time) WHERE id = ? AND order_state IN (2, 3, 4)').run(order.order_state, order.callback_time ?? null, order.id);
      return { ...a, id };
    });
  }

  /** Attempts of one delivery, oldest first. */
  attemptsOf(deliveryId: number): DeliveryAttemptRow[] {
    return this.all<DeliveryAttemptRow>('SELECT * FROM delivery_attempts WHERE delivery_id = ? ORDER BY id', deliveryId);
  }

  /** Attempts after `afterId` with their order no., oldest first (for `sandbox log --notifications --follow`). */
  attemptsAfter(afterId: number, limit: number): Array<DeliveryAttemptRow & { out_trade_no: string; offer_id: string; status: string }> {
    return this.all<DeliveryAttemptRow & { out_trade_no: string; offer_id: string; status: string }>('SELECT a.*, d.out_trade_no, d.offer_id, d.status FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE a.id > ? ORDER BY a.id LIMIT ?', afterId, limit);
  }

  /** The newest `limit` attempts with id <= `upTo`, oldest first. */
  lastAttempts(limit: number, upTo: number): Array<DeliveryAttemptRow & { out_trade_no: string; offer_id: string; status: string }> {
    return (
      this.all<DeliveryAttemptRow & { out_trade_no: string; offer_id: string; status: string }>('SELECT a.*, d.out_trade_no, d.offer_id, d.status FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE a.id <= ? ORDER BY a.id DESC LIMIT ?', upTo, limit)
    ).reverse();
  }

  lastAttemptId(): number {
    return (this.q('SELECT COALESCE(MAX(id), 0) AS n FROM delivery_attempts').get() as { n: number }).n;
  }

  /** Pending deliveries (waiting for their first or next attempt), oldest first. */
  pendingDeliveries(limit: number): DeliveryRow[] {
    return this.all<DeliveryRow>("SELECT * FROM deliveries WHERE status = 'pending' ORDER BY next_at LIMIT ?", limit);
  }

  close(): void {
    this.db.close();
  }
}
