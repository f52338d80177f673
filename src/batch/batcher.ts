/**
 * Cuts a byte stream into batches of lines, in constant memory, for judgeBatch (here or in a
 * worker). A batch is one buffer holding its lines as they came, line ends included, and per line
 * its offset and length: whole runs of lines are copied at once, and no object is made per line
 * (this thread also judges, so what it spends per line is taken from judging).
 *
 * Lines end at "\n"; one "\r" before it is not part of the line (CRLF files). A last line without
 * "\n" counts. A line longer than the cap is not kept, only its length (without its line end) is
 * counted, so one 10 MB line cannot cost 10 MB. readline would hold the whole line and decode it
 * with replacement characters, hiding invalid UTF-8.
 */

/** A batch of consecutive lines. */
export interface LineBatch {
  firstLine: number;
  count: number;
  /** The lines' bytes: a run of the input per batch, so line ends and skipped lines sit between them. */
  bytes: ArrayBuffer;
  /** How much of `bytes` is used. */
  size: number;
  /** For line i: lines[2i] its offset in `bytes` and lines[2i+1] its length; offset -1 for a line over the cap, whose length is then its size in bytes. */
  lines: Float64Array;
}

/** Buffers of judged batches, to be filled again. */
export type SpareBuffers = Array<{ bytes: ArrayBuffer; lines: Float64Array }>;

export class LineBatcher {
  private bytes!: Buffer;
  private lines!: Float64Array;
  private used = 0;
  private count = 0;
  private firstLine = 1;
  /** The start of a line cut by the end of a chunk (at most max + 1 bytes: a "\r" may follow). */
  private readonly carry: Buffer;
  private carryLen = 0;
  /** Bytes of a cut line known to be over the cap (not kept), or -1. */
  private dropped = -1;
  /** The last byte of the dropped line so far (a "\r" right before its "\n" is not counted). */
  private droppedLast = 0;

  constructor(
    private readonly max: number,
    private readonly batchLines: number,
    private readonly batchBytes: number,
    private readonly spare: SpareBuffers,
    /** Receives each batch when it is full (and the last one from finish()). */
    private readonly emit: (batch: LineBatch) => void,
  ) {
    if (batchBytes < max + 2) throw new Error('a batch must hold a line of the maximum length');
    this.carry = Buffer.allocUnsafe(max + 1);
    this.fresh();
  }

  /** Lines read so far. */
  get lineCount(): number {
    return this.firstLine - 1 + this.count;
  }

  /** Feeds one chunk (which may be reused by the caller once this returns). */
  push(chunk: Buffer): void {
    let from = 0;
    if (this.carryLen > 0 || this.dropped >= 0) {
      const nl = chunk.indexOf(10);
      if (nl === -1) {
        this.hold(chunk, 0, chunk.length);
        return;
      }
      this.hold(chunk, 0, nl);
      this.completeCarried();
      from = nl + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (last >= from) {
      this.addLines(chunk, from, last + 1);
      from = last + 1;
    }
    if (from < chunk.length) this.hold(chunk, from, chunk.length);
  }

  /** Ends the input: a pending last line without "\n" is added, and the last batch emitted. */
  finish(): void {
    if (this.carryLen > 0 || this.dropped >= 0) this.completeCarried();
    if (this.count > 0) this.take();
  }

  private fresh(): void {
    const reuse = this.spare.pop();
    this.bytes = reuse ? Buffer.from(reuse.bytes) : Buffer.allocUnsafeSlow(this.batchBytes);
    this.lines = reuse ? reuse.lines : new Float64Array(2 * this.batchLines);
    this.used = 0;
    this.count = 0;
  }

  private take(): void {
    const batch: LineBatch = { firstLine: this.firstLine, count: this.count, bytes: this.bytes.buffer as ArrayBuffer, size: this.used, lines: this.lines };
    this.firstLine += this.count;
    this.fresh();
    this.emit(batch);
  }

  private addDropped(size: number): void {
    if (this.count === this.batchLines) this.take();
    this.lines[2 * this.count] = -1;
    this.lines[2 * this.count + 1] = size;
    this.count++;
  }

  /**
   * Adds the complete lines in chunk[from, to) (each ends in "\n"): runs of them are copied into
   * the batch in one piece; a line over the cap is counted and skipped.
   */
  private addLines(chunk: Buffer, from: number, to: number): void {
    let runStart = from;
    let p = from;
    while (p < to) {
      const nl = chunk.indexOf(10, p);
      let len = nl - p;
      if (len > 0 && chunk[nl - 1] === 13) len--;
      if (len > this.max) {
        this.copyRun(chunk, runStart, p);
        this.addDropped(len);
        runStart = p = nl + 1;
        continue;
      }
      // The line goes at the end of the run: start a new batch first if the run would not fit.
      if (this.count === this.batchLines || this.used + (nl + 1 - runStart) > this.batchBytes) {
        this.copyRun(chunk, runStart, p);
        this.take();
        runStart = p;
      }
      this.lines[2 * this.count] = this.used + (p - runStart);
      this.lines[2 * this.count + 1] = len;
      this.count++;
      p = nl + 1;
    }
    this.copyRun(chunk, runStart, to);
  }

  private copyRun(chunk: Buffer, from: number, to: number): void {
    if (to <= from) return;
    chunk.copy(this.bytes, this.used, from, to);
    this.used += to - from;
  }

  /** Keeps chunk[from, to) as the continuation of the cut line (or only counts it, once over the cap). */
  private hold(chunk: Buffer, from: number, to: number): void {
    const n = to - from;
    if (n === 0) return;
    if (this.dropped >= 0) {
      this.dropped += n;
      this.droppedLast = chunk[to - 1]!;
    } else if (this.carryLen + n > this.max + 1) {
      // +1: the "\r" of a CRLF line may still follow and not count.
      this.dropped = this.carryLen + n;
      this.droppedLast = chunk[to - 1]!;
      this.carryLen = 0;
    } else {
      chunk.copy(this.carry, this.carryLen, from, to);
      this.carryLen += n;
    }
  }

  /** The cut line is complete (its "\n" seen, or the input ended): add it. */
  private completeCarried(): void {
    if (this.dropped >= 0) {
      const size = this.dropped - (this.droppedLast === 13 ? 1 : 0);
      this.dropped = -1;
      this.addDropped(size);
      return;
    }
    let len = this.carryLen;
    this.carryLen = 0;
    if (len > 0 && this.carry[len - 1] === 13) len--;
    if (len > this.max) {
      this.addDropped(len);
      return;
    }
    if (this.count === this.batchLines || this.used + len > this.batchBytes) this.take();
    this.carry.copy(this.bytes, this.used, 0, len);
    this.lines[2 * this.count] = this.used;
    this.lines[2 * this.count + 1] = len;
    this.count++;
    this.used += len;
  }
}
