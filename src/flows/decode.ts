/**
 * One pay_info judged: what is inside, whether its signature holds and why not; the report that
 * `tacpay decode --json` prints and the library's decodePayInfo returns. Input that is no pay_info at
 * all (empty, binary, a whole file) is refused with its issues, for the caller to raise as its own
 * error. The verifier comes from the caller: the CLI loads it (and node:crypto with it) only when a
 * key is given, since `decode` without one must start as fast as bare node.
 */
import type { Issue } from '../core/issues.js';
import { checkInputText } from '../core/payinfo-input.js';
import { decodeReport, type DecodeReport } from '../core/payinfo-report.js';
import type { CheckOptions, PayInfoCheck } from '../core/payinfo-verify.js';
import { parsePayInfo } from '../core/payinfo.js';

export type Judged = { report: DecodeReport; refused?: undefined } | { report?: undefined; refused: Issue[] };

/**
 * Judges `text` against `check`; with a key in `check`, `verify` (core's checkPayInfo) checks the
 * signature, else it is reported not checked with `noKeyWords` as the reason.
 */
export function judgePayInfo(text: string, check: CheckOptions, noKeyWords: string, verify?: (text: string, check: CheckOptions) => PayInfoCheck): Judged {
  const fatal = checkInputText(text);
  if (fatal.length) return { refused: fatal };
  if (check.key && verify) {
    const { parsed, signature } = verify(text, check);
    return { report: decodeReport(text, parsed, signature, check.key.bits) };
  }
  const parsed = parsePayInfo(text, check.expectAppid !== undefined ? { expectAppid: check.expectAppid } : {});
  return { report: decodeReport(text, parsed, { status: 'not-checked', reason: noKeyWords }, check.key?.bits) };
}
