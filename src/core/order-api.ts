/**
 * The order API's server calls as data (spec §1.3, §3.2–3.5): which parameters each takes, which
 * are required, and which "one of" groups apply. The client checks a request against this before
 * signing it, and the sandbox checks what it receives against the same table.
 */
import { checkParam } from './rules.js';
import { issue, type Issue } from './issues.js';
import { jsonDepth, MAX_JSON_CHARS, MAX_JSON_DEPTH } from './json-limits.js';
import type { Params } from './canonical.js';

export type ApiName = 'unified_order' | 'query_order' | 'close_order' | 'refund' | 'query_refund';

export interface ApiSpec {
  name: ApiName;
  required: readonly string[];
  optional: readonly string[];
  /** At least one of these must be present (if both, the first wins, as the docs say). */
  oneOf?: readonly string[];
}

const BY_ORDER = ['out_trade_no', 'transaction_id'] as const;

export const API_SPECS: Readonly<Record<ApiName, ApiSpec>> = {
  unified_order: {
    name: 'unified_order',
    required: ['user_id', 'out_trade_no', 'product_id', 'currency_type', 'amount', 'product_name', 'product_detail', 'ts', 'sign'],
    optional: [
      'sub_appid', 'channel', 'type', 'metadata', 'num', 'callback_url', 'wx_openid', 'platform_income', 'buss_settle_amount',
      'platform_income_detail', 'sub_out_trade_no_list', 'order_valid_time', 'original_amount',
    ],
  },
  // `type` picks the shape: by_order needs out_trade_no or transaction_id; by_user a time range and paging.
  query_order: { name: 'query_order', required: ['user_id', 'type', 'ts', 'sign'], optional: [...BY_ORDER, 'starttime', 'endtime', 'num', 'off_set'] },
  close_order: { name: 'close_order', required: ['user_id', 'ts', 'sign'], optional: [], oneOf: BY_ORDER },
  refund: {
    name: 'refund',
    required: ['user_id', 'refund_id', 'amount', 'ts', 'sign'],
    optional: ['platform_income', 'buss_settle_amount', 'platform_income_detail', 'sub_out_trade_no'],
    oneOf: BY_ORDER,
  },
  query_refund: { name: 'query_refund', required: ['user_id', 'refund_id', 'ts', 'sign'], optional: [] },
};

export const API_NAMES = Object.keys(API_SPECS) as ApiName[];

/** Whether `name` is one of the served APIs. */
export function isApiName(name: string): name is ApiName {
  return Object.hasOwn(API_SPECS, name);
}

const JSON_PARAMS = new Set(['platform_income_detail', 'sub_out_trade_no_list']);
const INT_PARAMS = new Set(['num', 'off_set', 'order_valid_time', 'starttime', 'endtime']);
/** Upper bounds of the integer parameters: epoch seconds up to 2100, a year of validity, sane paging. */
const INT_MAX: Readonly<Record<string, number>> = { num: 10_000, off_set: 1_000_000_000, order_valid_time: 31_536_000, starttime: 4_102_444_800, endtime: 4_102_444_800 };

/**
 * Checks a request's parameters against the API table and the §5.1 rules. `sign` presence is
 * checked by the caller (the sandbox reports a missing sign as a signature failure, ret 1001).
 */
export function checkRequest(api: ApiName, params: Params): Issue[] {
  const spec = API_SPECS[api];
  const out: Issue[] = [];
  for (const name of spec.required) {
    if (name === 'sign') continue;
    const v = params[name];
    if (v === undefined || v === null || v === '') out.push(issue(`${name}.missing`, 'error', `${name} is required for ${api}`, { path: name }));
    else out.push(...checkParam(name, v));
  }
  for (const name of spec.optional) {
    const v = params[name];
    if (v === undefined || v === null || v === '') continue;
    if (JSON_PARAMS.has(name)) out.push(...checkJsonParam(name, v));
    else if (INT_PARAMS.has(name) && !/^\d+$/.test(String(v))) out.push(issue(`${name}.not-integer`, 'error', `${name} must be a whole number, got ${JSON.stringify(String(v)).slice(0, 40)}`, { path: name }));
    else if (INT_PARAMS.has(name) && Number(v) > INT_MAX[name]!) out.push(issue(`${name}.out-of-range`, 'error', `${name} ${String(v).slice(0, 24)} is out of range (at most ${INT_MAX[name]})`, { path: name }));
    else out.push(...checkParam(name, v));
  }
  if (spec.oneOf && !spec.oneOf.some((n) => params[n] !== undefined && params[n] !== '')) {
    out.push(issue(`${spec.oneOf.join('|')}.missing`, 'error', `${api} needs ${spec.oneOf.join(' or ')}`, { path: spec.oneOf[0]! }));
  }
  if (api === 'query_order') out.push(...checkQueryShape(params));
  return out;
}

function checkQueryShape(params: Params): Issue[] {
  const type = params.type;
  if (type === 'by_order') {
    return BY_ORDER.some((n) => params[n] !== undefined && params[n] !== '')
      ? []
      : [issue('out_trade_no|transaction_id.missing', 'error', 'query_order type=by_order needs out_trade_no or transaction_id', { path: 'out_trade_no' })];
  }
  if (type === 'by_user') {
    return ['starttime', 'endtime', 'num', 'off_set']
      .filter((n) => params[n] === undefined || params[n] === '')
      .map((n) => issue(`${n}.missing`, 'error', `query_order type=by_user needs ${n}`, { path: n }));
  }
  if (type === undefined || type === '') return [];
  return [issue('type.unknown-value', 'error', `query_order type ${JSON.stringify(String(type)).slice(0, 40)} is not by_order or by_user`, { path: 'type' })];
}

function checkJsonParam(name: string, value: unknown): Issue[] {
  if (typeof value !== 'string') return [];
  if (value.length > MAX_JSON_CHARS) return [issue(`${name}.too-long`, 'error', `${name} is ${value.length} characters; at most ${MAX_JSON_CHARS} are accepted`, { path: name })];
  const depth = jsonDepth(value, MAX_JSON_DEPTH);
  if (depth > MAX_JSON_DEPTH) return [issue(`${name}.too-deep`, 'error', `${name} nests more than ${MAX_JSON_DEPTH} levels deep; the documented shape is an array of flat objects`, { path: name })];
  try {
    const parsed: unknown = JSON.parse(value);
    const ok = name === 'sub_out_trade_no_list' ? Array.isArray(parsed) : parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
    return ok ? [] : [issue(`${name}.format`, 'error', `${name} must be a JSON ${name === 'sub_out_trade_no_list' ? 'array' : 'object'}`, { path: name })];
  } catch {
    return [issue(`${name}.format`, 'error', `${name} is not valid JSON`, { path: name })];
  }
}

/** Order states as query_order reports them (spec §3.2). */
export const ORDER_STATES: Readonly<Record<number, string>> = {
  0: 'order created',
  1: 'payment page launched, not paid',
  2: 'paid, delivering',
  3: 'paid, delivery failed',
  4: 'paid, delivered',
  5: 'payment page expiring',
  6: 'payment page expired (or closed)',
};

/** Refund states as query_refund reports them (spec §3.5). */
export const REFUND_STATES: Readonly<Record<number, string>> = { 1: 'refunding', 2: 'refunded', 3: 'refund failed' };
