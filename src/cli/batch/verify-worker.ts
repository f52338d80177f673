/**
 * Worker thread entry (esbuild entry point dist/verify-worker.js): judges batches of lines with the
 * same code as the main thread. The key is parsed once here, never per line.
 */
import { createPublicKey } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckOptions } from '../../core/payinfo-verify.js';
import type { BatchDone, BatchJob, WorkerInit } from './protocol.js';
import { judgeBatch } from './record.js';

const init = workerData as WorkerInit;
const opts: CheckOptions = {
  ...(init.expectAppid !== undefined ? { expectAppid: init.expectAppid } : {}),
  ...(init.expectFingerprint !== undefined ? { expectFingerprint: init.expectFingerprint } : {}),
  ...(init.key
    ? { key: { publicKey: createPublicKey({ key: Buffer.from(init.key.spki), format: 'der', type: 'spki' }), bits: init.key.bits, fingerprint: init.key.fingerprint } }
    : {}),
};

parentPort?.on('message', (job: BatchJob) => {
  const { out, tally } = judgeBatch(job, opts);
  const done: BatchDone = { seq: job.seq, out, tally, bytes: job.bytes, lens: job.lens };
  parentPort!.postMessage(done, [job.bytes, job.lens.buffer as ArrayBuffer]);
});
