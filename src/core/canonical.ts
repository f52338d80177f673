/**
 * The order API's string-to-sign (spec §1.4): drop `sign`, sort keys by UTF-16 code unit (Java's
 * Arrays.sort on the key strings, as the official demo does), join raw un-encoded `k=v` with `&`,
 * then append the offerKey directly — no `&`, no `key=`.
 */

export type ParamValue = string | number | boolean | null | undefined | readonly unknown[] | { readonly [k: string]: unknown };
export type Params = Readonly<Record<string, ParamValue>>;

/** Renders one parameter value as it is signed: strings raw, numbers as written, arrays/objects as compact JSON (§7 D2). */
export function paramText(value: ParamValue): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Code-unit order, the same as Java's String.compareTo; localeCompare would reorder `_` and capitals. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const SIGN_ONLY: readonly string[] = ['sign'];

/** The sorted `k=v&...` part, before the offerKey. Absent (undefined/null) values are skipped; empty strings are kept. */
export function joinParams(params: Params, opts: { exclude?: readonly string[] } = {}): string {
  const exclude = opts.exclude ?? SIGN_ONLY;
  // sort() without a comparator orders strings by UTF-16 code unit, as compareCodeUnits does, and
  // natively: the sandbox builds this string for every request it checks.
  const keys = Object.keys(params).sort();
  let out = '';
  for (const k of keys) {
    if (exclude.includes(k)) continue;
    const text = paramText(params[k]);
    if (text === undefined) continue;
    out += out === '' ? `${k}=${text}` : `&${k}=${text}`;
  }
  return out;
}

/** The full string-to-sign: joined parameters followed directly by the offerKey. */
export function canonicalString(params: Params, offerKey: string): string {
  return joinParams(params) + offerKey;
}
