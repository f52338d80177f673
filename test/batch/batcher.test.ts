/** LineBatcher: the lines of a byte stream, however it is cut into chunks, in batches of bounded size. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineBatcher, type LineBatch, type SpareBuffers } from '../../src/batch/batcher.js';

type Line = { text: string } | { dropped: number };

/** The plain definition: split at "\n", one "\r" before it dropped, a last line without "\n" counted, over the cap only counted. */
function reference(input: Buffer, max: number): Line[] {
  const out: Line[] = [];
  let start = 0;
  while (start < input.length) {
    const nl = input.indexOf(10, start);
    const end = nl === -1 ? input.length : nl;
    let len = end - start;
    if (len > 0 && input[end - 1] === 13) len--;
    out.push(len > max ? { dropped: len } : { text: input.toString('latin1', start, start + len) });
    start = end + 1;
  }
  return out;
}

/** Feeds `input` in the given chunk sizes (each chunk a reused buffer, as a file read gives) and returns the lines. */
function viaBatcher(input: Buffer, cuts: number[], max: number, batchLines: number, batchBytes: number, recycle: boolean): Line[] {
  const spare: SpareBuffers = [];
  const lines: Line[] = [];
  let nextLine = 1;
  const batcher = new LineBatcher(max, batchLines, batchBytes, spare, (b: LineBatch) => {
    expect(b.firstLine).toBe(nextLine);
    expect(b.count).toBeGreaterThan(0);
    expect(b.count).toBeLessThanOrEqual(batchLines);
    expect(b.size).toBeLessThanOrEqual(batchBytes);
    nextLine += b.count;
    const bytes = Buffer.from(b.bytes, 0, b.size);
    for (let i = 0; i < b.count; i++) {
      const start = b.lines[2 * i]!;
      const len = b.lines[2 * i + 1]!;
      if (start < 0) lines.push({ dropped: len });
      else {
        expect(start + len).toBeLessThanOrEqual(b.size);
        lines.push({ text: bytes.toString('latin1', start, start + len) });
      }
    }
    // Judged at once, its buffers go back for the next batch (as they do in a run).
    if (recycle) spare.push({ bytes: b.bytes, lines: b.lines });
  });
  const scratch = Buffer.alloc(input.length + 1);
  let at = 0;
  for (const cut of cuts) {
    if (at >= input.length) break;
    const n = Math.min(Math.max(1, cut), input.length - at);
    input.copy(scratch, 0, at, at + n);
    batcher.push(scratch.subarray(0, n));
    scratch.fill(0x41); // the caller reuses its buffer: anything kept must have been copied
    at += n;
  }
  if (at < input.length) batcher.push(Buffer.from(input.subarray(at)));
  batcher.finish();
  expect(batcher.lineCount).toBe(lines.length);
  return lines;
}

describe('LineBatcher', () => {
  it('gives the lines of the plain definition, however the input is cut into chunks and batches', () => {
    const text = fc.array(fc.constantFrom('a', 'b', '\r', '\n', '\r\n', 'xxxxxxxx', '\u00e9'), { maxLength: 60 }).map((parts) => Buffer.from(parts.join(''), 'utf8'));
    fc.assert(
      fc.property(text, fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 40 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 4 }), fc.nat(12), fc.boolean(), (input, cuts, max, batchLines, extraBytes, recycle) => {
        expect(viaBatcher(input, cuts, max, batchLines, max + 2 + extraBytes, recycle)).toEqual(reference(input, max));
      }),
      { numRuns: 2000 },
    );
  });

  it('a line over the cap costs nothing to hold: a 10 MB line in 64 KiB chunks is one count', () => {
    const input = Buffer.concat([Buffer.from('ok\n'), Buffer.alloc(10 * 1024 * 1024, 0x61), Buffer.from('\r\nlast')]);
    const cuts = Array.from({ length: Math.ceil(input.length / 65536) }, () => 65536);
    expect(viaBatcher(input, cuts, 65536, 128, 256 * 1024, true)).toEqual([{ text: 'ok' }, { dropped: 10 * 1024 * 1024 }, { text: 'last' }]);
  });

  it('an empty input has no lines; a lone newline is one empty line', () => {
    expect(viaBatcher(Buffer.alloc(0), [], 10, 4, 12, false)).toEqual([]);
    expect(viaBatcher(Buffer.from('\n'), [1], 10, 4, 12, false)).toEqual([{ text: '' }]);
    expect(viaBatcher(Buffer.from('\r\n\r\n'), [1, 1, 1, 1], 10, 4, 12, false)).toEqual([{ text: '' }, { text: '' }]);
  });

  it('refuses a batch size that cannot hold a line of the maximum length', () => {
    expect(() => new LineBatcher(10, 4, 11, [], () => {})).toThrow('a batch must hold a line of the maximum length');
  });
});
