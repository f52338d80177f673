/** Batch output: each batch's records to stdout in one write, with backpressure, handing written buffers back for reuse. */
/** Where records go: process.stdout, or a test's stream. */
export interface OutStream {
  write(chunk: string | Uint8Array, done?: () => void): unknown;
}

interface Drainable {
  once(event: 'drain', listener: () => void): unknown;
}

function canDrain(s: OutStream): s is OutStream & Drainable {
  return typeof (s as Partial<Drainable>).once === 'function';
}

/** Writes a batch's record bytes as they are; waits for 'drain' when the stream asks to. */
export class Output {
  private full = false;
  /** `written` receives a batch's buffer once the stream no longer holds it, so it can be reused. */
  constructor(
    private readonly stream: OutStream,
    private readonly written: (buffer: ArrayBuffer) => void = () => {},
  ) {}
  add(piece: Uint8Array): void {
    // The stream's callback says the bytes have left it: only then is the buffer free for reuse.
    const buffer = piece.buffer as ArrayBuffer;
    if (this.stream.write(piece, () => this.written(buffer)) === false) this.full = true;
  }
  async flush(): Promise<void> {
    const stream = this.stream;
    if (this.full && canDrain(stream)) await new Promise<void>((resolve) => stream.once('drain', resolve));
    this.full = false;
  }
}
