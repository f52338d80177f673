/** What a pay_info holds and whether its signature holds (§7 D1): the report `tacpay decode --json` prints, built from core. */
import { checkPayInfo, type CheckOptions } from '../core/payinfo-verify.js';
import type { DecodeReport } from '../core/payinfo-report.js';
import { judgePayInfo } from '../flows/decode.js';
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
  const check: CheckOptions = opts.expectAppid !== undefined ? { expectAppid: opts.expectAppid } : {};
  if (opts.publicKey !== undefined) {
    const publicKey = publicKeyFrom(opts.publicKey);
    check.key = { publicKey, ...keyFacts(publicKey) };
  }
  const judged = judgePayInfo(text, check, NO_KEY_WORDS, checkPayInfo);
  if (judged.refused) throw new TacpayLibError(judged.refused[0]!.message, judged.refused[0]!.code, judged.refused[0]!.hint);
  return judged.report;
}
