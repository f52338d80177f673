/**
 * Worker thread entry (esbuild entry point dist/verify-worker.js): judges batches of lines with the
 * same code as the main thread. The key is parsed once here, never per line.
 */
import { createPublicKey } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckOptions } from '../../core/payinfo-verify.js';
import type { BatchDone, BatchJob, WorkerInit } from './protocol.js';
import { judgeLine, newTally, tooLongRecord } from './record.js';

const init = workerData as WorkerInit;
const opts: CheckOptions = {
  ...(init.expectAppid !== undefined ? { expectAppid: init.expectAppid } : {}),
  ...(init.expectFingerprint !== undefined ? { expectFingerprint: init.expectFingerprint } : {}),
  ...(init.key
    ? { key: { publicKey: createPublicKey({ key: Buffer.from(init.key.spki), format: 'der', type: 'spki' }), bits: init.key.bits, fingerprint: init.key.fingerprint } }
    : {}),
};

parentPort?.on('message', (job: BatchJob) => {
  const tally = newTally();
  const bytes = Buffer.from(job.bytes);
  let offset = 0;
  let out = '';
  for (let i = 0; i < job.count; i++) {
    const len = job.lens[i]!;
    const line = job.firstLine + i;
    if (len < 0) {
      out += tooLongRecord(line, -len, tally) + '\n';
    } else {
      out += judgeLine(bytes.subarray(offset, offset + len), line, opts, tally) + '\n';
      offset += len;
    }
  }
  const done: BatchDone = { seq: job.seq, out, tally, bytes: job.bytes, lens: job.lens };
  parentPort!.postMessage(done, [job.bytes, job.lens.buffer as ArrayBuffer]);
});
