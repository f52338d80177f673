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
import { COMMON_SIGN_BYTES, DOC_MAX_LENGTH, longIssue, PAYINFO_FIELDS, type ParsedPayInfo } from './payinfo.js';
import { MAX_PAYINFO_BYTES } from './payinfo-input.js';
import { SHA256_DIGEST_INFO, type VerifyKey } from './payinfo-rsa.js';
import { NO_KEY } from './payinfo-scheme.js';
import type { SignatureResult } from './payinfo-verify.js';
import { checkParam } from './rules.js';

export interface FastOptions {
  key?: VerifyKey;
  expectAppid?: string;
  expectFingerprint?: string;
}

// The canonical line is a fixed skeleton (encodeURIComponent of the compact JSON keys and
// punctuation) around five values and the sign. Every valid value of the five fields is made of
// characters encodeURIComponent and JSON leave alone (see rules.ts), so a value that passes its
// rule is at once its raw, decoded and JSON form, and the JSON text can be rebuilt without
// decoding or parsing anything. (Walked with startsWith/indexOf: a regex over the line costs more.)
const SKELETON = PAYINFO_FIELDS.map((f, i) => `${i === 0 ? 'data=%7B' : '%2C'}%22${f}%22%3A%22`);
const CLOSE = '%22%7D&sign=';

/** What a canonical line holds: the five values, where the data part ends, and the sign's bytes. */
interface Scan {
  values: [appid: string, userId: string, outTradeNo: string, productId: string, payMethod: string];
  /** Index of the `%22%7D` that closes the data part. */
  dataEnd: number;
  /** The sign's bytes, in the per-thread scratch buffer: valid until the next scan. */
  signBytes: Buffer;
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
 * the bytes encode to). Returns the byte count, or -1 for anything else. Why bytes, not the string,
 * and four digits to three bytes at a time: this loop was a third of the JavaScript time per batch
 * line (a batch line is a slice of one string per batch, slow to read char by char).
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
 * The input's bytes when the caller has them: bytes[start + i] is input.charCodeAt(i) for every i
 * (an ASCII line read from a batch). Without them the sign is encoded to UTF-8 here, which keeps
 * ASCII as it is and turns anything else into bytes >= 0x80 that no digit matches.
 */
export interface RawBytes {
  bytes: Uint8Array;
  start: number;
}

/** Scans a canonical line; undefined for anything else. Never throws. */
function scan(input: string, expectAppid: string | undefined, keyBytes: number | undefined, raw?: RawBytes): Scan | undefined {
  if (input.length > MAX_PAYINFO_BYTES) return undefined;
  const values: string[] = [];
  let pos = 0;
  for (let i = 0; i < SKELETON.length; i++) {
    const open = SKELETON[i]!;
    if (!input.startsWith(open, pos)) return undefined;
    pos += open.length;
    const end = input.indexOf('%22', pos);
    if (end === -1) return undefined;
    const value = input.slice(pos, end);
    // A value with an escape in it fails its rule (none allows "%"), so it is never misread here.
    if (checkParam(PAYINFO_FIELDS[i]!, value).length > 0) return undefined;
    values.push(value);
    pos = i === SKELETON.length - 1 ? end : end + 3;
  }
  if (!input.startsWith(CLOSE, pos)) return undefined;
  if (expectAppid !== undefined && values[0] !== expectAppid) return undefined;
  const from = pos + CLOSE.length;
  let n: number;
  if (raw) {
    n = decodeSign(raw.bytes, raw.start + from, raw.start + input.length);
  } else {
    const tail = Buffer.from(input.slice(from), 'utf8');
    n = decodeSign(tail, 0, tail.length);
  }
  if (n < 0 || (keyBytes !== undefined ? n !== keyBytes : !COMMON_SIGN_BYTES.includes(n))) return undefined;
  return { values: values as Scan['values'], dataEnd: pos, signBytes: scratch.subarray(0, n) };
}

function dataTextOf([appid, userId, outTradeNo, productId, payMethod]: Scan['values']): string {
  return `{"appid":"${appid}","user_id":"${userId}","out_trade_no":"${outTradeNo}","product_id":"${productId}","pay_method":"${payMethod}"}`;
}

/**
 * RSASSA-PKCS1-v1_5 with SHA-256 over `text` (§7 D1's first candidate): the key opens the signature
 * to the SHA-256 DigestInfo of exactly this text. Encode-and-compare, as payinfo-rsa.ts explains.
 */
function holds(text: string, signBytes: Buffer, key: VerifyKey): boolean {
  let em: Buffer;
  try {
    em = publicDecrypt({ key: key.publicKey, padding: constants.RSA_PKCS1_PADDING }, signBytes);
  } catch {
    return false;
  }
  const p = SHA256_DIGEST_INFO.length;
  return em.length === p + 32 && em.compare(SHA256_DIGEST_INFO, 0, p, 0, p) === 0 && hash('sha256', text, 'buffer').compare(em, p) === 0;
}

/** The general path's result for a canonical pay_info, or undefined to send it there. Never throws. */
export function fastCheck(input: string, opts: FastOptions): { parsed: ParsedPayInfo; signature: SignatureResult; valid: boolean } | undefined {
  try {
    const key = opts.key;
    const s = scan(input, opts.expectAppid, key ? Math.ceil(key.bits / 8) : undefined);
    if (!s) return undefined;
    const [appid, userId, outTradeNo, productId, payMethod] = s.values;
    const dataText = dataTextOf(s.values);
    if (key && !holds(dataText, s.signBytes, key)) return undefined;
    const signBytes = Buffer.from(s.signBytes);
    const n = input.length;
    const parsed: ParsedPayInfo = {
      length: n,
      issues: n > DOC_MAX_LENGTH ? [longIssue(n)] : [],
      encodedAgain: false,
      dataRaw: input.slice(5, s.dataEnd + 6),
      dataText,
      data: { appid, user_id: userId, out_trade_no: outTradeNo, product_id: productId, pay_method: payMethod },
      signRaw: input.slice(s.dataEnd + CLOSE.length),
      // Canonical Base64 (decodeSign accepts nothing else) is what the bytes encode to.
      sign: signBytes.toString('base64'),
      signBytes,
    };
    if (!key) return { parsed, signature: { status: 'not-checked', reason: NO_KEY }, valid: true };
    const signature: SignatureResult = { status: 'verified', candidate: 'decoded-json', hash: 'sha256', keyFingerprint: key.fingerprint };
    if (opts.expectFingerprint) signature.expectedFingerprint = opts.expectFingerprint;
    return { parsed, signature, valid: true };
  } catch {
    return undefined;
  }
}

/**
 * fastCheck's verdict without its objects, for batch records: the out_trade_no of a canonical line
 * that is valid (and verifies, when a key is given), else undefined. A test holds it to fastCheck.
 * Why: a batch line needs only that, and building the full result is a fifth of the cost per line.
 */
export function fastVerdict(input: string, opts: FastOptions, raw?: RawBytes): string | undefined {
  try {
    const key = opts.key;
    const s = scan(input, opts.expectAppid, key ? Math.ceil(key.bits / 8) : undefined, raw);
    if (!s || (key && !holds(dataTextOf(s.values), s.signBytes, key))) return undefined;
    return s.values[2];
  } catch {
    return undefined;
  }
}
