/**
 * What must be undone when Ctrl-C ends a run that has no SIGINT handler of its own (main.ts ends
 * it: "cancelled", exit 130): a spinner's hidden cursor, above all. Adding to `process.on('SIGINT')`
 * instead would tell main.ts that the command handles Ctrl-C itself.
 */
const cleanups = new Set<() => void>();

/** Runs `fn` if Ctrl-C ends the run; call the returned function once it no longer applies. */
export function atInterrupt(fn: () => void): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

export function runInterruptCleanups(): void {
  for (const fn of cleanups) {
    try {
      fn();
    } catch {
      /* the run is ending either way */
    }
  }
  cleanups.clear();
}
