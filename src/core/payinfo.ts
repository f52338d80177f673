/**
 * pay_info (spec §2.1): `"data=" + encodeURIComponent(compact JSON) + "&sign=" + encodeURIComponent(Base64)`.
 * Building it byte-identical to the documented examples, and taking any string apart into what it
 * holds plus issues with stable codes. Pure: no IO, never prints, never throws (a property test
 * holds it to that). Signature checks live in payinfo-verify.ts, which needs node:crypto.
 */
import qs from 'qs';
import { issue, type Issue } from './issues.js';
import { checkParam, quoteValue } from './rules.js';
import { checkInputText } from './payinfo-input.js';
import { dataLimitIssue } from './payinfo-limits.js';
import { base64Problem, encodingDifference, isStrictBase64, percentDecode, safeEncode, unwrap, type BadEscape } from './payinfo-encoding.js';

/** The data fields, in the documented order (§2.1). */
export const PAYINFO_FIELDS = ['appid', 'user_id', 'out_trade_no', 'product_id', 'pay_method'] as const;
export type PayInfoField = (typeof PAYINFO_FIELDS)[number];
export type PayInfoData = Record<PayInfoField, string>;

/** The order API table says pay_info is string[512], yet the documented example is 564 characters (§1.5). */
export const DOC_MAX_LENGTH = 512;
/** Signature sizes of the usual RSA keys (512 to 4096 bits). */
export const COMMON_SIGN_BYTES: readonly number[] = [64, 128, 256, 512];

export interface ParseOptions {
  /** The offerId the data's appid must equal. */
  expectAppid?: string;
  /** Size of the key that will verify, when known: the sign must be exactly that long. */
  keyBits?: number;
}

export interface ParsedPayInfo {
  /** Length of the input in characters. */
  length: number;
  issues: Issue[];
  /** Copy-paste wrapping removed before parsing, in words (the input as given would not work). */
  wrapping?: string;
  /** The whole input was percent-encoded once more; it was decoded once before parsing. */
  encodedAgain: boolean;
  /** The data part as it appears in the pay_info (percent-encoded). */
  dataRaw?: string;
  /** The data part percent-decoded once: the text §7 D1 assumes was signed. */
  dataText?: string;
  /** dataText decoded once more, when the data part was percent-encoded twice. */
  dataTwice?: string;
  dataBadEscape?: BadEscape;
  /** The data JSON object (from dataTwice when the part was encoded twice). */
  data?: Record<string, unknown>;
  signRaw?: string;
  /** The sign part percent-decoded once. */
  sign?: string;
  signTwice?: string;
  signBadEscape?: BadEscape;
  /** The signature bytes, when the sign is strict Base64. */
  signBytes?: Buffer;
}

/** Builds a pay_info exactly as the documented examples are built: compact JSON in field order, then encodeURIComponent. */
export function buildPayInfo(data: PayInfoData, signBase64: string): string {
  const ordered: Record<string, string> = {};
  for (const f of PAYINFO_FIELDS) ordered[f] = String(data[f] ?? '');
  return 'data=' + safeEncode(JSON.stringify(ordered)) + '&sign=' + safeEncode(String(signBase64));
}

// depth 0: `data[x]=1` stays a literal key instead of becoming an object. Keys are decoded here;
// values are kept raw so each part can be decoded strictly (qs would swallow a broken escape and
// turn `+` into a space, which are findings of their own). qs rewrites %5B/%5D to [ ] in the whole
// string before splitting (for its bracket syntax); values get the escapes back.
const QS_OPTIONS = {
  depth: 0,
  parameterLimit: 100,
  duplicates: 'combine' as const,
  allowPrototypes: false,
  decoder: (str: string, _d: unknown, _c: string, type: 'key' | 'value') =>
    type === 'key' ? percentDecode(str).text : str.includes('[') || str.includes(']') ? str.replace(/\[/g, '%5B').replace(/\]/g, '%5D') : str,
};

const longIssues = new Map<number, Issue>();

/**
 * The warning for a pay_info over the documented 512 characters (the documented example gets it
 * too). Nearly every real pay_info gets it, so one object per length is shared: treat issues as
 * read-only values.
 */
export function longIssue(length: number): Issue {
  let found = longIssues.get(length);
  if (!found) {
    found = issue('payinfo.long', 'warning', `the pay_info is ${length} characters; the order API table says at most ${DOC_MAX_LENGTH}, but its own example is 564`, { hint: 'store pay_info in a column or field that takes at least 1024 characters' });
    if (longIssues.size < 4096) longIssues.set(length, found);
  }
  return found;
}

/** Takes a pay_info apart and judges it. Never throws: an unexpected failure becomes a `payinfo.internal` issue. */
export function parsePayInfo(input: string, opts: ParseOptions = {}): ParsedPayInfo {
  const out: ParsedPayInfo = { length: typeof input === 'string' ? input.length : 0, issues: [], encodedAgain: false };
  try {
    parseInto(out, String(input), opts);
  } catch (err) {
    out.issues.push(issue('payinfo.internal', 'error', `the pay_info could not be judged (${(err as Error)?.message ?? String(err)})`, { hint: 'this is a bug in tacpay; please report it' }));
  }
  return out;
}

function parseInto(out: ParsedPayInfo, input: string, opts: ParseOptions): void {
  const issues = out.issues;
  const fatal = checkInputText(input);
  if (fatal.length) {
    issues.push(...fatal);
    return;
  }
  let core = input;
  const { core: unwrapped, removed } = unwrap(input);
  if (removed) {
    core = unwrapped;
    out.wrapping = removed;
    issues.push(issue('payinfo.stray-wrapping', 'error', `the pay_info has ${removed} around it (copy-paste?); the SDK would receive them too`, { hint: 'pass exactly the pay_info value, without quotes or surrounding whitespace' }));
  }
  if (/^data%3D/i.test(core) && !core.includes('&')) {
    const again = percentDecode(core);
    if (!again.bad) {
      core = again.text;
      out.encodedAgain = true;
      issues.push(issue('payinfo.encoded-again', 'error', 'the whole pay_info is percent-encoded once more (it starts data%3D, not data=)', { hint: 'pass pay_info as the order response gave it; do not URL-encode it again' }));
    }
  }
  if (core.length > DOC_MAX_LENGTH) issues.push(longIssue(core.length));
  const plus = core.indexOf('+');
  if (plus !== -1) {
    issues.push(issue('payinfo.raw-plus', 'error', `the pay_info holds a raw "+" (offset ${plus}); form decoders (qs, URLSearchParams, PHP, Java URLDecoder) read it as a space`, { hint: 'build pay_info with encodeURIComponent, which writes + as %2B' }));
  }

  const parts = qs.parse(core, QS_OPTIONS) as Record<string, unknown>;
  const dataRaw = takePart(parts, 'data', issues);
  const signRaw = takePart(parts, 'sign', issues);
  const extra = Object.keys(parts).filter((k) => k !== 'data' && k !== 'sign');
  if (extra.length) {
    const names = extra.slice(0, 5).map((k) => quoteValue(k)).join(', ');
    issues.push(issue('payinfo.extra-part', 'warning', `the pay_info has parts other than data and sign: ${names}`, { hint: 'pay_info is exactly data=...&sign=...' }));
  }
  if (dataRaw === undefined) issues.push(missingPart('data', extra, core));
  if (signRaw === undefined) issues.push(missingPart('sign', extra, core));
  if (dataRaw !== undefined) judgeData(out, dataRaw, opts);
  if (signRaw !== undefined) judgeSign(out, signRaw, opts);
}

/** The raw value of one part; duplicates and nested forms are issues. */
function takePart(parts: Record<string, unknown>, name: 'data' | 'sign', issues: Issue[]): string | undefined {
  if (!Object.hasOwn(parts, name)) return undefined;
  let value = parts[name];
  if (Array.isArray(value)) {
    issues.push(issue('payinfo.duplicate-part', 'error', `the pay_info has ${value.length} "${name}" parts; which one a decoder takes differs (first, last or both)`, { path: name, hint: 'pay_info has exactly one data and one sign part' }));
    value = value[0];
  }
  return typeof value === 'string' ? value : undefined;
}

function missingPart(name: 'data' | 'sign', extra: readonly string[], core: string): Issue {
  const near = extra.find((k) => k.replace(/^[?#&]+/, '').toLowerCase() === name);
  let hint = `pay_info is data=<percent-encoded JSON>&sign=<percent-encoded Base64>`;
  if (near !== undefined) hint = `there is a part named ${quoteValue(near)}: the name must be exactly "${name}"`;
  else if (/^\s*\{/.test(core)) hint = 'this looks like the bare data JSON; pass the whole pay_info (data=...&sign=...)';
  else if (name === 'sign' && extra.length === 0 && core.startsWith('data=')) hint = 'the pay_info is cut short: the &sign=... part is missing';
  return issue(`payinfo.missing-${name}`, 'error', `the pay_info has no ${name} part`, { path: name, hint });
}

function badEscapeIssue(part: 'data' | 'sign', bad: BadEscape): Issue {
  const why = bad.why === 'malformed' ? 'is not % followed by two hex digits' : 'is not valid UTF-8 (a truncated multi-byte escape?)';
  return issue('payinfo.bad-percent-encoding', 'error', `the ${part} part has a broken percent-escape: ${JSON.stringify(bad.seq)} at offset ${bad.offset} ${why}`, {
    path: part,
    hint: 'the pay_info was cut or edited; copy it again from the order response',
  });
}

function judgeData(out: ParsedPayInfo, raw: string, opts: ParseOptions): void {
  const issues = out.issues;
  out.dataRaw = raw;
  const once = percentDecode(raw);
  out.dataText = once.text;
  if (once.bad) {
    out.dataBadEscape = once.bad;
    issues.push(badEscapeIssue('data', once.bad));
  } else {
    const diff = encodingDifference(plusAsEscape(raw), once.text);
    if (diff) issues.push(issue('payinfo.nonstandard-encoding', 'warning', `the data part is not encoded the way encodeURIComponent does it: ${diff}`, { path: 'data', hint: 'build pay_info with encodeURIComponent (§2.1)' }));
  }
  if (raw === '') {
    issues.push(issue('data.empty', 'error', 'the data part is empty', { path: 'data', hint: 'data holds the percent-encoded order JSON' }));
    return;
  }
  let jsonText = once.text;
  // Encoded twice: decoded once it is still `%7B...`, decoded twice it is `{...}`. A JSON value that
  // merely holds a `%` is not this.
  if (raw.includes('%25') && !looksLikeObject(once.text) && /%[0-9A-Fa-f]{2}/.test(once.text)) {
    const twice = percentDecode(once.text);
    if (!twice.bad && looksLikeObject(twice.text)) {
      out.dataTwice = twice.text;
      jsonText = twice.text;
      issues.push(issue('data.double-encoded', 'error', 'the data part is percent-encoded twice (%25 escapes); decoded once it is still %7B...', { path: 'data', hint: 'encode the JSON once, with encodeURIComponent' }));
    }
  }
  // Before parsing: what is past the limits is never parsed, printed or walked (payinfo-limits.ts).
  const limit = dataLimitIssue(jsonText);
  if (limit) {
    issues.push(limit);
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(jsonText);
  } catch (err) {
    issues.push(issue('data.not-json', 'error', `the data is not JSON: ${(err as Error).message}`, { path: 'data', hint: 'data holds the order JSON, e.g. {"appid":"TC100008",...}' }));
    return;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    issues.push(issue('data.not-object', 'error', `the data is JSON ${Array.isArray(parsed) ? 'array' : parsed === null ? 'null' : typeof parsed}, not an object`, { path: 'data', hint: 'data holds one JSON object with appid, user_id, out_trade_no, product_id, pay_method' }));
    return;
  }
  const data = parsed as Record<string, unknown>;
  out.data = data;
  judgeFields(data, jsonText, issues, opts);
}

/** A raw `+` has its own finding (payinfo.raw-plus); compare the rest as if it were %2B. */
function plusAsEscape(raw: string): string {
  return raw.includes('+') ? raw.replace(/\+/g, '%2B') : raw;
}

function looksLikeObject(text: string): boolean {
  return /^\s*\{/.test(text);
}

function judgeFields(data: Record<string, unknown>, jsonText: string, issues: Issue[], opts: ParseOptions): void {
  if (JSON.stringify(data) !== jsonText) {
    issues.push(issue('data.not-compact', 'warning', 'the data JSON is not in compact form (whitespace or escapes differ from JSON.stringify); a signature over the compact form will not match it', { path: 'data', hint: 'serialize the JSON compactly, once, and sign exactly those bytes' }));
  }
  // One pass over the keys: documented order, extra fields (this runs per batch line).
  const keys = Object.keys(data);
  let last = -1;
  let ordered = true;
  let extra: string[] | undefined;
  for (const k of keys) {
    const at = (PAYINFO_FIELDS as readonly string[]).indexOf(k);
    if (at === -1) (extra ??= []).push(k);
    else if (at < last) ordered = false;
    else last = at;
  }
  if (!ordered) {
    const known = keys.filter((k) => (PAYINFO_FIELDS as readonly string[]).includes(k));
    issues.push(issue('data.key-order', 'info', `the data keys are in the order ${known.join(', ')}; the documented order is ${PAYINFO_FIELDS.join(', ')}`, { path: 'data' }));
  }
  for (const f of PAYINFO_FIELDS) {
    if (!Object.hasOwn(data, f)) {
      issues.push(issue('data.missing-field', 'error', `the data has no ${f}`, { path: `data.${f}`, hint: `data holds ${PAYINFO_FIELDS.join(', ')}` }));
      continue;
    }
    const found = checkParam(f, data[f], `data.${f}`);
    if (found.length) issues.push(...found);
  }
  if (extra) {
    issues.push(issue('data.extra-field', 'warning', `the data has fields the documented pay_info does not: ${extra.slice(0, 5).map((k) => quoteValue(k)).join(', ')}`, { path: 'data', hint: `documented fields: ${PAYINFO_FIELDS.join(', ')}` }));
  }
  const appid = data.appid;
  if (opts.expectAppid !== undefined && typeof appid === 'string' && appid !== opts.expectAppid) {
    issues.push(issue('appid.unexpected', 'error', `appid ${quoteValue(appid)} is not the expected offerId ${quoteValue(opts.expectAppid)}`, { path: 'data.appid', hint: 'this pay_info was made for another app, or the expected offerId is wrong' }));
  }
}

function judgeSign(out: ParsedPayInfo, raw: string, opts: ParseOptions): void {
  const issues = out.issues;
  out.signRaw = raw;
  const once = percentDecode(raw);
  const sign = once.text;
  out.sign = sign;
  if (once.bad) {
    out.signBadEscape = once.bad;
    issues.push(badEscapeIssue('sign', once.bad));
  } else {
    const diff = encodingDifference(plusAsEscape(raw), sign);
    if (diff) issues.push(issue('payinfo.nonstandard-encoding', 'warning', `the sign part is not encoded the way encodeURIComponent does it: ${diff}`, { path: 'sign', hint: 'build pay_info with encodeURIComponent (§2.1)' }));
  }
  if (sign === '') {
    issues.push(issue('sign.empty', 'error', 'the sign is empty', { path: 'sign', hint: 'the pay_info was not signed, or the sign was lost on the way' }));
    return;
  }
  if (isStrictBase64(sign)) {
    out.signBytes = Buffer.from(sign, 'base64');
    judgeSignLength(out.signBytes.length, issues, opts);
    return;
  }
  if (raw.includes('%25') && /%(?:2B|2F|3D)/i.test(sign)) {
    const twice = percentDecode(sign);
    if (!twice.bad && isStrictBase64(twice.text)) {
      out.signTwice = twice.text;
      issues.push(issue('sign.double-encoded', 'error', 'the sign is percent-encoded twice (%25 escapes); decoded once it still holds %2B / %2F / %3D', { path: 'sign', hint: 'encode the Base64 sign once, with encodeURIComponent' }));
      return;
    }
  }
  const problem = base64Problem(sign);
  const hint =
    problem.code === 'spaces'
      ? 'a form decoder (URLSearchParams, PHP urldecode, Java URLDecoder) turned "+" into spaces: pass the pay_info untouched, or encode + as %2B'
      : problem.code === 'url-safe'
        ? 'the sign must be standard Base64 (+ and /), percent-encoded'
        : 'copy the pay_info again from the order response';
  issues.push(issue(`sign.${problem.code}`, 'error', `the sign is not strict Base64: it ${problem.words}`, { path: 'sign', hint }));
}

function judgeSignLength(bytes: number, issues: Issue[], opts: ParseOptions): void {
  if (opts.keyBits) {
    const want = Math.ceil(opts.keyBits / 8);
    if (bytes !== want) {
      issues.push(issue('sign.length-mismatch', 'error', `the sign is ${bytes} bytes, but an RSA-${opts.keyBits} signature is ${want} bytes`, { path: 'sign', hint: bytes < want ? 'the sign looks cut short: copy the pay_info again' : 'the pay_info was signed with a different (larger) key' }));
    }
  } else if (!COMMON_SIGN_BYTES.includes(bytes)) {
    issues.push(issue('sign.unusual-length', 'warning', `the sign is ${bytes} bytes; RSA signatures are 64, 128, 256 or 512 bytes (512 to 4096-bit keys)`, { path: 'sign', hint: 'the sign may be cut short; the documented examples are 256 bytes (RSA-2048)' }));
  }
}
