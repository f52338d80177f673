/** Batch output: records to stdout in large pieces, with backpressure, handing written worker buffers back for reuse. */
import { once } from 'node:events';
import type { OutStream } from '../output.js';

/** Strings gathered up to this many characters go out in one write. */
const FLUSH_AT = 64 * 1024;

interface Drainable {
  once(event: 'drain', listener: () => void): unknown;
}

function canDrain(s: OutStream): s is OutStream & Drainable {
  return typeof (s as Partial<Drainable>).once === 'function';
}

/**
 * Writes records in large pieces: strings (judged on this thread) are gathered up to FLUSH_AT, a
 * worker's bytes (a whole batch) go out as they are. Waits for 'drain' when the stream asks to.
 */
export class Output {
  private buf = '';
  private full = false;
  /** `written` receives a worker's buffer once the stream no longer holds it, so it can be reused. */
  constructor(
    private readonly stream: OutStream,
    private readonly written: (buffer: ArrayBuffer) => void = () => {},
  ) {}
  add(piece: string | Uint8Array): void {
    if (typeof piece === 'string') {
      this.buf += piece;
      return;
    }
    this.writeBuffered();
    // The stream's callback says the bytes have left it: only then is the buffer free for reuse.
    const buffer = piece.buffer as ArrayBuffer;
    if (this.stream.write(piece, () => this.written(buffer)) === false) this.full = true;
  }
  private writeBuffered(): void {
    if (this.buf === '') return;
    if (this.stream.write(this.buf) === false) this.full = true;
    this.buf = '';
  }
  async flush(all = false): Promise<void> {
    if (all || this.buf.length >= FLUSH_AT) this.writeBuffered();
    if (this.full && canDrain(this.stream)) await once(this.stream as unknown as NodeJS.EventEmitter, 'drain');
    this.full = false;
  }
}
