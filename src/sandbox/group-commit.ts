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
 * A write that must tolerate a per-row failure (a UNIQUE conflict) catches it itself: SQLite rolls
 * back just that statement and the transaction goes on. Any other error rolls the whole group back
 * and every caller in it gets the error, so no caller is told "done" for a write that is not there.
 */
export class GroupCommit {
  private queue: Array<{ write: () => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void }> = [];

  /** `transaction` runs its callback inside one transaction, throwing (after rolling back) if it throws. */
  constructor(private readonly transaction: (body: () => void) => void) {}

  /** Queues `write` for this turn's transaction; resolves with its result once committed. */
  run<T>(write: () => T): Promise<T> {
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
    const results: unknown[] = [];
    try {
      this.transaction(() => {
        for (const w of group) results.push(w.write());
      });
    } catch (err) {
      for (const w of group) w.reject(err);
      return;
    }
    group.forEach((w, i) => w.resolve(results[i]));
  }
}
