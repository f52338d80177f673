/**
 * Parameter rules collected in spec §5.1 (and the order API tables of §1.3), as data plus one generic
 * checker, so `decode`, the request builder and the sandbox judge a value the same way. Every
 * finding carries a stable code `<param>.<problem>`; problems are one of:
 * missing, type, empty, too-short, too-long, charset, format, unknown-value, case, not-integer,
 * not-positive, negative, too-large.
 */
import { issue, type Issue, type Severity } from './issues.js';

interface TextRule {
  kind: 'text';
  min?: number;
  max: number;
  /** Allowed characters, as a single-character class test (applied to the whole value). */
  charset?: RegExp;
  charsetWords?: string;
  /** Whole-value pattern checked after the charset (e.g. TC + digits). */
  format?: RegExp;
  formatWords?: string;
  /** Severity of a format mismatch: some formats are observed, not documented (§5.1). */
  formatSeverity?: Severity;
}

interface EnumRule {
  kind: 'enum';
  values: readonly string[];
  /** Same letters, other case: an error unless listed here as a tolerated spelling (a warning). */
  toleratedCase?: readonly string[];
}

interface FenRule {
  kind: 'fen';
  /** Amounts must be > 0; platform shares may be 0. */
  allowZero: boolean;
}

export type ParamRule = (TextRule | EnumRule | FenRule) & { describe: string; hint?: string };

const ALNUM = /^[A-Za-z0-9]+$/;
const ID_CHARS = /^[A-Za-z0-9_.-]+$/;
const ID_WORDS = 'letters, digits, _ . -';
const ORDER_NO: ParamRule = { kind: 'text', max: 32, charset: ID_CHARS, charsetWords: ID_WORDS, describe: 'merchant order no.', hint: 'use at most 32 of: letters, digits, _ . - (e.g. a timestamp plus a random suffix)' };
const OFFER_ID: ParamRule = {
  kind: 'text',
  max: 32,
  format: /^TC\d+$/,
  formatWords: 'TC followed by digits (e.g. TC100008)',
  describe: 'offerId (the Midas appid)',
  hint: 'the offerId is shown in the Payment console, e.g. TC100008',
};
const CHANNEL: ParamRule = { kind: 'enum', values: ['wechat', 'qqwallet'], describe: 'payment channel', hint: 'use wechat or qqwallet (lowercase)' };
const FEN: ParamRule = { kind: 'fen', allowZero: false, describe: 'amount in fen (1 CNY = 100 fen)', hint: 'give a whole number of fen, e.g. 100 for 1.00 CNY' };
const SHARE: ParamRule = { kind: 'fen', allowZero: true, describe: 'share in fen', hint: 'give a whole number of fen, 0 or more' };

/** The rule table, keyed by parameter name as it appears on the wire. */
export const PARAM_RULES: Readonly<Record<string, ParamRule>> = {
  user_id: { kind: 'text', min: 5, max: 255, charset: ALNUM, charsetWords: 'letters and digits', describe: 'user id', hint: 'use 5–255 letters and digits, e.g. a hash of your own user id; a WeChat openId (it has _ and -) must be mapped to such an id first' },
  out_trade_no: ORDER_NO,
  sub_out_trade_no: ORDER_NO,
  refund_id: { ...ORDER_NO, describe: 'refund id' },
  billno: { ...ORDER_NO, describe: 'bill no.' },
  product_id: { kind: 'text', max: 128, charset: ID_CHARS, charsetWords: ID_WORDS, describe: 'product id', hint: 'use at most 128 of: letters, digits, _ . -' },
  product_name: { kind: 'text', min: 1, max: 128, describe: 'product name' },
  product_detail: { kind: 'text', min: 1, max: 255, describe: 'product detail' },
  metadata: { kind: 'text', max: 255, describe: 'metadata passed through to the callback' },
  sub_appid: { kind: 'text', max: 50, describe: 'sub-app id' },
  ts: { kind: 'text', min: 1, max: 10, format: /^\d+$/, formatWords: 'unix seconds, digits only', describe: 'timestamp' },
  offerId: OFFER_ID,
  appid: OFFER_ID,
  channel: CHANNEL,
  pay_method: CHANNEL,
  pay_channel: { kind: 'enum', values: ['wechat', 'qqwallet', 'bank'], describe: 'channel that was paid through' },
  // Demo proxies send lowercase `cny` (§1.3); tolerated with a warning, anything else is wrong.
  currency_type: { kind: 'enum', values: ['CNY'], toleratedCase: ['cny'], describe: 'currency', hint: 'use CNY' },
  amount: FEN,
  original_amount: FEN,
  platform_income: SHARE,
  buss_settle_amount: SHARE,
};

/** Whether `name` has a rule (unknown parameters are not judged by checkParam). */
export function hasRule(name: string): boolean {
  return Object.hasOwn(PARAM_RULES, name);
}

/** A short, quoted rendering of an untrusted value for messages (long values are cut). */
export function quoteValue(value: unknown): string {
  const text = typeof value === 'string' ? value : safeString(value);
  const cut = text.length > 40 ? text.slice(0, 37) + '...' : text;
  return JSON.stringify(cut);
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'object' && value !== null ? JSON.stringify(value) ?? String(value) : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Length in code points, counted only when UTF-16 length could exceed the limit. */
function codePoints(s: string, limit: number): number {
  if (s.length <= limit) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * Checks one parameter value against its rule. `path` names where the value sits (defaults to the
 * name). Unknown names give no issues: see hasRule. Never throws.
 */
export function checkParam(name: string, value: unknown, path: string = name): Issue[] {
  const rule = Object.hasOwn(PARAM_RULES, name) ? PARAM_RULES[name] : undefined;
  if (!rule) return [];
  // The common case (a valid value) allocates nothing but the empty result: batch decoding calls this per field.
  const problems =
    value === undefined || value === null
      ? [missing(name, rule)]
      : rule.kind === 'fen'
        ? listOf(checkFen(name, value, rule))
        : rule.kind === 'enum'
          ? listOf(checkEnum(name, value, rule))
          : checkText(name, value, rule);
  if (problems === undefined) return [];
  const extra = { path, ...(rule.hint ? { hint: rule.hint } : {}) };
  return problems.map(([code, severity, message]) => issue(`${name}.${code}`, severity, message, extra));
}

function listOf(p: Problem | undefined): Problem[] | undefined {
  return p === undefined ? undefined : [p];
}

type Problem = readonly [code: string, severity: Severity, message: string];

function missing(name: string, rule: ParamRule): Problem {
  return ['missing', 'error', `${name} (${rule.describe}) is missing`];
}

function checkText(name: string, value: unknown, rule: TextRule & { describe: string }): Problem[] | undefined {
  if (typeof value !== 'string') return [['type', 'error', `${name} must be a string, not ${typeName(value)}`]];
  if (value === '') return [['empty', 'error', `${name} (${rule.describe}) is empty`]];
  if (rule.charset && !rule.charset.test(value)) {
    const bad = [...value].find((c) => !rule.charset!.test(c)) ?? '';
    return [['charset', 'error', `${name} ${quoteValue(value)} contains ${JSON.stringify(bad)}; only ${rule.charsetWords} are allowed`]];
  }
  const length = codePoints(value, rule.max);
  const tooShort = rule.min !== undefined && length < rule.min;
  const badFormat = rule.format !== undefined && !rule.format.test(value);
  if (!tooShort && length <= rule.max && !badFormat) return undefined;
  const out: Problem[] = [];
  if (tooShort) out.push(['too-short', 'error', `${name} ${quoteValue(value)} is ${length} characters; it must be ${rule.min}–${rule.max}`]);
  else if (length > rule.max) out.push(['too-long', 'error', `${name} is ${length} characters; at most ${rule.max} are allowed`]);
  if (badFormat) out.push(['format', rule.formatSeverity ?? 'error', `${name} ${quoteValue(value)} is not ${rule.formatWords}`]);
  return out;
}

function checkEnum(name: string, value: unknown, rule: EnumRule & { describe: string }): Problem | undefined {
  if (typeof value !== 'string') return ['type', 'error', `${name} must be a string, not ${typeName(value)}`];
  if (rule.values.includes(value)) return undefined;
  const allowed = rule.values.join(' or ');
  if (rule.toleratedCase?.includes(value)) return ['case', 'warning', `${name} ${quoteValue(value)} is accepted by some demos, but the documented value is ${allowed}`];
  const sameLetters = rule.values.find((v) => v.toLowerCase() === value.toLowerCase());
  if (sameLetters) return ['case', 'error', `${name} ${quoteValue(value)} must be spelled ${JSON.stringify(sameLetters)}`];
  return ['unknown-value', 'error', `${name} ${quoteValue(value)} is not ${allowed}`];
}

function checkFen(name: string, value: unknown, rule: FenRule & { describe: string }): Problem | undefined {
  // The wire carries k=v text, JSON bodies carry numbers: accept both, judge the same way.
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^-?\d+$/.test(value)) n = Number(value);
  else if (typeof value === 'string') {
    const words = /^-?\d*\.\d+$/.test(value) ? ' (a decimal: amounts are whole fen, not yuan)' : '';
    return ['not-integer', 'error', `${name} ${quoteValue(value)} is not a whole number of fen${words}`];
  } else return ['type', 'error', `${name} must be a whole number of fen, not ${typeName(value)}`];
  if (!Number.isInteger(n)) return ['not-integer', 'error', `${name} ${quoteValue(value)} is not a whole number of fen (amounts are fen, not yuan)`];
  if (n < 0) return ['negative', 'error', `${name} ${quoteValue(value)} is negative`];
  if (n === 0 && !rule.allowZero) return ['not-positive', 'error', `${name} is 0; it must be at least 1 fen`];
  if (!Number.isSafeInteger(n)) return ['too-large', 'error', `${name} ${quoteValue(value)} is too large to be an amount`];
  return undefined;
}

function typeName(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
