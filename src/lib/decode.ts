/** What a pay_info holds and whether its signature holds (§7 D1): the report `tacpay decode --json` prints, built from core. */
import { isOk, type Issue } from '../core/issues.js';
import { checkInputText } from '../core/payinfo-input.js';
import { parsePayInfo, type ParsedPayInfo } from '../core/payinfo.js';
import { checkPayInfo, type SignatureResult } from '../core/payinfo-verify.js';
import { SCHEME } from '../core/payinfo-scheme.js';
import { fingerprintOf } from '../core/keys.js';
import { TacpayLibError } from './errors.js';
import { publicKeyFrom, type KeyInput } from './keys.js';
import type { KeyObject } from 'node:crypto';

export type { SignatureResult } from '../core/payinfo-verify.js';

/** The same document as `tacpay decode --json`. */
export interface DecodeReport {
  input: { length: number };
  valid: boolean;
  data: Record<string, unknown> | null;
  sign: { base64Length: number | null; bytes: number | null };
  issues: Issue[];
  signature: SignatureResult & { scheme: string; keyBits?: number };
}

export interface DecodeOptions {
  /** The platform public key; without it the signature is reported `not-checked`. */
  publicKey?: KeyInput;
  /** The offerId the pay_info must be for (an issue when it is not). */
  expectAppid?: string;
}

const NO_KEY_WORDS = 'no public key; pass --public-key or set platformPublicKey';

function keyFacts(key: KeyObject): { bits: number; fingerprint: string } {
  return { bits: key.asymmetricKeyDetails?.modulusLength ?? 0, fingerprint: fingerprintOf(key) };
}

/**
 * Decodes and judges one pay_info; throws TacpayLibError only for text that is no pay_info at all (empty, binary).
 * @example const report = decodePayInfo(payInfo, { publicKey: platformPem }); report.valid
 */
export function decodePayInfo(text: string, opts: DecodeOptions = {}): DecodeReport {
  const fatal = checkInputText(text);
  if (fatal.length) throw new TacpayLibError(fatal[0]!.message, fatal[0]!.code, fatal[0]!.hint);
  let parsed: ParsedPayInfo;
  let signature: SignatureResult;
  let keyBits: number | undefined;
  const expect = opts.expectAppid !== undefined ? { expectAppid: opts.expectAppid } : {};
  if (opts.publicKey !== undefined) {
    const publicKey = publicKeyFrom(opts.publicKey);
    const facts = keyFacts(publicKey);
    keyBits = facts.bits;
    ({ parsed, signature } = checkPayInfo(text, { ...expect, key: { publicKey, ...facts } }));
  } else {
    parsed = parsePayInfo(text, expect);
    signature = { status: 'not-checked', reason: NO_KEY_WORDS };
  }
  return {
    input: { length: text.length },
    valid: isOk(parsed.issues) && signature.status !== 'failed',
    data: parsed.data ?? null,
    sign: { base64Length: parsed.sign?.length ?? null, bytes: parsed.signBytes?.length ?? null },
    issues: parsed.issues,
    signature: { ...signature, scheme: SCHEME, ...(keyBits !== undefined ? { keyBits } : {}) },
  };
}
