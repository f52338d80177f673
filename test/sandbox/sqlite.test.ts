/** The driver wrapper: the experimental warning alone is dropped, error codes get names, and the transaction probe works without isTransaction. */
import { afterEach, describe, expect, it } from 'vitest';
import { inTransaction, openDatabase, sqliteCode, withoutSqliteWarning } from '../../src/sandbox/sqlite.js';

const original = process.emitWarning;
afterEach(() => {
  process.emitWarning = original;
});

describe('withoutSqliteWarning', () => {
  it("drops Node's SQLite experimental warning and passes every other warning through", () => {
    const seen: unknown[][] = [];
    process.emitWarning = ((...args: unknown[]) => void seen.push(args)) as typeof process.emitWarning;
    const value = withoutSqliteWarning(() => {
      process.emitWarning('SQLite is an experimental feature and might change at any time', 'ExperimentalWarning');
      process.emitWarning('SQLite is an experimental feature and might change at any time', { type: 'ExperimentalWarning' });
      process.emitWarning('Type Stripping is an experimental feature', 'ExperimentalWarning');
      process.emitWarning('SQLite is an experimental feature', 'DeprecationWarning');
      const err = new Error('something else');
      err.name = 'MaxListenersExceededWarning';
      process.emitWarning(err);
      return 42;
    });
    expect(value).toBe(42);
    expect(seen.map((a) => (typeof a[0] === 'string' ? a[0] : (a[0] as Error).message))).toEqual([
      'Type Stripping is an experimental feature',
      'SQLite is an experimental feature',
      'something else',
    ]);
    // Restored afterwards: a later SQLite-looking warning is not the loader's and goes through.
    process.emitWarning('SQLite is an experimental feature and might change at any time', 'ExperimentalWarning');
    expect(seen).toHaveLength(4);
  });

  it('restores emitWarning when the load throws', () => {
    const mine = (() => {}) as typeof process.emitWarning;
    process.emitWarning = mine;
    expect(() => withoutSqliteWarning(() => {
      throw new Error('no driver');
    })).toThrow('no driver');
    expect(process.emitWarning).toBe(mine);
  });
});

describe('sqliteCode and inTransaction', () => {
  it('names extended and primary codes, and nothing for other errors', () => {
    const db = openDatabase(':memory:');
    db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, u TEXT UNIQUE)');
    db.prepare('INSERT INTO t VALUES (?, ?)').run('a', 'x');
    const caught = (fn: () => unknown): unknown => {
      try {
        fn();
      } catch (err) {
        return err;
      }
      throw new Error('expected a throw');
    };
    expect(sqliteCode(caught(() => db.prepare('INSERT INTO t VALUES (?, ?)').run('a', 'y')))).toBe('SQLITE_CONSTRAINT_PRIMARYKEY');
    expect(sqliteCode(caught(() => db.prepare('INSERT INTO t VALUES (?, ?)').run('b', 'x')))).toBe('SQLITE_CONSTRAINT_UNIQUE');
    expect(sqliteCode(caught(() => db.exec('SELECT * FROM nope')))).toBe('SQLITE_ERROR');
    expect(sqliteCode(new Error('plain'))).toBeUndefined();
    expect(sqliteCode(Object.assign(new Error('fs'), { code: 'ENOENT' }))).toBeUndefined();
    db.close();
  });

  it('tells an open transaction from none, also through the BEGIN probe used where isTransaction is missing', () => {
    const db = openDatabase(':memory:');
    db.exec('CREATE TABLE t (k TEXT)');
    // The probe path: hide isTransaction as Node before 22.16 lacks it.
    const probed = new Proxy(db, {
      get: (target, key) => {
        if (key === 'isTransaction') return undefined;
        const value = Reflect.get(target, key, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    for (const view of [db, probed]) {
      expect(inTransaction(view)).toBe(false);
      db.exec('BEGIN');
      db.prepare('INSERT INTO t VALUES (?)').run('kept');
      expect(inTransaction(view)).toBe(true);
      db.exec('COMMIT');
      expect(inTransaction(view)).toBe(false);
    }
    // The probe opened and rolled back only empty transactions: both rows are there.
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 2 });
    db.close();
  });
});
