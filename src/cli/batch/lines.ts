/**
 * Splits a byte stream into lines with a length cap, in constant memory: a line longer than the cap
 * is not kept (only its length is counted), so one 10 MB line cannot cost 10 MB. readline would
 * hold the whole line and decode it with replacement characters, hiding invalid UTF-8.
 * Lines end at "\n"; one "\r" before it is dropped (CRLF files). A last line without "\n" counts.
 */

/** Receives each line: its bytes (a view, valid only during the call), or null and its length when it was too long. */
export type LineSink = (line: Buffer | null, droppedBytes: number) => void;

export class LineSplitter {
  private carry: Buffer[] = [];
  private carryLen = 0;
  private dropped = -1;

  constructor(
    private readonly max: number,
    private readonly sink: LineSink,
  ) {}

  /** Feeds one chunk; calls the sink for every line the chunk completes. */
  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) {
        if (start < chunk.length) this.hold(chunk.subarray(start));
        return;
      }
      this.complete(chunk.subarray(start, nl));
      start = nl + 1;
    }
  }

  /** Ends the input: a pending last line without "\n" is emitted. */
  finish(): void {
    if (this.carryLen > 0 || this.dropped >= 0) this.complete(Buffer.alloc(0));
  }

  private hold(part: Buffer): void {
    if (this.dropped >= 0) {
      this.dropped += part.length;
    } else if (this.carryLen + part.length > this.max + 1) {
      // +1: the "\r" of a CRLF line may still be cut off.
      this.dropped = this.carryLen + part.length;
      this.carry = [];
      this.carryLen = 0;
    } else {
      // Copied: a stream may reuse its chunk buffer after the chunk is consumed.
      this.carry.push(Buffer.from(part));
      this.carryLen += part.length;
    }
  }

  private complete(tail: Buffer): void {
    if (this.dropped >= 0) {
      const n = this.dropped + tail.length;
      this.dropped = -1;
      this.sink(null, n);
      return;
    }
    let line = tail;
    if (this.carryLen > 0) {
      line = Buffer.concat([...this.carry, tail], this.carryLen + tail.length);
      this.carry = [];
      this.carryLen = 0;
    }
    if (line.length > 0 && line[line.length - 1] === 13) line = line.subarray(0, line.length - 1);
    if (line.length > this.max) this.sink(null, line.length);
    else this.sink(line, 0);
  }
}
