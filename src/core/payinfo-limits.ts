/**
 * How deep and how long a pay_info's data JSON may be before decode refuses to take it apart.
 * Data nested 5,000 deep used to end `tacpay decode` in "internal error" (JSON.stringify, and every
 * recursive walk after JSON.parse, overflow the stack) and made `--json` output grow with the
 * square of the input (2 spaces of indentation per level, on every nested line).
 *
 * Decode's own limits, not json-limits.ts's (depth 8, 16 KiB, for the sandbox's JSON parameters),
 * though they scan the same way: those guard what a server stores and answers again, sized for the
 * shapes the order API documents for its parameters; these guard what one report prints, sized for
 * the data of a pay_info. Shared numbers would tie the two together: a parameter shape the sandbox
 * must one day accept would silently change what decode takes, and the bound on its output.
 */
import { jsonDepth } from './json-limits.js';
import { issue, type Issue } from './issues.js';
import { thousands } from './numbers.js';

/**
 * Deepest nesting judged. The documented data is one flat object (depth 1); 8 leaves room for
 * any object or list a merchant adds to it, and keeps pretty-printed `--json` output within ~20
 * bytes per input byte (the indentation of the deepest line).
 */
export const MAX_DATA_DEPTH = 8;
/**
 * Longest data JSON judged, in characters. The five documented fields at their longest make
 * about 530; this is 30 times that, and well inside the 64 KiB cap on the whole input.
 */
export const MAX_DATA_CHARS = 16 * 1024;

/** Why `jsonText` (the decoded data part) is not taken apart, or undefined when it is within the limits. */
export function dataLimitIssue(jsonText: string): Issue | undefined {
  if (jsonText.length > MAX_DATA_CHARS) {
    return issue('data.too-long', 'error', `the data is ${thousands(jsonText.length)} characters; decode takes apart at most ${thousands(MAX_DATA_CHARS)} (the documented example's is 129)`, {
      path: 'data',
      hint: 'data holds one flat JSON object with appid, user_id, out_trade_no, product_id, pay_method',
    });
  }
  if (jsonDepth(jsonText, MAX_DATA_DEPTH) > MAX_DATA_DEPTH) {
    return issue('data.too-deep', 'error', `the data nests deeper than ${MAX_DATA_DEPTH} levels of arrays and objects; a pay_info's data is one flat object`, {
      path: 'data',
      hint: 'data holds one flat JSON object with appid, user_id, out_trade_no, product_id, pay_method',
    });
  }
  return undefined;
}
