/**
 * The report of one decoded pay_info, as `tacpay decode --json` prints it and the library's
 * decodePayInfo returns it: one shape and one builder for both, so they cannot drift.
 */
import { isOk, type Issue } from './issues.js';
import type { ParsedPayInfo } from './payinfo.js';
import { SCHEME } from './payinfo-scheme.js';
import type { SignatureResult } from './payinfo-signature.js';

export interface DecodeReport {
  input: { length: number };
  valid: boolean;
  data: Record<string, unknown> | null;
  sign: { base64Length: number | null; bytes: number | null };
  issues: Issue[];
  signature: SignatureResult & { scheme: string; keyBits?: number };
}

/** The report of `text`, parsed and with its signature judged; `keyBits` when a key was used. */
export function decodeReport(text: string, parsed: ParsedPayInfo, signature: SignatureResult, keyBits?: number): DecodeReport {
  return {
    input: { length: text.length },
    valid: isOk(parsed.issues) && signature.status !== 'failed',
    data: parsed.data ?? null,
    sign: { base64Length: parsed.sign?.length ?? null, bytes: parsed.signBytes?.length ?? null },
    issues: parsed.issues,
    signature: { ...signature, scheme: SCHEME, ...(keyBits !== undefined ? { keyBits } : {}) },
  };
}
