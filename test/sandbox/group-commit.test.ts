/** Group commit over a real SQLite store in a temp dir: one transaction per turn, results after commit, all-or-nothing on failure. */
import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommit, GroupCommitClosed } from '../../src/sandbox/group-commit.js';
import { sqliteCode } from '../../src/sandbox/sqlite.js';
import { openStore, type Store } from '../../src/sandbox/store.js';
import { tempDir } from '../helpers/cli.js';

let dir: string;
let store: Store;
let transactions: number;
let savepoints: number;
let commit: GroupCommit;

beforeEach(() => {
  dir = tempDir('tacpay-group-commit-');
  store = openStore(dir);
  store.db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)');
  transactions = 0;
  savepoints = 0;
  commit = new GroupCommit({
    transaction: (body) => {
      transactions++;
      store.transaction(body);
    },
    savepoint: (body) => {
      savepoints++;
      return store.savepoint(body);
    },
    inTransaction: () => store.inTransaction(),
  });
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const count = () => (store.db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;
const insert = (k: string) => () => store.db.prepare('INSERT INTO t (k, v) VALUES (?, 1)').run(k).changes;

describe('GroupCommit', () => {
  it('writes asked for in one turn share one transaction, and each promise settles after the commit', async () => {
    const seenAtResolve: number[] = [];
    const all = Array.from({ length: 50 }, (_, i) => commit.run(insert(`k${i}`)).then((changes) => (seenAtResolve.push(count()), changes)));
    expect(count()).toBe(0); // nothing is written before the turn ends
    expect(await Promise.all(all)).toEqual(Array(50).fill(1));
    expect(transactions).toBe(1);
    expect(savepoints).toBe(0); // no write threw: no savepoints
    expect(seenAtResolve.every((n) => n === 50)).toBe(true);
  });

  it('writes in later turns get their own transaction', async () => {
    await commit.run(insert('a'));
    await commit.run(insert('b'));
    expect(transactions).toBe(2);
    expect(count()).toBe(2);
  });

  it('a write that catches its own UNIQUE conflict leaves the rest of the group committed', async () => {
    const tolerant = (k: string) => () => {
      try {
        return insert(k)();
      } catch (err) {
        if (sqliteCode(err) === 'SQLITE_CONSTRAINT_PRIMARYKEY') return 0;
        throw err;
      }
    };
    const results = await Promise.all([commit.run(tolerant('x')), commit.run(tolerant('x')), commit.run(tolerant('y'))]);
    expect(results).toEqual([1, 0, 1]);
    expect(count()).toBe(2);
    expect(savepoints).toBe(0); // caught inside the write: the group never needed isolating
  });

  it('a write that throws is undone alone: its caller gets the error, the rest of the group commits', async () => {
    const failing = () => {
      store.db.prepare('INSERT INTO t (k, v) VALUES (?, 1)').run('half');
      throw new Error('this write fails after writing a row');
    };
    const outcomes = await Promise.all([commit.run(insert('p')), commit.run(failing), commit.run(insert('p')), commit.run(insert('q'))].map((p) => p.then(() => 'ok', (e: Error) => e.message)));
    expect(outcomes[0]).toBe('ok');
    expect(outcomes[1]).toBe('this write fails after writing a row');
    expect(outcomes[2]).toMatch(/UNIQUE constraint failed/);
    expect(outcomes[3]).toBe('ok');
    // The plain run was rolled back when the write threw; the group ran again, one savepoint per write.
    expect(transactions).toBe(2);
    expect(savepoints).toBe(4);
    // p and q are there; the failing write's row was rolled back with its savepoint.
    expect(store.db.prepare('SELECT k FROM t ORDER BY k').all()).toEqual([{ k: 'p' }, { k: 'q' }]);
  });

  it('when the transaction itself is lost or the commit fails, every caller gets the error and nothing is kept', async () => {
    // ROLLBACK inside a write ends the transaction, as SQLite does by itself on some I/O errors.
    const losesTransaction = () => {
      store.db.exec('ROLLBACK');
      throw new Error('disk I/O error');
    };
    const outcomes = await Promise.all([commit.run(insert('a')), commit.run(losesTransaction), commit.run(insert('b'))].map((p) => p.then(() => 'ok', (e: Error) => e.message)));
    expect(outcomes.every((o) => o !== 'ok')).toBe(true);
    expect(count()).toBe(0); // nothing ran on in autocommit after the loss
    expect(transactions).toBe(2); // lost in the plain run, then again in the isolated one
    await commit.run(insert('r')); // the next turn starts clean
    expect(count()).toBe(1);
  });

  it('a write that fails only on its first run is run again isolated and commits once, with the rest', async () => {
    let runs = 0;
    const flaky = () => {
      runs++;
      const changes = store.db.prepare('INSERT INTO t (k, v) VALUES (?, 1)').run('flaky').changes;
      if (runs === 1) throw new Error('busy the first time');
      return changes;
    };
    const outcomes = await Promise.all([commit.run(insert('a')), commit.run(flaky), commit.run(insert('b'))]);
    expect(outcomes).toEqual([1, 1, 1]);
    expect(runs).toBe(2);
    expect(transactions).toBe(2);
    expect(store.db.prepare('SELECT k FROM t ORDER BY k').all()).toEqual([{ k: 'a' }, { k: 'b' }, { k: 'flaky' }]);
  });

  it('a write that swallows an error which ended the transaction: no later write autocommits, every caller gets an error', async () => {
    const swallows = () => {
      store.db.exec('ROLLBACK');
      return 0;
    };
    const outcomes = await Promise.all([commit.run(insert('a')), commit.run(swallows), commit.run(insert('b'))].map((p) => p.then(() => 'ok', () => 'error')));
    expect(outcomes).toEqual(['error', 'error', 'error']);
    expect(count()).toBe(0);
  });

  it('a COMMIT that fails (a deferred foreign key left dangling) fails every caller and keeps nothing', async () => {
    store.db.exec('CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (parent_id INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)');
    const dangling = () => store.db.prepare('INSERT INTO child (parent_id) VALUES (42)').run().changes;
    const outcomes = await Promise.all([commit.run(insert('a')), commit.run(dangling)].map((p) => p.then(() => 'ok', (e: Error) => e.message)));
    expect(outcomes[0]).toMatch(/FOREIGN KEY constraint failed/);
    expect(outcomes[1]).toMatch(/FOREIGN KEY constraint failed/);
    expect(transactions).toBe(1); // the writes ran; the commit refused
    expect(count()).toBe(0);
    expect(store.inTransaction()).toBe(false);
  });

  it('close() commits what is queued and refuses later writes', async () => {
    const pending = commit.run(insert('late'));
    commit.close();
    expect(await pending).toBe(1);
    await expect(commit.run(insert('after'))).rejects.toBeInstanceOf(GroupCommitClosed);
    expect(count()).toBe(1);
  });

  it('flush() commits what is queued at once (shutdown), and a flush with nothing queued does nothing', async () => {
    const pending = commit.run(insert('s'));
    commit.flush();
    expect(count()).toBe(1);
    await pending;
    commit.flush();
    expect(transactions).toBe(1);
  });
});
