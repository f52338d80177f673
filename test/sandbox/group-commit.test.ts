/** Group commit over a real SQLite store in a temp dir: one transaction per turn, results after commit, all-or-nothing on failure. */
import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/sandbox/group-commit.js';
import { openStore, type Store } from '../../src/sandbox/store.js';
import { tempDir } from '../helpers/cli.js';

let dir: string;
let store: Store;
let transactions: number;
let commit: GroupCommit;

beforeEach(() => {
  dir = tempDir('tacpay-group-commit-');
  store = openStore(dir);
  store.db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)');
  transactions = 0;
  commit = new GroupCommit((body) => {
    transactions++;
    store.tx(body);
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
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return 0;
        throw err;
      }
    };
    const results = await Promise.all([commit.run(tolerant('x')), commit.run(tolerant('x')), commit.run(tolerant('y'))]);
    expect(results).toEqual([1, 0, 1]);
    expect(count()).toBe(2);
  });

  it('any other failure rolls the whole group back and every caller gets the error', async () => {
    const all = [commit.run(insert('p')), commit.run(insert('p')), commit.run(insert('q'))].map((p) => p.then(() => 'ok', (e: Error) => e.message));
    const outcomes = await Promise.all(all);
    expect(outcomes.every((o) => /UNIQUE constraint failed/.test(o))).toBe(true);
    expect(count()).toBe(0);
    // The next turn starts clean.
    await commit.run(insert('r'));
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
