/**
 * The shortcut for a pay_info in exactly the documented form (§2.1): `data=` + encodeURIComponent
 * of compact JSON with the five fields in order + `&sign=` + encodeURIComponent of strict Base64
 * of the key's size, signed (when a key is given) with SHA-256 over the decoded JSON. For such a
 * line it returns what the general path (payinfo.ts via qs, then payinfo-verify.ts) returns; for
 * anything else it returns undefined and the general path judges the input. A property test holds
 * the two equal. Why: batch verification must run near bare crypto.verify speed, and the general
 * path spends about as long as the RSA operation on parsing and diagnosis a clean line never needs.
 */
import { hash } from 'node:crypto';
import { COMMON_SIGN_BYTES, DOC_MAX_LENGTH, longIssue, PAYINFO_FIELDS, type ParsedPayInfo } from './payinfo.js';
import { MAX_PAYINFO_BYTES } from './payinfo-input.js';
import { openSignature, type VerifyKey } from './payinfo-rsa.js';
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

/** The general path's result for a canonical pay_info, or undefined to send it there. Never throws. */
export function fastCheck(input: string, opts: FastOptions): { parsed: ParsedPayInfo; signature: SignatureResult; valid: boolean } | undefined {
  try {
    return fastUnsafe(input, opts);
  } catch {
    return undefined;
  }
}

/** The sign decoded from raw text of letters, digits and `%2B` `%2F` `%3D` (as encodeURIComponent writes Base64); else undefined. */
function decodeSign(raw: string): string | undefined {
  let out = '';
  let from = 0;
  for (let at = raw.indexOf('%'); at !== -1; at = raw.indexOf('%', from)) {
    const a = raw.charCodeAt(at + 1);
    const b = raw.charCodeAt(at + 2);
    const c = a === 50 && b === 66 ? '+' : a === 50 && b === 70 ? '/' : a === 51 && b === 68 ? '=' : undefined; // 2B 2F 3D
    if (c === undefined) return undefined;
    out += raw.slice(from, at) + c;
    from = at + 3;
  }
  return out + raw.slice(from);
}

function fastUnsafe(input: string, opts: FastOptions): { parsed: ParsedPayInfo; signature: SignatureResult; valid: boolean } | undefined {
  const n = input.length;
  if (n > MAX_PAYINFO_BYTES) return undefined;
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
  const [appid, userId, outTradeNo, productId, payMethod] = values as [string, string, string, string, string];
  if (opts.expectAppid !== undefined && appid !== opts.expectAppid) return undefined;
  const data: Record<string, unknown> = { appid, user_id: userId, out_trade_no: outTradeNo, product_id: productId, pay_method: payMethod };
  const dataText = `{"appid":"${appid}","user_id":"${userId}","out_trade_no":"${outTradeNo}","product_id":"${productId}","pay_method":"${payMethod}"}`;

  const signRaw = input.slice(pos + CLOSE.length);
  // encodeURIComponent writes Base64's + / = as escapes (decodeSign accepts only those); raw ones,
  // or a raw &, are for the general path. (includes() is several times cheaper here than a regex.)
  if (signRaw.includes('+') || signRaw.includes('/') || signRaw.includes('=') || signRaw.includes('&')) return undefined;
  const sign = decodeSign(signRaw);
  if (sign === undefined || sign.length === 0) return undefined;
  // Canonical Base64 (it re-encodes to itself) is strict Base64 of exactly these bytes; it also
  // rules out any character outside the alphabet that Buffer.from would skip or read URL-safe.
  const signBytes = Buffer.from(sign, 'base64');
  if (signBytes.toString('base64') !== sign) return undefined;
  const key = opts.key;
  if (key ? signBytes.length !== Math.ceil(key.bits / 8) : !COMMON_SIGN_BYTES.includes(signBytes.length)) return undefined;

  const dataRaw = input.slice(5, pos + 6);
  const parsed: ParsedPayInfo = { length: n, issues: n > DOC_MAX_LENGTH ? [longIssue(n)] : [], encodedAgain: false, dataRaw, dataText, data, signRaw, sign, signBytes };
  if (!key) return { parsed, signature: { status: 'not-checked', reason: NO_KEY }, valid: true };
  const opened = openSignature(signBytes, key);
  if (!opened.ok || opened.hash !== 'sha256' || !hash('sha256', dataText, 'buffer').equals(opened.digest)) return undefined;
  const signature: SignatureResult = { status: 'verified', candidate: 'decoded-json', hash: 'sha256', keyFingerprint: key.fingerprint };
  if (opts.expectFingerprint) signature.expectedFingerprint = opts.expectFingerprint;
  return { parsed, signature, valid: true };
}
