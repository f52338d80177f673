/** What a pay_info holds and whether its signature holds (§7 D1): the report `tacpay decode --json` prints, built from core. */
import { checkInputText } from '../core/payinfo-input.js';
import { parsePayInfo, type ParsedPayInfo } from '../core/payinfo.js';
import { checkPayInfo, type SignatureResult } from '../core/payinfo-verify.js';
import { decodeReport, type DecodeReport } from '../core/payinfo-report.js';
import { fingerprintOf } from '../core/keys.js';
import { TacpayLibError } from './errors.js';
import { publicKeyFrom, type KeyInput } from './keys.js';
import type { KeyObject } from 'node:crypto';

export type { SignatureResult } from '../core/payinfo-verify.js';

/** The same document as `tacpay decode --json`. */
export type { DecodeReport } from '../core/payinfo-report.js';

export interface DecodeOptions {
  /** The platform public key; without it the signature is reported `not-checked`. */
  publicKey?: KeyInput;
  /** The offerId the pay_info must be for (an issue when it is not). */
  expectAppid?: string;
}

const NO_KEY_WORDS = 'no public key; pass { publicKey } to check the signature';

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
  return decodeReport(text, parsed, signature, keyBits);
}
