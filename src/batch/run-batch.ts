/**
 * `tacpay decode --file f | --batch`: one pay_info per line in, one NDJSON record per line out, in
 * input order, in constant memory. Lines are split as bytes with a length cap; a big file goes to
 * worker threads (one per core but one, a bounded window each) from the start, a stream after its
 * first 2,000 lines (judged here); this thread judges whatever the workers have no room for, so
 * every core verifies. Output respects stdout backpressure.
 *
 * The summary goes to stderr, always (also with --json): stdout stays exactly one record per input
 * line, so `wc -l`, `paste` and line-number joins keep working. Loaded only on the batch path.
 */
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { thousands } from '../core/numbers.js';
import { MAX_PAYINFO_BYTES } from '../core/payinfo-input.js';
import type { CheckOptions } from '../core/payinfo-verify.js';
import { fileError, TacpayError } from '../errors.js';
import { LineBatcher, type LineBatch, type SpareBuffers } from './batcher.js';
import { Output, type OutStream } from './output-writer.js';
import { VerifyPool } from './pool.js';
import type { WorkerInit } from './protocol.js';
import { AUTO_WORKERS_AFTER, AUTO_WORKERS_BYTES } from './thresholds.js';
import { existingWorkerUrl } from './worker-urls.js';
import { addTally, judgeBatch, newTally } from './record.js';
import { boundYoungGeneration } from './young-generation.js';

/** What a batch needs of the process (the CLI's Ctx is one): the streams, the working dir, and lines for a person on stderr. */
export interface BatchIo {
  stdin: AsyncIterable<Buffer | string>;
  stdout: OutStream;
  stderr: OutStream;
  cwd: string;
  tty: { readonly stdin: boolean; readonly stderr: boolean };
  colorErr: { dim(text: string): string };
  note(message: string): void;
  warn(message: string): void;
}

const BATCH_LINES = 128;
/**
 * Batches judged here that may wait behind one still with a worker (~50 KB of records each): a
 * worker that boots or stalls for longer is waited for instead.
 */
const LOCAL_AHEAD = 32;
/** Bytes per read of the input. */
const READ_BYTES = 64 * 1024;
// Must hold at least one line of the maximum length (64 KiB) and its line end.
const BATCH_BYTES = 256 * 1024;

export interface BatchRun {
  /** File path, or `-` / undefined for stdin. */
  file?: string;
  check: CheckOptions;
  /** The key for workers, as SPKI DER. */
  workerInit: WorkerInit;
  /** Worker threads: 0 none, n exactly n from the start, undefined = one per core but one once the input is long. */
  workers?: number;
  /** Where dist/verify-worker.{cjs,js} may be, resolved by code bundled into the main bundle; the first that exists is used. */
  workerUrls: readonly URL[];
  /** Words for the summary when no key was given. */
  noKeyWords: string;
}

/**
 * A regular file's chunks, read with readSync into one reused buffer: no stream, promise or
 * thread-pool round trip per chunk (the batcher copies whatever it keeps, so reuse is safe). A
 * pipe or device (and stdin) stays a stream: a blocking read there would stall the workers' answers.
 */
function* fileChunks(fd: number): Generator<Buffer> {
  const buffer = Buffer.allocUnsafe(READ_BYTES);
  for (;;) {
    const n = readSync(fd, buffer, 0, READ_BYTES, null);
    if (n === 0) return;
    yield buffer.subarray(0, n);
  }
}

function openInput(ctx: BatchIo, file: string | undefined): { input: AsyncIterable<Buffer | string> | Iterable<Buffer>; label: string; fd?: number; size?: number } {
  if (file === undefined || file === '-') {
    if (ctx.tty.stdin) ctx.note('reading pay_info lines from stdin (end with Ctrl-D)');
    return { input: ctx.stdin, label: 'stdin' };
  }
  let fd: number;
  try {
    fd = openSync(resolve(ctx.cwd, file), 'r');
  } catch (err) {
    throw fileError(err as NodeJS.ErrnoException, file, 'pay_info file');
  }
  const stat = fstatSync(fd);
  if (stat.isDirectory()) {
    closeSync(fd);
    throw fileError(Object.assign(new Error('is a directory'), { code: 'EISDIR' }), file, 'pay_info file');
  }
  if (stat.isFile()) return { input: fileChunks(fd), label: file, fd, size: stat.size };
  return { input: createReadStream('', { fd, highWaterMark: READ_BYTES, autoClose: false }), label: file, fd };
}

/** Runs a batch; returns the exit code (1 when any line is invalid). */
export async function runBatch(ctx: BatchIo, run: BatchRun): Promise<number> {
  const started = performance.now();
  // This thread judges lines in every mode (all of them with --workers 0): constant memory needs
  // its young generation bounded too, as the workers' is (young-generation.ts).
  boundYoungGeneration();
  const { input, label, fd, size } = openInput(ctx, run.file);
  const tally = newTally();
  let pool: VerifyPool | undefined;
  // Output buffers written out, to take the next batch's records (here or in a worker).
  const spareOut: ArrayBuffer[] = [];
  const out = new Output(ctx.stdout, (buffer) => spareOut.push(buffer));
  const cores = availableParallelism();
  const workerUrl = existingWorkerUrl(run.workerUrls);
  // Batch buffers judged here or returned by a worker, ready for the next batch.
  const spare: SpareBuffers = [];
  // Every line goes into a batch, judged here or by a worker: the same judgeBatch either way, which
  // judges each line straight from the batch's bytes.
  const pending: LineBatch[] = [];
  const batcher = new LineBatcher(MAX_PAYINFO_BYTES, BATCH_LINES, BATCH_BYTES, spare, (batch) => pending.push(batch));
  let workersTried = false;

  const startPool = (n: number) => {
    workersTried = true;
    if (!workerUrl) {
      ctx.warn(`worker script ${run.workerUrls.map((u) => fileURLToPath(u)).join(' or ')} is missing; decoding on one thread (reinstall tacpay to fix)`);
      return;
    }
    pool = new VerifyPool(workerUrl, n, run.workerInit, spare, spareOut);
  };
  // One worker per core but one: this thread reads, hands out and writes, and judges a batch itself
  // whenever the workers are full. One isolate fewer to boot (~40 ms) and to compile the hot code
  // for, and two busy threads on two cores instead of three: 2-core batches ran 2-8% faster than
  // with a worker per core and this thread only handing out (two sets of paired runs, 50,000 lines).
  const auto = run.workers === undefined && cores > 1;

  const progress = makeProgress(ctx, tally, () => batcher.lineCount);
  const collect = () => {
    if (!pool) return;
    for (const done of pool.takeReady()) {
      out.add(done.out);
      addTally(tally, done.tally);
    }
  };
  const judgeHere = (batch: LineBatch) => {
    const done = judgeBatch(batch, run.check, spareOut.pop());
    spare.push({ bytes: batch.bytes, lines: batch.lines });
    return done;
  };
  const pump = async () => {
    while (pending.length) {
      if (!pool) {
        const done = judgeHere(pending.shift()!);
        out.add(done.out);
        addTally(tally, done.tally);
        // A stream that turns out long moves to worker threads (judged here until then).
        if (auto && !workersTried && batcher.lineCount >= AUTO_WORKERS_AFTER) startPool(cores - 1);
      } else if (!pool.hasRoom()) {
        if (pool.heldBack >= LOCAL_AHEAD) {
          // A worker is behind (still booting, or stalled): what this thread judged waits for its
          // batch to come out first, so wait for it rather than pile up records.
          await pool.answer();
        } else {
          // The workers have all the batches they can queue: this thread judges the next one
          // instead of waiting, then looks at their answers again.
          pool.runLocal(pending.shift()!, judgeHere);
          await new Promise<void>((r) => setImmediate(r));
        }
      } else {
        pool.submit(pending.shift()!);
      }
      collect();
      await out.flush();
    }
    collect();
    await out.flush();
    progress.tick();
  };

  try {
    if (run.workers !== undefined && run.workers > 0) startPool(run.workers);
    // A big file is known to be long before its first line: workers start now, while this thread reads.
    else if (auto && size !== undefined && size >= AUTO_WORKERS_BYTES) startPool(cores - 1);
    try {
      for await (const chunk of input) {
        batcher.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
        await pump();
      }
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (typeof e.code === 'string' && e.syscall) throw fileError(e, label, 'pay_info input');
      throw err;
    }
    batcher.finish();
    await pump();
    if (pool) {
      await pool.idle();
      collect();
    }
    await out.flush();
  } finally {
    progress.clear();
    await pool?.close();
    if (fd !== undefined) closeSync(fd);
  }

  if (batcher.lineCount === 0) throw new TacpayError(`no pay_info lines in ${label}`, 'give one pay_info per line (data=...&sign=...)', 'input.empty');
  ctx.note(summary(tally, performance.now() - started, pool?.size ?? 0, Boolean(run.check.key), run.noKeyWords));
  return tally.invalid > 0 ? 1 : 0;
}

function summary(t: ReturnType<typeof newTally>, ms: number, workers: number, keyGiven: boolean, noKeyWords: string): string {
  const n = thousands;
  const rate = ms > 0 ? Math.round((t.lines * 1000) / ms) : t.lines;
  const sig = keyGiven ? `signatures: ${n(t.verified)} verified, ${n(t.failed)} failed, ${n(t.notChecked)} not checked` : `signatures not checked (${noKeyWords})`;
  const threads = workers ? `, ${workers} worker thread${workers === 1 ? '' : 's'} and the main thread` : '';
  return `decoded ${n(t.lines)} line${t.lines === 1 ? '' : 's'}: ${n(t.valid)} valid, ${n(t.invalid)} invalid; ${sig} (${(ms / 1000).toFixed(2)} s, ${n(rate)} lines/s${threads})`;
}

/** A self-overwriting progress line on stderr, only when stderr is a terminal. */
function makeProgress(ctx: BatchIo, tally: ReturnType<typeof newTally>, lines: () => number) {
  const started = performance.now();
  let last = started;
  let shown = false;
  return {
    tick() {
      if (!ctx.tty.stderr) return;
      const now = performance.now();
      // At once, then four times a second: a person sees it started, and it costs nothing per line.
      if (shown && now - last < 250) return;
      last = now;
      shown = true;
      const rate = Math.round((lines() * 1000) / Math.max(1, now - started));
      ctx.stderr.write(`\r\x1b[K${ctx.colorErr.dim(`decoding: ${thousands(lines())} lines read, ${thousands(tally.invalid)} invalid so far (${thousands(rate)} lines/s)`)}`);
    },
    clear() {
      if (shown) ctx.stderr.write('\r\x1b[K');
    },
  };
}
