/**
 * A fixed set of verify workers with a bounded in-flight window: at most `window` batches queued per
 * worker, so memory stays flat however long the input is, and results are handed back strictly in
 * submission order. Batches the main thread judges itself (runLocal) wait in the reorder buffer
 * behind older worker batches; the caller stops judging ahead once `heldBack` reaches its limit.
 */
import type { Worker } from 'node:worker_threads';
import { spawnVerifyWorker, takeEarlyWorker } from './prespawn.js';
import { TacpayError } from '../errors.js';
import type { SpareBuffers } from './batcher.js';
import type { BatchDone, BatchJob, WorkerInit, WorkerInitMessage } from './protocol.js';

interface Slot {
  worker: Worker;
  busy: number;
}

/** A batch's records (as bytes, judged by a worker or on the main thread) and counts, in order. */
export type Ready = Pick<BatchDone, 'tally' | 'out'>;

export class VerifyPool {
  private readonly slots: Slot[] = [];
  private readonly done = new Map<number, Ready>();
  private nextSeq = 0;
  private nextOut = 0;
  private inFlight = 0;
  private wake: (() => void) | undefined;
  private failure: Error | undefined;
  private closing = false;

  constructor(
    url: URL,
    readonly size: number,
    init: WorkerInit,
    /** Where batch buffers go once judged (by a worker or here), ready for the next batch. */
    private readonly spare: SpareBuffers,
    /** Output buffers already written out, to go to a worker with its next batch. */
    private readonly spareOut: ArrayBuffer[],
    private readonly window = 3,
  ) {
    for (let i = 0; i < size; i++) {
      // A worker started while the CLI started (prespawn.ts) if there is one, else a new one.
      const early = takeEarlyWorker(url);
      const slot: Slot = { worker: early?.worker ?? spawnVerifyWorker(url), busy: 0 };
      slot.worker.on('message', (msg: BatchDone) => {
        slot.busy--;
        this.inFlight--;
        this.spare.push({ bytes: msg.bytes, lines: msg.lines });
        this.done.set(msg.seq, msg);
        this.poke();
      });
      slot.worker.on('error', (err) => this.fail(err));
      slot.worker.on('exit', (code) => {
        if (!this.closing) this.fail(new Error(`a verify worker stopped unexpectedly (exit code ${code})`));
      });
      if (early?.failure) this.fail(early.failure);
      // The first message: what every batch needs (messages arrive in order, so before any batch).
      slot.worker.postMessage({ init } satisfies WorkerInitMessage);
      this.slots.push(slot);
    }
  }

  private fail(err: Error): void {
    // One line for the user, not an internal error with a stack: the run can go on without workers.
    this.failure ??= new TacpayError(`a verify worker failed: ${err.message}`, 'decode on one thread with --workers 0 (and report this if it happens again)', 'batch.worker');
    this.poke();
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private async next(): Promise<void> {
    if (this.failure) throw this.failure;
    await new Promise<void>((resolve) => (this.wake = resolve));
    if (this.failure) throw this.failure;
  }

  /** Results judged but held back behind an older batch that is still with a worker. */
  get heldBack(): number {
    return this.done.size;
  }

  /** Waits for the next answer from a worker (or a failure). */
  async answer(): Promise<void> {
    if (this.inFlight > 0) await this.next();
    if (this.failure) throw this.failure;
  }

  /** Whether a worker can take another batch now. Throws if a worker has failed. */
  hasRoom(): boolean {
    // Checked here too: a worker that dies while booting must stop the run, not leave this thread
    // judging everything while results pile up behind the batches it was sent.
    if (this.failure) throw this.failure;
    return this.inFlight < this.size * this.window;
  }

  /** Judges a batch on this thread instead, in its place in the output order (when the workers are full). */
  runLocal(job: Omit<BatchJob, 'seq'>, judge: (job: Omit<BatchJob, 'seq'>) => Ready): void {
    const seq = this.nextSeq++;
    this.done.set(seq, judge(job));
  }

  /** Sends a batch to the least busy worker; its buffers are transferred. Call when hasRoom() says so. */
  submit(job: Omit<BatchJob, 'seq'>): void {
    let slot = this.slots[0]!;
    for (const s of this.slots) if (s.busy < slot.busy) slot = s;
    const outBuf = this.spareOut.pop();
    const full: BatchJob = { ...job, seq: this.nextSeq++, ...(outBuf ? { outBuf } : {}) };
    slot.busy++;
    this.inFlight++;
    slot.worker.postMessage(full, outBuf ? [full.bytes, full.lines.buffer as ArrayBuffer, outBuf] : [full.bytes, full.lines.buffer as ArrayBuffer]);
  }

  /** Results that are next in order, removed from the reorder buffer. */
  takeReady(): Ready[] {
    const ready: Ready[] = [];
    for (let d = this.done.get(this.nextOut); d; d = this.done.get(this.nextOut)) {
      this.done.delete(this.nextOut++);
      ready.push(d);
    }
    return ready;
  }

  /** Waits for every submitted batch to come back. */
  async idle(): Promise<void> {
    while (this.inFlight > 0) await this.next();
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
