/**
 * The shortcut for a pay_info in exactly the documented form (§2.1): `data=` + canonical
 * encodeURIComponent of compact JSON with the five fields in order + `&sign=` + canonical Base64
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

// Compact JSON with exactly the five fields, in order, each a plain string: no backslash escapes,
// quotes or control characters, so each capture is the parsed value and JSON.stringify of the
// object gives the text back. (One regex instead of parse + stringify + key checks: batch speed.)
const PLAIN = '"([^"\\\\\\u0000-\\u001f]*)"';
const DATA_RE = new RegExp(`^\\{${PAYINFO_FIELDS.map((f) => `"${f}":${PLAIN}`).join(',')}\\}$`);

/** The general path's result for a canonical pay_info, or undefined to send it there. Never throws. */
export function fastCheck(input: string, opts: FastOptions): { parsed: ParsedPayInfo; signature: SignatureResult; valid: boolean } | undefined {
  try {
    return fastUnsafe(input, opts);
  } catch {
    return undefined;
  }
}

function fastUnsafe(input: string, opts: FastOptions): { parsed: ParsedPayInfo; signature: SignatureResult; valid: boolean } | undefined {
  const n = input.length;
  if (n > MAX_PAYINFO_BYTES || !input.startsWith('data=')) return undefined;
  const amp = input.indexOf('&', 5);
  if (amp === -1 || !input.startsWith('sign=', amp + 1)) return undefined;
  const dataRaw = input.slice(5, amp);
  const signRaw = input.slice(amp + 6);
  const dataText = decodeURIComponent(dataRaw);
  const sign = decodeURIComponent(signRaw);
  const m = DATA_RE.exec(dataText);
  if (m === null) return undefined;
  const data: Record<string, unknown> = { appid: m[1], user_id: m[2], out_trade_no: m[3], product_id: m[4], pay_method: m[5] };
  for (let i = 0; i < PAYINFO_FIELDS.length; i++) if (checkParam(PAYINFO_FIELDS[i]!, m[i + 1]).length > 0) return undefined;
  if (opts.expectAppid !== undefined && data.appid !== opts.expectAppid) return undefined;
  // Both parts exactly as encodeURIComponent writes them: no raw &, +, quotes, spaces, lowercase
  // or needless escapes, so the general path would find nothing to say about the encoding.
  if (encodeURIComponent(dataText) !== dataRaw || encodeURIComponent(sign) !== signRaw) return undefined;

  // Canonical Base64 (it re-encodes to itself) is strict Base64 of exactly these bytes.
  const signBytes = Buffer.from(sign, 'base64');
  if (sign.length === 0 || signBytes.toString('base64') !== sign) return undefined;
  const key = opts.key;
  if (key ? signBytes.length !== Math.ceil(key.bits / 8) : !COMMON_SIGN_BYTES.includes(signBytes.length)) return undefined;

  const parsed: ParsedPayInfo = { length: n, issues: n > DOC_MAX_LENGTH ? [longIssue(n)] : [], encodedAgain: false, dataRaw, dataText, data, signRaw, sign, signBytes };
  if (!key) return { parsed, signature: { status: 'not-checked', reason: NO_KEY }, valid: true };
  const opened = openSignature(signBytes, key);
  if (!opened.ok || opened.hash !== 'sha256' || !hash('sha256', dataText, 'buffer').equals(opened.digest)) return undefined;
  const signature: SignatureResult = { status: 'verified', candidate: 'decoded-json', hash: 'sha256', keyFingerprint: key.fingerprint };
  if (opts.expectFingerprint) signature.expectedFingerprint = opts.expectFingerprint;
  return { parsed, signature, valid: true };
}
