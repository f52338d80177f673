/**
 * Group commit: the writes asked for in one event-loop turn share one SQLite transaction, and each
 * caller's promise settles only after that transaction has committed.
 *
 * Why: an autocommit INSERT into `orders` rewrites four B-tree pages into the WAL (the table, the
 * two UNIQUE indexes, orders_by_user), about 16 KB and ~100 µs of the sandbox's single thread per
 * order; under load a few dozen orders finish signing in the same turn, and one commit writes each
 * touched page once for all of them. A reply still goes out only once its row is durable (what the
 * kill -9 test holds), so nothing acknowledged can be lost.
 *
 * A write that throws is undone alone and its caller alone gets the error; the others commit. Writes
 * almost never throw (a UNIQUE conflict is caught inside insertOrderIfNew, and SQLite undoes just
 * that statement), so a group first runs plainly; only when a write throws is the transaction rolled
 * back and the group run again with each write in its own savepoint. A savepoint per write on every
 * group cost two extra statements per write on the sandbox's only thread. Writes are therefore
 * database work only, safe to run twice when the first run was rolled back.
 * A transaction SQLite loses by itself (it rolls back on some I/O errors) during the plain run is
 * treated like a failed write: the group runs again, isolated. If it is lost again there, or the
 * commit fails, every caller in the group gets the error: nobody is told "done" for a write that is
 * not there, and no write runs on outside a transaction, in autocommit.
 */
export interface GroupStore {
  /** Runs `body` in one transaction: commits, or rolls back and throws. */
  transaction(body: () => void): void;
  /** Runs `body` in a savepoint inside the current transaction: released, or rolled back and throws. */
  savepoint<T>(body: () => T): T;
  /** Whether a transaction is open (false once SQLite has rolled it back by itself). */
  inTransaction(): boolean;
}

/** Said to writes asked for after close(): the sandbox is shutting down. */
export class GroupCommitClosed extends Error {
  constructor() {
    super('the sandbox is stopping');
  }
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };
type Pending = { write: () => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void };

export class GroupCommit {
  private queue: Pending[] = [];
  private closed = false;

  constructor(private readonly store: GroupStore) {}

  /** Queues `write` for this turn's transaction; resolves with its result once committed. */
  run<T>(write: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new GroupCommitClosed());
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ write, resolve: resolve as (v: unknown) => void, reject });
      if (this.queue.length === 1) setImmediate(() => this.flush());
    });
  }

  /** Commits what is queued now (also called on shutdown, before the store closes). */
  flush(): void {
    const group = this.queue;
    if (group.length === 0) return;
    this.queue = [];
    let outcomes: Outcome[];
    try {
      outcomes = this.runPlain(group) ?? this.runIsolated(group);
    } catch (err) {
      for (const w of group) w.reject(err);
      return;
    }
    group.forEach((w, i) => {
      const o = outcomes[i]!;
      if (o.ok) w.resolve(o.value);
      else w.reject(o.error);
    });
  }

  /** The group in one transaction, no savepoints; undefined (all rolled back) when a write threw. */
  private runPlain(group: Pending[]): Outcome[] | undefined {
    const outcomes: Outcome[] = [];
    let writeFailed = false;
    try {
      this.store.transaction(() => {
        for (const w of group) {
          try {
            outcomes.push({ ok: true, value: w.write() });
          } catch (error) {
            writeFailed = true;
            throw error;
          }
          // A write that caught an error which ended the transaction: the rest must not autocommit.
          if (!this.store.inTransaction()) {
            writeFailed = true;
            throw new Error('the transaction was lost during a write');
          }
        }
      });
    } catch (err) {
      if (writeFailed) return undefined;
      throw err;
    }
    return outcomes;
  }

  /** The group again, each write in its own savepoint, so one that throws is undone alone. */
  private runIsolated(group: Pending[]): Outcome[] {
    const outcomes: Outcome[] = [];
    this.store.transaction(() => {
      for (const w of group) {
        try {
          outcomes.push({ ok: true, value: this.store.savepoint(w.write) });
        } catch (error) {
          // Lost with the whole transaction: the rest must not run outside one, in autocommit.
          if (!this.store.inTransaction()) throw error;
          outcomes.push({ ok: false, error });
        }
      }
    });
    return outcomes;
  }

  /** Commits what is queued, then refuses further writes (they would find the store closed). */
  close(): void {
    this.flush();
    this.closed = true;
  }
}
