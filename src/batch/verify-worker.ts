/**
 * Worker thread entry (esbuild entry point dist/verify-worker.js): judges batches of lines with the
 * same code as the main thread. The key is parsed once here, never per line.
 */
import { createPublicKey } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import type { CheckOptions } from '../core/payinfo-verify.js';
import type { BatchDone, BatchJob, WorkerInit, WorkerInitMessage } from './protocol.js';
import { judgeBatch } from './record.js';

let opts: CheckOptions | undefined;

function optionsFrom(init: WorkerInit): CheckOptions {
  return {
    ...(init.expectAppid !== undefined ? { expectAppid: init.expectAppid } : {}),
    ...(init.expectFingerprint !== undefined ? { expectFingerprint: init.expectFingerprint } : {}),
    ...(init.key
      ? { key: { publicKey: createPublicKey({ key: Buffer.from(init.key.spki), format: 'der', type: 'spki' }), bits: init.key.bits, fingerprint: init.key.fingerprint } }
      : {}),
  };
}

parentPort?.on('message', (msg: BatchJob | WorkerInitMessage) => {
  // The first message is the init (the pool sends it before any batch).
  if ('init' in msg) {
    opts = optionsFrom(msg.init);
    return;
  }
  const job = msg;
  if (!opts) throw new Error('a batch arrived before the init message');
  // Into the buffer the main thread handed back: buffers circulate instead of piling up as external
  // memory on the main thread until a garbage collection happens to free them.
  const { out: records, tally } = judgeBatch(job, opts, job.outBuf);
  const done: BatchDone = { seq: job.seq, out: records, tally, bytes: job.bytes, lines: job.lines };
  parentPort!.postMessage(done, [job.bytes, job.lines.buffer as ArrayBuffer, records.buffer as ArrayBuffer]);
});
