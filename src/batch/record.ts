/**
 * One batch line in, one NDJSON record out: the same judgement as a single `decode`, in a compact
 * record. Shared by the main thread (every batch before workers start, and whenever they are
 * full) and the worker threads, so both write byte-identical records.
 */
import { issue, type Issue } from '../core/issues.js';
import { MAX_PAYINFO_BYTES, textFromBytes } from '../core/payinfo-input.js';
import { DOC_MAX_LENGTH, longIssue } from '../core/payinfo.js';
import { fastVerdictBytes, newFieldSpans, OUT_TRADE_NO } from './fast-scan.js';
import { checkPayInfo, type CheckOptions, type SignatureResult } from '../core/payinfo-verify.js';
import { thousands } from '../core/numbers.js';
import type { LineBatch } from './batcher.js';

/** Counts for the summary; workers send theirs back with each batch. */
export interface Tally {
  lines: number;
  valid: number;
  invalid: number;
  verified: number;
  failed: number;
  notChecked: number;
}

export function newTally(): Tally {
  return { lines: 0, valid: 0, invalid: 0, verified: 0, failed: 0, notChecked: 0 };
}

export function addTally(into: Tally, from: Tally): void {
  into.lines += from.lines;
  into.valid += from.valid;
  into.invalid += from.invalid;
  into.verified += from.verified;
  into.failed += from.failed;
  into.notChecked += from.notChecked;
}

/** Per line, the signature without what is the same on every line (key fingerprint, scheme). */
function lineSignature(sig: SignatureResult, keyGiven: boolean): string {
  if (sig.status === 'verified') {
    if (sig.candidate === 'decoded-json' && sig.hash === 'sha256') return VERIFIED_JSON;
    return JSON.stringify({ status: sig.status, candidate: sig.candidate, hash: sig.hash });
  }
  if (sig.status === 'failed') return JSON.stringify({ status: sig.status, causes: sig.causes ?? [] });
  // Without a key every line would repeat the same reason; the summary says it once.
  return keyGiven ? JSON.stringify({ status: sig.status, reason: sig.reason ?? '' }) : NOT_CHECKED_JSON;
}

const NOT_CHECKED_JSON = JSON.stringify({ status: 'not-checked' });
const VERIFIED_JSON = JSON.stringify({ status: 'verified', candidate: 'decoded-json', hash: 'sha256' });
// Shared issue objects (the over-512 warning, one per length, is on nearly every real line) are
// serialized once.
const issueJsonCache = new WeakMap<Issue, string>();

function issueJson(i: Issue): string {
  if (i.code !== 'payinfo.long') return JSON.stringify(i);
  let json = issueJsonCache.get(i);
  if (json === undefined) issueJsonCache.set(i, (json = JSON.stringify(i)));
  return json;
}

/**
 * The record as JSON.stringify({line, valid, out_trade_no?, issues, signature}) would write it
 * (a test holds them equal), for a line the fast path declined (judgeBatch writes the others' as bytes).
 */
function record(line: number, valid: boolean, outTradeNo: unknown, issues: readonly Issue[], signatureJson: string): string {
  let list = '';
  for (const i of issues) list += (list ? ',' : '') + issueJson(i);
  const otn = typeof outTradeNo === 'string' ? `,"out_trade_no":${JSON.stringify(outTradeNo)}` : '';
  return `{"line":${line},"valid":${valid}${otn},"issues":[${list}],"signature":${signatureJson}}`;
}

function count(tally: Tally, valid: boolean, status: SignatureResult['status']): void {
  tally.lines++;
  if (valid) tally.valid++;
  else tally.invalid++;
  if (status === 'verified') tally.verified++;
  else if (status === 'failed') tally.failed++;
  else tally.notChecked++;
}

/** The record of a line the fast path declined: judged by the general path (no trailing newline). */
function judgeDeclined(bytes: Uint8Array, line: number, opts: CheckOptions, tally: Tally): string {
  const { text, issues } = textFromBytes(bytes);
  if (text === undefined) {
    count(tally, false, 'not-checked');
    return record(line, false, undefined, issues, JSON.stringify({ status: 'not-checked', reason: 'the line is not text' }));
  }
  // The fast path declined its bytes, so fastCheck declines its text too: straight to the general
  // path (one RSA operation fewer for a line whose signature fails, the common case when the wrong
  // key is given).
  const { parsed, signature, valid } = checkPayInfo(text, opts);
  count(tally, valid, signature.status);
  return record(line, valid, parsed.data?.out_trade_no, parsed.issues, lineSignature(signature, Boolean(opts.key)));
}

/** The record for a line that was longer than the cap (its bytes were never kept). */
function tooLongRecord(line: number, droppedBytes: number, tally: Tally): string {
  count(tally, false, 'not-checked');
  const tooLong = issue('line.too-long', 'error', `line ${line} is ${thousands(droppedBytes)} bytes; a pay_info is about 600 (limit ${thousands(MAX_PAYINFO_BYTES)}), so it was skipped`, {
    hint: 'check that the file holds one pay_info per line',
  });
  return record(line, false, undefined, [tooLong], JSON.stringify({ status: 'not-checked', reason: 'the line is too long' }));
}

/** Output buffers start at this size, so most batches fit in a recycled one. */
const OUT_MIN = 64 * 1024;

/**
 * A batch's records as UTF-8 bytes, written straight into a buffer: `reuse` when given (never
 * Node's shared pool: these buffers are transferred between threads and reused), grown when a
 * batch needs more. Why bytes at once: records waiting to be written (behind an older batch, or
 * in a write) are then outside the JavaScript heap, where every garbage collection would copy them.
 */
class RecordBuffer {
  buf: Buffer;
  pos = 0;
  constructor(reuse: ArrayBuffer | undefined) {
    this.buf = reuse && reuse.byteLength >= OUT_MIN ? Buffer.from(reuse) : Buffer.allocUnsafeSlow(OUT_MIN);
  }
  room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(2 * this.buf.length, this.pos + n));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  text(s: string): void {
    this.room(Buffer.byteLength(s, 'utf8'));
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }
  /** A line number (a safe integer), in decimal, as JSON writes it: digits counted, then written from the last. */
  number(n: number): void {
    let digits = 1;
    for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
    this.room(digits);
    let t = n;
    for (let i = this.pos + digits - 1; i >= this.pos; i--) {
      this.buf[i] = 48 + (t % 10);
      t = Math.floor(t / 10);
    }
    this.pos += digits;
  }
  done(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

// The record of a fast-path line in pieces: record() with valid true, the out_trade_no (whose
// characters JSON leaves alone: batch/fast-scan.ts), the length warning when there is one, and the
// signature. A test holds the bytes to JSON.stringify.
const latin1 = (s: string) => Buffer.from(s, 'latin1');
const FAST_HEAD = latin1('{"line":');
const FAST_OUT_TRADE_NO = latin1(',"valid":true,"out_trade_no":"');
const FAST_ISSUES = latin1('","issues":[');
const FAST_VERIFIED = latin1(`],"signature":${VERIFIED_JSON}}\n`);
const FAST_NOT_CHECKED = latin1(`],"signature":${NOT_CHECKED_JSON}}\n`);
const issueBytesCache = new WeakMap<Issue, Buffer>();

function issueBytes(i: Issue): Buffer {
  let bytes = issueBytesCache.get(i);
  if (bytes === undefined) issueBytesCache.set(i, (bytes = Buffer.from(issueJson(i), 'utf8')));
  return bytes;
}

/** Judges a batch of lines (batcher.ts): the records in order, as bytes (in `reuse` when it is big enough), and their counts. */
export function judgeBatch(job: LineBatch, opts: CheckOptions, reuse?: ArrayBuffer): { out: Uint8Array; tally: Tally } {
  const tally = newTally();
  const raw = new Uint8Array(job.bytes, 0, job.size);
  const out = new RecordBuffer(reuse);
  const signature = opts.key ? FAST_VERIFIED : FAST_NOT_CHECKED;
  const spans = newFieldSpans();
  const lines = job.lines;
  for (let i = 0; i < job.count; i++) {
    const start = lines[2 * i]!;
    const len = lines[2 * i + 1]!;
    const line = job.firstLine + i;
    if (start < 0) {
      out.text(tooLongRecord(line, len, tally) + '\n');
    } else if (fastVerdictBytes(raw, start, start + len, opts, spans)) {
      // A canonical line (nearly every real one) is copied into its record from its own bytes.
      count(tally, true, opts.key ? 'verified' : 'not-checked');
      out.bytes(FAST_HEAD);
      out.number(line);
      out.bytes(FAST_OUT_TRADE_NO);
      out.bytes(raw.subarray(spans[2 * OUT_TRADE_NO], spans[2 * OUT_TRADE_NO + 1]));
      out.bytes(FAST_ISSUES);
      // A canonical line is ASCII: its length in bytes is its length in characters.
      if (len > DOC_MAX_LENGTH) out.bytes(issueBytes(longIssue(len)));
      out.bytes(signature);
    } else {
      out.text(judgeDeclined(raw.subarray(start, start + len), line, opts, tally) + '\n');
    }
  }
  return { out: out.done(), tally };
}
