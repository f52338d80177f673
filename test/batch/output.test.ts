/** The batch output writer against an asynchronous stream: reuse only after the stream lets go, order kept, drain awaited. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Output } from '../../src/batch/output-writer.js';

/** A stream that takes a while with each write and says it is full after 1 KiB queued (like a slow pipe). */
function slowStream() {
  const got: string[] = [];
  const stream = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, done) {
      // Copied only when the write completes: a buffer reused before then would show up corrupted.
      setTimeout(() => {
        got.push(chunk.toString('utf8'));
        done();
      }, 2);
    },
  });
  return { stream, got };
}

describe('batch Output', () => {
  it("hands a worker's buffer back only after the stream has finished with it", async () => {
    const { stream, got } = slowStream();
    const freed: ArrayBuffer[] = [];
    const out = new Output(stream, (b) => freed.push(b));
    const piece = Buffer.allocUnsafeSlow(3000).fill('a');
    out.add(piece);
    expect(freed).toHaveLength(0); // still queued in the stream
    // Someone reusing it now would corrupt the output: the writer must not have offered it.
    await out.flush();
    await new Promise((r) => setTimeout(r, 20));
    expect(freed).toEqual([piece.buffer]);
    expect(got.join('')).toBe('a'.repeat(3000));
  });

  it('keeps the batches in order, and flush waits for drain when the stream is full', async () => {
    const { stream, got } = slowStream();
    const out = new Output(stream);
    const events: string[] = [];
    stream.on('drain', () => events.push('drain'));
    out.add(Buffer.from('1\n'));
    out.add(Buffer.from('2\n3\n'));
    out.add(Buffer.alloc(4096, 'x')); // over the stream's 1 KiB mark: write() says full
    await out.flush();
    events.push('flushed');
    expect(events).toEqual(['drain', 'flushed']);
    out.add(Buffer.from('5\n'));
    await out.flush();
    await new Promise((r) => stream.end(r));
    expect(got.join('')).toBe('1\n2\n3\n' + 'x'.repeat(4096) + '5\n');
  });
});
