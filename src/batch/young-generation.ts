/**
 * Keeps the main thread's young generation at its start-up size for a batch run, as the verify
 * workers' resourceLimits (maxYoungGenerationSizeMb: 2, prespawn.ts) keep theirs.
 *
 * Why: V8 doubles the young generation whenever the bytes that survived scavenges since the last
 * doubling exceed its size, and never shrinks it back while the allocation rate stays high. Every
 * line the byte path declines is judged by the general path (qs, JSON.parse, issue objects), and a
 * little of that survives each scavenge (fresh hidden classes and internalized part names, held
 * until the next full collection). Summed over hundreds of thousands of lines that reached V8's
 * maximum: 1 MB grew to 2x64 MB of semi-spaces on Node 24 (2x16 MB on Node 22), plus pages V8
 * keeps for them. `decode --file --workers 0` of 1,000,000 such lines peaked at 290 MB RSS against
 * 70 MB for 100,000 canonical ones, with the heap in use after a full collection flat at ~5 MB:
 * no leak, just a young generation sized for a server. Bounded, the same run peaks at ~95 MB and
 * is no slower (paired runs: as fast or faster for declined lines, canonical ones within noise).
 *
 * How: the growth factor is read each time V8 grows the young generation, so setting it to 1 here,
 * before the first batch line, makes every growth a no-op. V8 clamps the command-line flag to at
 * least 2 (a start-up implication), which is why it is set at run time, and why only this factor
 * works: --max-semi-space-size is read once, when the heap is set up. Set once per process; the
 * process ends with the batch. A V8 that ignored it would bring the growth back, which
 * test/cli/decode-memory.test.ts measures.
 */
import { setFlagsFromString } from 'node:v8';

let bounded = false;

export function boundYoungGeneration(): void {
  if (bounded) return;
  bounded = true;
  try {
    setFlagsFromString('--semi-space-growth-factor=1');
  } catch {
    // A runtime without the flag: the batch still runs, only with V8's default sizing.
  }
}
