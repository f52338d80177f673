/**
 * Request parameters as users hand them over: `k=v` pairs, query strings, JSON objects. Parsing
 * them into Params, merging several sources, writing the request's query string, and the light
 * checks worth making before signing (`ts`, spec §1.4.4). Pure: no fs, no process, no clock of its own.
 */
import { compareCodeUnits, paramText, type ParamValue, type Params } from './canonical.js';
import { issue, type Issue, type Result } from './issues.js';

/** One parameter as parsed from a source, in the order given (the order matters to diagnosis). */
export type ParamEntry = readonly [key: string, value: ParamValue];

/** `--param k=v`: split at the first `=`; the value may be empty, the key may not. */
export function parseParamArg(arg: string): Result<ParamEntry> {
  const eq = arg.indexOf('=');
  if (eq === -1) {
    return {
      value: undefined,
      issues: [issue('param.no-equals', 'error', `"${arg}" has no "=": a parameter is written key=value`, { hint: `for an empty value write ${arg}=` })],
    };
  }
  const key = arg.slice(0, eq);
  if (key === '') {
    return { value: undefined, issues: [issue('param.empty-key', 'error', `"${arg}" has an empty name before "="`, { hint: 'write key=value, e.g. amount=1' })] };
  }
  return { value: [key, arg.slice(eq + 1)], issues: [] };
}

/** One `k=v` of a query string: the text as given and what it decoded to. */
export interface DecodedPair {
  key: string;
  value: string;
  rawKey: string;
  rawValue: string;
}

/**
 * Parses a query string with URLSearchParams, i.e. as an HTML form does: percent-escapes decode as
 * UTF-8 and `+` means a space. A leading `?` or a whole URL is accepted (the part after `?` is used).
 * Never throws: malformed escapes stay literal, as browsers leave them.
 */
export function parseQueryString(input: string): { value: DecodedPair[]; issues: Issue[] } {
  const issues: Issue[] = [];
  let query = input.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(query)) {
    const q = query.indexOf('?');
    query = q === -1 ? '' : query.slice(q + 1).replace(/#.*$/s, '');
    issues.push(issue('query.url', 'info', 'a whole URL was given; its query string (after ?) is used'));
  }
  query = query.replace(/^\?/, '');
  const pairs: DecodedPair[] = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawKey = eq === -1 ? part : part.slice(0, eq);
    const rawValue = eq === -1 ? '' : part.slice(eq + 1);
    // Percent-escapes decoded as UTF-8, "+" kept as a plus: the sandbox and the order API read a
    // query string so (the demo's raw Base64 sign carries + signs); only a form body makes it a space.
    const [[key, value] = ['', '']] = [...new URLSearchParams(`${rawKey.replace(/\+/g, '%2B')}=${rawValue.replace(/\+/g, '%2B')}`)];
    if (key === '') {
      issues.push(issue('query.empty-key', 'warning', `"${part}" in the query string has no name; ignored`));
      continue;
    }
    if ((value.includes('\uFFFD') && !rawValue.includes('\uFFFD')) || (key.includes('\uFFFD') && !rawKey.includes('\uFFFD'))) {
      issues.push(issue('query.bad-utf8', 'warning', `${key}: its percent-escapes are not valid UTF-8; the bad bytes became U+FFFD`, {
        hint: 'the values are signed as UTF-8; re-encode the query string from UTF-8 text',
        path: key,
      }));
    }
    // sign is left out of the string-to-sign, so a mangled one does not change it (--verify repairs it).
    if ((rawValue.includes('+') || rawKey.includes('+')) && key !== 'sign') {
      issues.push(issue('query.plus-is-plus', 'warning', `${key}: "+" is read as a literal plus, as the sandbox reads a query string, so the value is ${JSON.stringify(value)}`, {
        hint: 'write %20 for a space; a client that sends these parameters as a form body (+ means space there) signs another value',
        path: key,
      }));
    }
    pairs.push({ key, value, rawKey, rawValue });
  }
  return { value: pairs, issues };
}

/**
 * Parses a JSON object of parameters. Strings are signed as is; numbers, booleans, arrays and objects
 * as canonical.ts paramText renders them; null is left out of the string-to-sign.
 */
export function parseParamsJson(text: string): Result<ParamEntry[]> {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    return { value: undefined, issues: [issue('params.json', 'error', `not valid JSON: ${(err as Error).message}`, { hint: 'give a JSON object such as {"amount": "1", "user_id": "rickenwang"}' })] };
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    const what = doc === null ? 'null' : Array.isArray(doc) ? 'an array' : `a ${typeof doc}`;
    return { value: undefined, issues: [issue('params.not-object', 'error', `the JSON is ${what}, not an object of parameters`, { hint: 'give a JSON object such as {"amount": "1", "user_id": "rickenwang"}' })] };
  }
  const issues: Issue[] = [];
  const entries: ParamEntry[] = [];
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    if (value === null) {
      issues.push(issue('params.null', 'info', `${key} is null and is left out of the string-to-sign`, { path: key }));
    } else if (typeof value === 'number' && (!Number.isSafeInteger(value))) {
      // JSON.parse has already lost how the number was written (1.50, 1e3, digits past 2^53).
      issues.push(issue('params.number-text', 'warning', `${key} is the number ${String(value)}; it is signed as "${String(value)}", which may not be how your code writes it`, {
        hint: 'give the value as a JSON string to sign exactly that text',
        path: key,
      }));
    } else if (typeof value === 'object') {
      issues.push(issue('params.json-value', 'info', `${key} is signed as compact JSON (assumed, spec §7 D2: the docs do not say how)`, { path: key }));
    }
    entries.push([key, value as ParamValue]);
  }
  return { value: entries, issues };
}

/** Where a parameter came from, for messages: `--param`, `--query`, a file name. */
export interface ParamSource {
  label: string;
  entries: readonly ParamEntry[];
}

export interface MergedParams {
  /** Insertion order is the order first given; a later value replaces an earlier one in place. */
  params: Record<string, ParamValue>;
  /** Which source each key's final value came from. */
  origin: Record<string, string>;
  overrides: Array<{ key: string; from: string; to: string }>;
}

/** Merges sources in the order given: for a key given twice, the later value wins. */
export function mergeParams(sources: readonly ParamSource[]): MergedParams {
  // A Map, not an object: a key such as __proto__ must stay an ordinary parameter.
  const values = new Map<string, ParamValue>();
  const origin = new Map<string, string>();
  const overrides: MergedParams['overrides'] = [];
  for (const source of sources) {
    for (const [key, value] of source.entries) {
      const before = origin.get(key);
      if (before !== undefined) overrides.push({ key, from: before, to: source.label });
      values.set(key, value);
      origin.set(key, source.label);
    }
  }
  return { params: Object.fromEntries(values), origin: Object.fromEntries(origin), overrides };
}

/** RFC 3986 percent-encoding: encodeURIComponent plus the sub-delimiters it leaves alone. */
export function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/**
 * The request's query string, ready to send: parameters in the order they are signed, `sign` last,
 * every name and value RFC 3986 percent-encoded (spec §1.2: `+ / =` in a raw sign would be misread).
 */
export function requestQuery(params: Params, sign: string): string {
  const parts = Object.keys(params)
    .filter((k) => k !== 'sign')
    .sort(compareCodeUnits)
    .flatMap((k) => {
      const text = paramText(params[k]);
      return text === undefined ? [] : [`${encodeRfc3986(k)}=${encodeRfc3986(text)}`];
    });
  parts.push(`sign=${encodeRfc3986(sign)}`);
  return parts.join('&');
}

/** How far a `ts` lies from now, read both ways the documents allow (spec §1.4.4). */
export interface TsReading {
  ts: number;
  /** ts as the true Unix epoch: seconds from now (negative = in the past). */
  epochOffset: number;
  /** ts as epoch−28800, as every official example sends it: seconds from now. */
  beijingNaiveOffset: number;
  /** The reading closer to now. */
  closer: 'epoch' | 'beijing-naive';
}

/** The sandbox's accepted ts window (spec §7 D4); production's is unknown. */
export const TS_WINDOW_SECONDS = 300;
const BEIJING_OFFSET = 28800;

/** Checks `ts`: missing, not seconds, or far from now in both readings. Returns the readings when ts is a number. */
export function checkTs(params: Params, now: Date): { value: TsReading | undefined; issues: Issue[] } {
  const text = paramText(params.ts);
  if (text === undefined) {
    return {
      value: undefined,
      issues: [issue('ts.missing', 'warning', 'no ts parameter: the order API requires one', {
        hint: 'add ts=<unix seconds − 28800> as the official examples do (spec §1.4.4)',
        path: 'ts',
      })],
    };
  }
  if (!/^\d{1,15}$/.test(text)) {
    return { value: undefined, issues: [issue('ts.not-seconds', 'warning', `ts "${text}" is not a Unix time in whole seconds`, { hint: 'ts is 10 digits of seconds, e.g. 1519669241', path: 'ts' })] };
  }
  const ts = Number(text);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const epochOffset = ts - nowSeconds;
  const beijingNaiveOffset = ts + BEIJING_OFFSET - nowSeconds;
  const closer = Math.abs(beijingNaiveOffset) < Math.abs(epochOffset) ? 'beijing-naive' : 'epoch';
  const issues: Issue[] = [];
  if (text.length > 10) {
    issues.push(issue('ts.milliseconds', 'warning', `ts ${text} has ${text.length} digits: it looks like milliseconds`, { hint: 'ts is in seconds: divide by 1000', path: 'ts' }));
  } else if (Math.min(Math.abs(epochOffset), Math.abs(beijingNaiveOffset)) > TS_WINDOW_SECONDS) {
    issues.push(issue('ts.far', 'warning', `ts is ${describeOffset(epochOffset)} as epoch and ${describeOffset(beijingNaiveOffset)} as epoch−28800: outside any ±${TS_WINDOW_SECONDS} s window`, {
      hint: 'use a fresh ts: the sandbox accepts ±300 s (spec §7 D4); the production window is undocumented',
      path: 'ts',
    }));
  }
  return { value: { ts, epochOffset, beijingNaiveOffset, closer }, issues };
}

/** "3 min ago", "in 8 h", "now": a human distance for an offset in seconds. */
export function describeOffset(seconds: number): string {
  const a = Math.abs(seconds);
  let text: string;
  if (a < 2) return 'now';
  if (a < 90) text = `${a} s`;
  else if (a < 90 * 60) text = `${Math.round(a / 60)} min`;
  else if (a < 36 * 3600) text = `${Math.round(a / 360) / 10} h`;
  else if (a < 60 * 86400) text = `${Math.round(a / 86400)} days`;
  else text = `${Math.round(a / (365.25 * 8640)) / 10} years`;
  return seconds < 0 ? `${text} ago` : `in ${text}`;
}
