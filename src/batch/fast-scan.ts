/**
 * The shortcut for a pay_info in exactly the documented form (§2.1): `data=` + encodeURIComponent
 * of compact JSON with the five fields in order + `&sign=` + encodeURIComponent of strict Base64
 * of the key's size, signed (when a key is given) with SHA-256 over the decoded JSON. For such a
 * line it returns what the general path (payinfo.ts via qs, then payinfo-verify.ts) returns; for
 * anything else it returns undefined and the general path judges the input. A property test holds
 * the two equal. Why: batch verification must run near bare crypto.verify speed, and the general
 * path spends about as long as the RSA operation on parsing and diagnosis a clean line never needs.
 */
import { constants, hash, publicDecrypt } from 'node:crypto';
import { COMMON_SIGN_BYTES, DOC_MAX_LENGTH, longIssue, PAYINFO_FIELDS, type ParsedPayInfo } from '../core/payinfo.js';
import { MAX_PAYINFO_BYTES } from '../core/payinfo-input.js';
import { SHA256_DIGEST_INFO, type VerifyKey } from '../core/payinfo-rsa.js';
import { NO_KEY } from '../core/payinfo-scheme.js';
import type { SignatureResult } from '../core/payinfo-signature.js';
import { PARAM_RULES } from '../core/rules.js';

export interface FastOptions {
  key?: VerifyKey;
  expectAppid?: string;
  expectFingerprint?: string;
}

// The canonical line is a fixed skeleton (encodeURIComponent of the compact JSON keys and
// punctuation) around five values and the sign. Every valid value of the five fields is made of
// characters encodeURIComponent and JSON leave alone (see rules.ts, and BYTE_RULES below), so a
// value that passes its rule is at once its raw, decoded and JSON form, and the JSON text can be
// rebuilt from the line's bytes without decoding or parsing anything.
const latin1 = (s: string) => Buffer.from(s, 'latin1');
const SKELETON = PAYINFO_FIELDS.map((f, i) => latin1(`${i === 0 ? 'data=%7B' : '%2C'}%22${f}%22%3A%22`));
const CLOSE = latin1('%22%7D&sign=');
/** The decoded JSON before each value: `{"appid":"`, `","user_id":"`, ...; JSON_CLOSE follows the last. */
const JSON_OPEN = PAYINFO_FIELDS.map((f, i) => latin1(`${i === 0 ? '{' : '",'}"${f}":"`));
const JSON_CLOSE = latin1('"}');

/** A field's rule (rules.ts) as tests on bytes, so values are judged where they stand in the line. */
interface ByteRule {
  /** Indexed by byte: 1 where the rule's charset allows it and it stands unescaped in the line. */
  allowed: Uint8Array;
  min: number;
  max: number;
  /** A whole-value pattern (appid's TC + digits), tested on the value as a string, and the value last seen to match it. */
  format?: { pattern: RegExp; lastMatch: Uint8Array; lastLength: number };
  /** An enum's values: the value must be one of these exactly. */
  values?: readonly Uint8Array[];
}

// What encodeURIComponent leaves unescaped; none of these needs escaping in JSON either.
const UNRESERVED = /^[A-Za-z0-9\-_.!~*'()]$/;

/**
 * The rule of checkParam(field) as bytes: a value passes this exactly when checkParam finds no
 * issue in it (a property test holds the fast path to the general one). Built from rules.ts, so
 * the two cannot drift apart; a field whose rule has no byte form is a programming error.
 */
function byteRuleOf(field: string): ByteRule {
  const rule = PARAM_RULES[field];
  const allowed = new Uint8Array(256);
  for (let c = 0; c < 128; c++) {
    const ch = String.fromCharCode(c);
    if (UNRESERVED.test(ch) && !(rule?.kind === 'text' && rule.charset && !rule.charset.test(ch))) allowed[c] = 1;
  }
  if (rule?.kind === 'enum') {
    const values = rule.values.map(latin1);
    return { allowed, min: 1, max: Math.max(...values.map((v) => v.length)), values };
  }
  if (rule?.kind === 'text') {
    return { allowed, min: Math.max(1, rule.min ?? 1), max: rule.max, ...(rule.format ? { format: { pattern: rule.format, lastMatch: new Uint8Array(rule.max), lastLength: -1 } } : {}) };
  }
  throw new Error(`pay_info field ${field} has no rule the fast path can test on bytes`);
}
const BYTE_RULES = PAYINFO_FIELDS.map(byteRuleOf);

/** Whether raw[at, at + pattern.length) is pattern, all before `end`. */
function bytesAt(raw: Uint8Array, at: number, end: number, pattern: Uint8Array): boolean {
  if (at + pattern.length > end) return false;
  for (let k = 0; k < pattern.length; k++) if (raw[at + k] !== pattern[k]) return false;
  return true;
}

/** Whether raw[from, end) passes the rule, its bytes already known to be allowed ones. */
function valueOk(rule: ByteRule, raw: Uint8Array, from: number, end: number): boolean {
  const length = end - from;
  if (length < rule.min || length > rule.max) return false;
  if (rule.values) {
    for (const v of rule.values) if (v.length === length && bytesAt(raw, from, end, v)) return true;
    return false;
  }
  const format = rule.format;
  if (!format) return true;
  // A value equal to the last one that matched matches (appid is the same on nearly every line):
  // no string, no regex. Only a value that matched is remembered.
  if (format.lastLength === length && bytesAt(raw, from, end, format.lastMatch.subarray(0, length))) return true;
  let text = '';
  for (let k = from; k < end; k++) text += String.fromCharCode(raw[k]!);
  if (!format.pattern.test(text)) return false;
  format.lastMatch.set(raw.subarray(from, end));
  format.lastLength = length;
  return true;
}

/** Whether raw[from, end) is the ASCII string `text`. */
function isText(raw: Uint8Array, from: number, end: number, text: string): boolean {
  if (end - from !== text.length) return false;
  for (let k = 0; k < text.length; k++) if (raw[from + k] !== text.charCodeAt(k)) return false;
  return true;
}

// Base64 digits as they stand unescaped in encodeURIComponent's output: letters and digits only
// (it writes + / = as %2B %2F %3D; a raw + / = is for the general path, a form decoder's doing).
// Indexed by byte: the digit's value, ESCAPE for "%", -1 for anything else.
const ESCAPE = 64;
const DIGIT = new Int8Array(256).fill(-1);
for (let i = 0; i < 62; i++) DIGIT['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'.charCodeAt(i)] = i;
DIGIT[37] = ESCAPE;
/** One scratch buffer per thread for sign bytes: RSA-4096 at most is 512 bytes. */
const scratch = Buffer.alloc(COMMON_SIGN_BYTES[COMMON_SIGN_BYTES.length - 1]!);

/**
 * Decodes the raw sign (encodeURIComponent of Base64) from its bytes, raw[from, end), into scratch
 * in one pass, accepting only the canonical form: letters, digits, %2B, %2F, then at most two %3D
 * at the very end, the padding the length needs, and zero unused bits (so the text is exactly what
 * the bytes encode to). Returns the byte count, or -1 for anything else. Why four digits to three
 * bytes at a time: this loop is most of the JavaScript time per batch line.
 */
function decodeSign(raw: Uint8Array, from: number, end: number): number {
  const cap = scratch.length;
  let acc = 0;
  let digits = 0;
  let n = 0;
  let i = from;
  while (i < end) {
    let v = DIGIT[raw[i]!]!;
    if (v < 0) return -1;
    if (v === ESCAPE) {
      // %2B %2F are digits; %3D starts the padding. Nothing past `end` is read: it is the next line.
      if (i + 2 >= end) return -1;
      const a = raw[i + 1]!;
      const b = raw[i + 2]!;
      if (a === 50 && b === 66) v = 62;
      else if (a === 50 && b === 70) v = 63;
      else if (a === 51 && b === 68) break;
      else return -1;
      i += 3;
    } else {
      i++;
    }
    acc = (acc << 6) | v;
    if ((++digits & 3) === 0) {
      if (n + 3 > cap) return -1;
      scratch[n] = acc >> 16;
      scratch[n + 1] = (acc >> 8) & 255;
      scratch[n + 2] = acc & 255;
      n += 3;
      acc = 0;
    }
  }
  // Padding: "%3D" repeated to make the digit count a multiple of 4, then the end of the line.
  let pad = 0;
  while (i + 2 < end && raw[i] === 37 && raw[i + 1] === 51 && raw[i + 2] === 68) {
    pad++;
    i += 3;
  }
  const rest = digits & 3;
  if (i !== end || pad > 2 || pad !== (4 - rest) % 4) return -1;
  // The digits after the last full group: 3 carry 2 bytes and 2 unused bits, 2 carry 1 byte and 4
  // unused bits. Unused bits must be zero, or another text encodes the same bytes.
  if (rest === 3) {
    if ((acc & 3) !== 0 || n + 2 > cap) return -1;
    scratch[n] = acc >> 10;
    scratch[n + 1] = (acc >> 2) & 255;
    n += 2;
  } else if (rest === 2) {
    if ((acc & 15) !== 0 || n + 1 > cap) return -1;
    scratch[n] = acc >> 4;
    n += 1;
  }
  return n === 0 ? -1 : n;
}

/**
 * Where fastVerdictBytes found the five values in the line: value i (in PAYINFO_FIELDS order) is
 * raw[spans[2i], spans[2i+1]), and spans[DATA_END] is where the data part ends (the `%22%7D` that
 * closes it). Filled by each call.
 */
export type FieldSpans = Int32Array;
const DATA_END = 2 * PAYINFO_FIELDS.length;
export const newFieldSpans = (): FieldSpans => new Int32Array(DATA_END + 1);
/** The index of out_trade_no among the values: its span is spans[2i], spans[2i+1]. */
export const OUT_TRADE_NO = PAYINFO_FIELDS.indexOf('out_trade_no');

/**
 * Scans a canonical line, raw[start, end): the five values into spans and the sign into scratch.
 * Returns the sign's byte count, or -1 for anything else. Never reads outside [start, end).
 */
function scan(raw: Uint8Array, start: number, end: number, expectAppid: string | undefined, keyBytes: number | undefined, spans: FieldSpans): number {
  if (end - start > MAX_PAYINFO_BYTES) return -1;
  let p = start;
  for (let f = 0; f < SKELETON.length; f++) {
    const open = SKELETON[f]!;
    if (!bytesAt(raw, p, end, open)) return -1;
    p += open.length;
    const from = p;
    const rule = BYTE_RULES[f]!;
    const allowed = rule.allowed;
    while (p < end && allowed[raw[p]!] === 1) p++;
    // The value ends at its closing %22: "%" is never an allowed byte, so an escape inside a value
    // (which its rule would refuse) stops it here and fails this test.
    if (p + 3 > end || raw[p] !== 37 || raw[p + 1] !== 50 || raw[p + 2] !== 50 || !valueOk(rule, raw, from, p)) return -1;
    spans[2 * f] = from;
    spans[2 * f + 1] = p;
    // Past the %22 and into the next field's skeleton; the last value's %22 begins CLOSE.
    if (f < SKELETON.length - 1) p += 3;
  }
  if (!bytesAt(raw, p, end, CLOSE)) return -1;
  spans[DATA_END] = p;
  if (expectAppid !== undefined && !isText(raw, spans[0]!, spans[1]!, expectAppid)) return -1;
  const n = decodeSign(raw, p + CLOSE.length, end);
  if (n < 0 || (keyBytes !== undefined ? n !== keyBytes : !COMMON_SIGN_BYTES.includes(n))) return -1;
  return n;
}

/** One scratch buffer per thread for the decoded JSON text, big enough for the five values at their longest. */
const jsonScratch = Buffer.alloc([...JSON_OPEN, JSON_CLOSE].reduce((n, b) => n + b.length, 0) + BYTE_RULES.reduce((n, r) => n + r.max, 0));

/** The decoded JSON text of a scanned line, rebuilt from its values into jsonScratch; returns its length. */
function jsonText(raw: Uint8Array, spans: FieldSpans): number {
  let m = 0;
  for (let f = 0; f < JSON_OPEN.length; f++) {
    const open = JSON_OPEN[f]!;
    jsonScratch.set(open, m);
    m += open.length;
    const from = spans[2 * f]!;
    const to = spans[2 * f + 1]!;
    jsonScratch.set(raw.subarray(from, to), m);
    m += to - from;
  }
  jsonScratch.set(JSON_CLOSE, m);
  return m + JSON_CLOSE.length;
}

/**
 * RSASSA-PKCS1-v1_5 with SHA-256 over the decoded JSON (§7 D1's first candidate): the key opens the
 * signature to the SHA-256 DigestInfo of exactly that text, rebuilt here from the line's values.
 * Encode-and-compare, as payinfo-rsa.ts explains.
 */
function holds(raw: Uint8Array, spans: FieldSpans, signBytes: Buffer, key: VerifyKey): boolean {
  const m = jsonText(raw, spans);
  let em: Buffer;
  try {
    em = publicDecrypt({ key: key.publicKey, padding: constants.RSA_PKCS1_PADDING }, signBytes);
  } catch {
    return false;
  }
  const p = SHA256_DIGEST_INFO.length;
  if (em.length !== p + 32) return false;
  for (let k = 0; k < p; k++) if (em[k] !== SHA256_DIGEST_INFO[k]) return false;
  const digest = hash('sha256', jsonScratch.subarray(0, m), 'buffer') as unknown as Buffer;
  for (let k = 0; k < 32; k++) if (em[p + k] !== digest[k]) return false;
  return true;
}

/**
 * The batch verdict on one line, read from its bytes raw[start, end) (a batch buffer holds other
 * lines around it; nothing outside is read): whether the line is a canonical pay_info that is
 * valid (and verifies, when a key is given), exactly when fastCheck would answer valid for its
 * text. The values' places go into spans. Never throws. Why bytes: a batch line then needs no
 * string at all (no decoding, no slices, no JSON text), which was a tenth of the time per line and
 * most of what the garbage collector had to do.
 */
export function fastVerdictBytes(raw: Uint8Array, start: number, end: number, opts: FastOptions, spans: FieldSpans): boolean {
  return signCount(raw, start, end, opts, spans) >= 0;
}

/** fastVerdictBytes, giving the sign's byte count (the bytes are in scratch) instead of true, or -1. */
function signCount(raw: Uint8Array, start: number, end: number, opts: FastOptions, spans: FieldSpans): number {
  try {
    const key = opts.key;
    const n = scan(raw, start, end, opts.expectAppid, key ? Math.ceil(key.bits / 8) : undefined, spans);
    return n >= 0 && (!key || holds(raw, spans, scratch.subarray(0, n), key)) ? n : -1;
  } catch {
    return -1;
  }
}

/** A string's bytes for the byte path: UTF-8, which keeps ASCII as it is and turns anything else into bytes no rule allows. */
function bytesOf(input: string): Buffer | undefined {
  return input.length > MAX_PAYINFO_BYTES ? undefined : Buffer.from(input, 'utf8');
}

/** The general path's result for a canonical pay_info, or undefined to send it there. Never throws. */
export function fastCheck(input: string, opts: FastOptions): { parsed: ParsedPayInfo; signature: SignatureResult; valid: boolean } | undefined {
  try {
    const raw = bytesOf(input);
    if (!raw) return undefined;
    const spans = newFieldSpans();
    const signLength = signCount(raw, 0, raw.length, opts, spans);
    if (signLength < 0) return undefined;
    // Accepted bytes are all ASCII, so byte offsets are string offsets.
    const data = Object.fromEntries(PAYINFO_FIELDS.map((f, i) => [f, input.slice(spans[2 * i], spans[2 * i + 1])])) as ParsedPayInfo['data'];
    const dataEnd = spans[DATA_END]!;
    const signRaw = input.slice(dataEnd + CLOSE.length);
    const signBytes = Buffer.from(scratch.subarray(0, signLength));
    const n = input.length;
    const parsed: ParsedPayInfo = {
      length: n,
      issues: n > DOC_MAX_LENGTH ? [longIssue(n)] : [],
      encodedAgain: false,
      dataRaw: input.slice(5, dataEnd + 6),
      // The same bytes holds() hashes.
      dataText: jsonScratch.toString('latin1', 0, jsonText(raw, spans)),
      data,
      signRaw,
      // Canonical Base64 (decodeSign accepts nothing else) is what the bytes encode to.
      sign: signBytes.toString('base64'),
      signBytes,
    };
    const key = opts.key;
    if (!key) return { parsed, signature: { status: 'not-checked', reason: NO_KEY }, valid: true };
    const signature: SignatureResult = { status: 'verified', candidate: 'decoded-json', hash: 'sha256', keyFingerprint: key.fingerprint };
    if (opts.expectFingerprint) signature.expectedFingerprint = opts.expectFingerprint;
    return { parsed, signature, valid: true };
  } catch {
    return undefined;
  }
}
