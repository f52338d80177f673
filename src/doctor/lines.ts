/**
 * Line numbers of offsets in a text, for findings that say "file:line". Counting newlines from
 * the start for every finding is quadratic on a large file with many findings (a 520 KB
 * settings.gradle took 29 s); the line starts are found once per text and searched.
 */

let cached: { text: string; starts: number[] } | undefined;

function starts(text: string): number[] {
  if (cached?.text === text) return cached.starts;
  const out = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  cached = { text, starts: out };
  return out;
}

/** How many of the ascending `sorted` are at most `x`: the index of the first one above it. */
export function countAtMost(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The 1-based line of `offset` in `text`. */
export function lineOf(text: string, offset: number): number {
  return countAtMost(starts(text), offset);
}
