/**
 * One batch line in, one NDJSON record out: the same judgement as a single `decode`, in a compact
 * record. Shared by the main thread (every batch before workers start, and whenever they are
 * full) and the worker threads, so both write byte-identical records.
 */
import { isAscii } from 'node:buffer';
import { issue, type Issue } from '../../core/issues.js';
import { MAX_PAYINFO_BYTES, textFromBytes } from '../../core/payinfo-input.js';
import { DOC_MAX_LENGTH, longIssue } from '../../core/payinfo.js';
import { fastVerdict, type RawBytes } from '../../core/payinfo-fast.js';
import { checkPayInfoGeneral, type CheckOptions, type SignatureResult } from '../../core/payinfo-verify.js';
import { thousands } from '../../core/numbers.js';
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
 * (a test holds them equal), assembled from cached pieces: this runs once per batch line.
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

/** Judges one line's bytes and returns its record (no trailing newline). */
export function judgeLine(bytes: Buffer, line: number, opts: CheckOptions, tally: Tally): string {
  const { text, issues } = textFromBytes(bytes);
  if (text === undefined) {
    count(tally, false, 'not-checked');
    return record(line, false, undefined, issues, JSON.stringify({ status: 'not-checked', reason: 'the line is not text' }));
  }
  return judgeText(text, line, opts, tally);
}

/** Judges one line already known to be text (what textFromBytes gives for it), with its bytes when they are at hand. */
function judgeText(text: string, line: number, opts: CheckOptions, tally: Tally, raw?: RawBytes): string {
  // A canonical line (nearly every real one) needs only its out_trade_no: no result objects.
  const outTradeNo = fastVerdict(text, opts, raw);
  if (outTradeNo !== undefined) {
    count(tally, true, opts.key ? 'verified' : 'not-checked');
    return record(line, true, outTradeNo, text.length > DOC_MAX_LENGTH ? [longIssue(text.length)] : [], opts.key ? VERIFIED_JSON : NOT_CHECKED_JSON);
  }
  // fastVerdict declined, so fastCheck would too: straight to the general path (one RSA operation
  // fewer for a line whose signature fails, the common case when the wrong key is given).
  const { parsed, signature, valid } = checkPayInfoGeneral(text, opts);
  count(tally, valid, signature.status);
  return record(line, valid, parsed.data?.out_trade_no, parsed.issues, lineSignature(signature, Boolean(opts.key)));
}

/** The record for a line that was longer than the cap (its bytes were never kept). */
export function tooLongRecord(line: number, droppedBytes: number, tally: Tally): string {
  count(tally, false, 'not-checked');
  const tooLong = issue('line.too-long', 'error', `line ${line} is ${thousands(droppedBytes)} bytes; a pay_info is about 600 (limit ${thousands(MAX_PAYINFO_BYTES)}), so it was skipped`, {
    hint: 'check that the file holds one pay_info per line',
  });
  return record(line, false, undefined, [tooLong], JSON.stringify({ status: 'not-checked', reason: 'the line is too long' }));
}

/** Output buffers start at this size, so most batches fit in a recycled one. */
const OUT_MIN = 64 * 1024;

/**
 * A batch's records as UTF-8 bytes, in `reuse` when they fit, else in a new buffer of their own
 * (never Node's shared pool: these buffers are transferred between threads and reused). Why bytes
 * at once: records waiting to be written (behind an older batch, or in a write) are then outside
 * the JavaScript heap, where every garbage collection would copy them again.
 */
export function recordBytes(out: string, reuse: ArrayBuffer | undefined): Uint8Array {
  const size = Buffer.byteLength(out, 'utf8');
  const target = reuse && reuse.byteLength >= size ? Buffer.from(reuse) : Buffer.allocUnsafeSlow(Math.max(size, OUT_MIN));
  return target.subarray(0, target.write(out, 'utf8'));
}

/** Judges a batch of lines (batcher.ts): the records in order and their counts. */
export function judgeBatch(job: LineBatch, opts: CheckOptions): { out: string; tally: Tally } {
  const tally = newTally();
  const bytes = Buffer.from(job.bytes, 0, job.size);
  // Pay_info lines are ASCII: then the whole batch becomes one string and each line a slice of it,
  // instead of a Buffer view, an ASCII check and a string per line (what textFromBytes would give).
  // (Line ends between the lines are ASCII too.)
  const ascii = isAscii(bytes) ? bytes.toString('latin1') : undefined;
  // One object for the batch, moved along line by line (fastVerdict reads the sign from the bytes).
  const raw: RawBytes = { bytes, start: 0 };
  const lines = job.lines;
  let out = '';
  for (let i = 0; i < job.count; i++) {
    const start = lines[2 * i]!;
    const len = lines[2 * i + 1]!;
    const line = job.firstLine + i;
    if (start < 0) {
      out += tooLongRecord(line, len, tally) + '\n';
    } else {
      raw.start = start;
      out += (ascii !== undefined ? judgeText(ascii.slice(start, start + len), line, opts, tally, raw) : judgeLine(bytes.subarray(start, start + len), line, opts, tally)) + '\n';
    }
  }
  return { out, tally };
}
