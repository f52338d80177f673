/** Request signing for a merchant's own code (spec §1.4): the same canonical string and signature the CLI and the client use. */
import { canonicalString as coreCanonical, paramText, type Params } from '../core/canonical.js';
import { signText } from '../core/signature.js';
import { makeTs, type TsMode } from '../core/timestamp.js';
import { privateKeyFrom, type KeyInput } from './keys.js';

export type { Params, ParamValue } from '../core/canonical.js';
export type { TsMode } from '../core/timestamp.js';

/**
 * The string-to-sign: parameters but `sign`, sorted by code unit, `k=v` joined with `&`, then the offerKey.
 * @example canonicalString({ user_id: 'user01', amount: 1 }, offerKey) // 'amount=1&user_id=user01' + offerKey
 */
export function canonicalString(params: Params, offerKey: string): string {
  return coreCanonical(params, offerKey);
}

export interface SignOptions {
  offerKey: string;
  privateKey: KeyInput;
  /** How `ts` is made when absent: `beijing-naive` (epoch − 28800, as every official example) by default, or `epoch`. */
  tsMode?: TsMode;
  now?: Date;
}

/**
 * The parameters as sent: every value as text, `ts` added unless given, and `sign` (SHA256withRSA, Base64).
 * @example const signed = signRequest({ user_id: 'user01', out_trade_no: 'o1' }, { offerKey, privateKey: pem })
 */
export function signRequest(params: Params, opts: SignOptions): Record<string, string> & { ts: string; sign: string } {
  const key = privateKeyFrom(opts.privateKey);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    if (k === 'sign') continue;
    const text = paramText(v);
    if (text !== undefined) out[k] = text;
  }
  out.ts ??= makeTs(opts.now ?? new Date(), opts.tsMode ?? 'beijing-naive');
  return { ...out, ts: out.ts, sign: signText(coreCanonical(out, opts.offerKey), key) };
}
