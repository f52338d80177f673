/** Messages between the batch main thread and its verify workers (types only: no runtime code). */
import type { Tally } from './record.js';

/** What a worker needs once, at start: the key as SPKI DER (parsed once per worker, not per line). */
export interface WorkerInit {
  key?: { spki: Uint8Array; bits: number; fingerprint: string };
  expectAppid?: string;
  expectFingerprint?: string;
}

/**
 * A run of consecutive lines. `bytes` holds the kept lines back to back; `lens[i]` is line i's
 * length, or minus its length when it was too long and not kept. Both buffers are transferred, not copied.
 */
export interface BatchJob {
  seq: number;
  firstLine: number;
  count: number;
  bytes: ArrayBuffer;
  lens: Float64Array;
}

/**
 * A worker's answer: the records (each ending "\n") in line order, and their counts. The job's
 * buffers come back too, so the main thread reuses a fixed set instead of allocating (and leaving
 * the garbage collector) a megabyte per batch.
 */
export interface BatchDone {
  seq: number;
  out: string;
  tally: Tally;
  bytes: ArrayBuffer;
  lens: Float64Array;
}
