/** Messages between the batch main thread and its verify workers (types only: no runtime code). */
import type { LineBatch } from './batcher.js';
import type { Tally } from './record.js';

/**
 * What a worker needs once, before its first batch: the key as SPKI DER (parsed once per worker,
 * not per line). Sent as its first message, not as workerData, so a worker can start booting
 * before the key is known (prespawn.ts).
 */
export interface WorkerInit {
  key?: { spki: Uint8Array; bits: number; fingerprint: string };
  expectAppid?: string;
  expectFingerprint?: string;
}

export interface WorkerInitMessage {
  init: WorkerInit;
}

/** A batch of lines (batcher.ts) to judge, with its place in the output order. */
export interface BatchJob extends LineBatch {
  seq: number;
  /** An output buffer the main thread is done with, for the worker to write this batch's records into (transferred). */
  outBuf?: ArrayBuffer;
}

/**
 * A worker's answer: the records (each ending "\n") in line order, and their counts. The job's
 * buffers come back too, so the main thread reuses a fixed set instead of allocating (and leaving
 * the garbage collector) a megabyte per batch.
 */
export interface BatchDone {
  seq: number;
  /**
   * The records as UTF-8 bytes, transferred: the main thread writes them as they are, without
   * decoding, concatenating or re-encoding, then hands the buffer back with a later job.
   */
  out: Uint8Array;
  tally: Tally;
  bytes: ArrayBuffer;
  lines: Float64Array;
}
