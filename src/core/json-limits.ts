/**
 * Limits for JSON that arrives inside parameters (sub_out_trade_no_list, platform_income_detail).
 * V8 parses very deep JSON, but JSON.stringify and every recursive walk afterwards overflow the
 * stack: one signed order with a list nested 6,000 deep used to crash each query of it, and the
 * notification queue behind it. The depth is measured by a scan, before anything is parsed.
 */

/** Deepest nesting accepted: the documented shapes need 2 (an array of flat objects). */
export const MAX_JSON_DEPTH = 8;
/** Longest JSON parameter accepted, in characters. */
export const MAX_JSON_CHARS = 16 * 1024;

/** Maximum nesting of arrays and objects in `text`, strings skipped (it stops counting past `stopAt`). */
export function jsonDepth(text: string, stopAt = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max && (max = depth) > stopAt) return max;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** Parses JSON that is within the limits; undefined when it is not JSON or too deep or too long. */
export function parseBoundedJson(text: string): unknown {
  if (text.length > MAX_JSON_CHARS || jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
