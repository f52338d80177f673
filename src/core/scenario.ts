/**
 * Scenario files for `tacpay simulate scenario`: a JSON list of steps (create an order, pay it with
 * an SDK result, let the sandbox deliver the notification, query, close, refund, query the refund),
 * where a step refers to earlier results as `${stepId.path}`. This module validates a file before
 * anything runs (every reference must name an earlier step), resolves references, and matches a
 * step's result against its `expect`. Pure: the runner lives in the CLI.
 */
import { issue, type Issue, type Result } from './issues.js';
import { parseRetryScale } from './notification.js';
import { PLATFORMS, sdkResult } from './sdk-result.js';

export const ACTIONS = ['create', 'pay', 'deliver', 'query', 'close', 'refund', 'query_refund'] as const;
export type Action = (typeof ACTIONS)[number];

/** Parameters each action understands; anything else is a typo worth reporting before a run. */
export const ACTION_PARAMS: Readonly<Record<Action, readonly string[]>> = {
  create: [
    'user_id', 'out_trade_no', 'product_id', 'product_name', 'product_detail', 'amount', 'original_amount', 'currency_type', 'channel',
    'metadata', 'callback_url', 'sub_appid', 'sub_out_trade_no_list',
  ],
  pay: ['out_trade_no', 'pay_info', 'result', 'platform', 'app_metadata'],
  deliver: ['out_trade_no', 'wait', 'timeout_ms'],
  query: ['out_trade_no', 'transaction_id', 'user_id'],
  close: ['out_trade_no', 'transaction_id', 'user_id'],
  refund: ['out_trade_no', 'transaction_id', 'user_id', 'refund_id', 'amount', 'sub_out_trade_no'],
  query_refund: ['refund_id', 'user_id'],
};

/** What a step expects when the file says nothing: API calls answer ret 0, a delivery succeeds. */
export const DEFAULT_EXPECT: Readonly<Record<Action, Record<string, unknown>>> = {
  create: { ret: 0 },
  pay: {},
  deliver: { delivered: true },
  query: { ret: 0 },
  close: { ret: 0 },
  refund: { ret: 0 },
  query_refund: { ret: 0 },
};

export type ReceiverReply = 'ok' | 'fail';

export interface ScenarioStep {
  id: string;
  name: string;
  action: Action;
  params: Record<string, unknown>;
  expect: Record<string, unknown>;
}

export interface Scenario {
  name: string;
  description: string;
  /** Scales the §3.1 retry schedule for the sandbox's deliveries (0 < s <= 1). */
  retryScale: number;
  /** Replies of the built-in notify receiver, in order; the last one repeats. */
  receiverReplies: ReceiverReply[];
  steps: ScenarioStep[];
}

const STEP_KEYS = new Set(['id', 'name', 'action', 'params', 'expect']);
const TOP_KEYS = new Set(['$schema', 'name', 'description', 'retryScale', 'receiver', 'steps']);
const REF_RE = /\$\{([^}]*)\}/g;
const ID_RE = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
const DEFAULT_RETRY_SCALE = 0.001;
/** Steps in one scenario: a CI smoke test needs a handful; a file of 30,000 would run for an hour. */
export const MAX_STEPS = 1000;
/** Longest name and description: they are printed on every run. */
const MAX_NAME = 200;
const MAX_DESCRIPTION = 2000;

/** A key from the file as it appears in a message: quoted, cut short (a hostile file's keys can be a megabyte long). */
function keyText(k: string): string {
  return JSON.stringify(k.length > 40 ? `${k.slice(0, 40)}…` : k);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Every `${...}` reference inside a value, in order. */
export function refsIn(value: unknown): string[] {
  if (typeof value === 'string') return [...value.matchAll(REF_RE)].map((m) => m[1]!);
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (isObject(value)) return Object.values(value).flatMap(refsIn);
  return [];
}

/** Checks a parsed scenario file; the value is the scenario with defaults filled in (step ids, expectations). */
export function validateScenario(input: unknown, fallbackName = 'scenario'): Result<Scenario> {
  const issues: Issue[] = [];
  if (!isObject(input)) return { value: undefined, issues: [issue('scenario.type', 'error', 'a scenario file must hold a JSON object with a "steps" array')] };
  for (const k of Object.keys(input)) if (!TOP_KEYS.has(k)) issues.push(issue('scenario.unknown-key', 'error', `unknown top-level key ${keyText(k)} (known: ${[...TOP_KEYS].filter((x) => x !== '$schema').join(', ')})`, { path: k }));

  const name = input.name === undefined ? fallbackName : input.name;
  if (typeof name !== 'string' || name === '' || name.length > MAX_NAME) issues.push(issue('scenario.name', 'error', `"name" must be a non-empty string of at most ${MAX_NAME} characters`, { path: 'name' }));
  const description = input.description ?? '';
  if (typeof description !== 'string' || description.length > MAX_DESCRIPTION) issues.push(issue('scenario.description', 'error', `"description" must be a string of at most ${MAX_DESCRIPTION} characters`, { path: 'description' }));

  let retryScale = DEFAULT_RETRY_SCALE;
  if (input.retryScale !== undefined) {
    const s = typeof input.retryScale === 'number' ? parseRetryScale(String(input.retryScale)) : undefined;
    if (s === undefined) issues.push(issue('scenario.retryScale', 'error', '"retryScale" must be a number above 0 and at most 1 (e.g. 0.001: a 15 s retry after 15 ms)', { path: 'retryScale' }));
    else retryScale = s;
  }

  let receiverReplies: ReceiverReply[] = ['ok'];
  if (input.receiver !== undefined) {
    const r = input.receiver;
    const replies = isObject(r) ? r.replies : undefined;
    if (!isObject(r) || Object.keys(r).some((k) => k !== 'replies') || !Array.isArray(replies) || replies.length === 0 || !replies.every((x) => x === 'ok' || x === 'fail')) {
      issues.push(issue('scenario.receiver', 'error', '"receiver" must be {"replies": [...]} with "ok" or "fail" for each delivery attempt (the last one repeats)', { path: 'receiver' }));
    } else receiverReplies = replies as ReceiverReply[];
  }

  const steps: ScenarioStep[] = [];
  if (!Array.isArray(input.steps) || input.steps.length === 0) {
    issues.push(issue('scenario.steps', 'error', '"steps" must be a non-empty array', { path: 'steps' }));
  } else if (input.steps.length > MAX_STEPS) {
    issues.push(issue('scenario.steps', 'error', `"steps" holds ${input.steps.length} steps; at most ${MAX_STEPS} are run`, { path: 'steps', hint: 'split the flow into several scenario files' }));
  } else {
    const seen = new Set<string>();
    const counts = new Map<string, number>();
    input.steps.forEach((raw, i) => {
      const step = validateStep(raw, i, seen, counts, issues);
      if (step) steps.push(step);
    });
  }
  const ok = !issues.some((i) => i.severity === 'error');
  return { value: ok ? { name: name as string, description: description as string, retryScale, receiverReplies, steps } : undefined, issues };
}

/** One step checked against what came before it (ids seen, references, action counts for default ids); its issues go to `issues`. */
function validateStep(raw: unknown, i: number, seen: Set<string>, counts: Map<string, number>, issues: Issue[]): ScenarioStep | undefined {
  const at = `steps[${i}]`;
  if (!isObject(raw)) {
    issues.push(issue('scenario.step.type', 'error', `${at} must be an object`, { path: at }));
    return undefined;
  }
  for (const k of Object.keys(raw)) if (!STEP_KEYS.has(k)) issues.push(issue('scenario.step.unknown-key', 'error', `${at} has an unknown key ${keyText(k)} (known: ${[...STEP_KEYS].join(', ')})`, { path: `${at}.${k}` }));
  const action = raw.action;
  if (typeof action !== 'string' || !(ACTIONS as readonly string[]).includes(action)) {
    issues.push(issue('scenario.step.action', 'error', `${at}.action must be one of ${ACTIONS.join(', ')}`, { path: `${at}.action` }));
    return undefined;
  }
  const act = action as Action;
  const n = (counts.get(act) ?? 0) + 1;
  counts.set(act, n);
  // Without an id, the first step of an action is named after it, later ones get a number: create, refund, refund2.
  const id = raw.id === undefined ? (n === 1 ? act : `${act}${n}`) : raw.id;
  if (typeof id !== 'string' || !ID_RE.test(id)) {
    issues.push(issue('scenario.step.id', 'error', `${at}.id must start with a letter or _ and hold only letters, digits, _ and - (up to 64)`, { path: `${at}.id` }));
    return undefined;
  }
  if (seen.has(id)) issues.push(issue('scenario.step.duplicate-id', 'error', `${at}: the id ${keyText(id)} is already used by an earlier step; give this one its own "id"`, { path: `${at}.id` }));
  const params = raw.params ?? {};
  const expect = raw.expect ?? DEFAULT_EXPECT[act];
  if (!isObject(params)) issues.push(issue('scenario.step.params', 'error', `${at}.params must be an object`, { path: `${at}.params` }));
  if (!isObject(expect)) issues.push(issue('scenario.step.expect', 'error', `${at}.expect must be an object`, { path: `${at}.expect` }));
  if (isObject(params)) {
    for (const k of Object.keys(params)) {
      if (!ACTION_PARAMS[act].includes(k)) issues.push(issue('scenario.step.unknown-param', 'error', `${at} (${act}) has an unknown param ${keyText(k)} (known: ${ACTION_PARAMS[act].join(', ')})`, { path: `${at}.params.${k}` }));
    }
    issues.push(...checkLiteralParams(act, params, at));
  }
  for (const ref of refsIn([params, expect])) {
    const stepId = ref.split('.')[0]!;
    if (!seen.has(stepId)) {
      issues.push(
        issue('scenario.step.ref', 'error', `${at} refers to \${${ref.length > 60 ? `${ref.slice(0, 60)}…` : ref}}, but no earlier step has the id ${keyText(stepId)}`, {
          path: at,
          hint: `earlier ids: ${[...seen].join(', ') || '(none: this is the first step)'}`,
        }),
      );
    }
  }
  const label = typeof raw.name === 'string' && raw.name ? raw.name : id;
  seen.add(id);
  return { id, name: label, action: act, params: isObject(params) ? params : {}, expect: isObject(expect) ? expect : {} };
}

/** Values that can be checked before a run (references are checked when they resolve). */
function checkLiteralParams(act: Action, p: Record<string, unknown>, at: string): Issue[] {
  const out: Issue[] = [];
  const literal = (v: unknown): boolean => v !== undefined && refsIn(v).length === 0;
  if (act === 'pay') {
    if (literal(p.result) && (typeof p.result !== 'string' && typeof p.result !== 'number' ? true : !sdkResult(String(p.result)))) {
      out.push(issue('scenario.step.result', 'error', `${at}.params.result must be success, error, cancel, param-error, unknown or 0..-4`, { path: `${at}.params.result` }));
    }
    if (literal(p.platform) && !(PLATFORMS as readonly unknown[]).includes(p.platform)) out.push(issue('scenario.step.platform', 'error', `${at}.params.platform must be ios, android or web`, { path: `${at}.params.platform` }));
    if (p.out_trade_no === undefined && p.pay_info === undefined) out.push(issue('scenario.step.order', 'error', `${at} (pay) needs out_trade_no or pay_info`, { path: `${at}.params` }));
  }
  if (act === 'deliver') {
    if (p.out_trade_no === undefined) out.push(issue('scenario.step.order', 'error', `${at} (deliver) needs out_trade_no`, { path: `${at}.params` }));
    if (literal(p.wait) && p.wait !== 'first' && p.wait !== 'final') out.push(issue('scenario.step.wait', 'error', `${at}.params.wait must be "first" (the first attempt) or "final" (delivered or given up)`, { path: `${at}.params.wait` }));
    if (literal(p.timeout_ms) && !(typeof p.timeout_ms === 'number' && Number.isInteger(p.timeout_ms) && p.timeout_ms > 0 && p.timeout_ms <= 600_000)) {
      out.push(issue('scenario.step.timeout', 'error', `${at}.params.timeout_ms must be a whole number of ms from 1 to 600000`, { path: `${at}.params.timeout_ms` }));
    }
  }
  if ((act === 'query' || act === 'close' || act === 'refund') && p.out_trade_no === undefined && p.transaction_id === undefined) {
    out.push(issue('scenario.step.order', 'error', `${at} (${act}) needs out_trade_no or transaction_id`, { path: `${at}.params` }));
  }
  if (act === 'refund' && p.amount === undefined) out.push(issue('scenario.step.amount', 'error', `${at} (refund) needs amount`, { path: `${at}.params` }));
  if (act === 'query_refund' && p.refund_id === undefined) out.push(issue('scenario.step.refund_id', 'error', `${at} (query_refund) needs refund_id`, { path: `${at}.params` }));
  return out;
}

/** A reference that names no value at run time. */
export class RefError extends Error {}

/** The value at `path` (dot-separated, numbers index arrays) of the earlier results. */
export function lookupRef(ref: string, results: Readonly<Record<string, unknown>>): unknown {
  const [stepId, ...path] = ref.split('.');
  let v: unknown = results[stepId!];
  if (v === undefined) throw new RefError(`\${${ref}}: step "${stepId}" has no result (did it run?)`);
  for (const seg of path) {
    if (Array.isArray(v) && /^\d+$/.test(seg)) v = v[Number(seg)];
    else if (isObject(v) && Object.hasOwn(v, seg)) v = v[seg];
    else throw new RefError(`\${${ref}}: the result of "${stepId}" has no ${path.join('.')}`);
  }
  return v;
}

/**
 * Replaces references: a string that is exactly one reference takes the value with its type; a
 * reference inside longer text is interpolated as text. Throws RefError for a missing value.
 */
export function resolveRefs<T>(value: T, results: Readonly<Record<string, unknown>>): T {
  if (typeof value === 'string') {
    const whole = /^\$\{([^}]*)\}$/.exec(value);
    if (whole) return lookupRef(whole[1]!, results) as T;
    return value.replace(REF_RE, (_m, ref: string) => {
      const v = lookupRef(ref, results);
      return typeof v === 'string' ? v : JSON.stringify(v);
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, results)) as T;
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, results)])) as T;
  return value;
}

/** One way a result differs from what was expected. */
export interface Mismatch {
  path: string;
  expected: unknown;
  actual: unknown;
}

/**
 * Subset match: every key in `expected` must match in `actual`; arrays match element by element
 * and must have the same length; a number matches its decimal string (the order API mixes them:
 * query_order's order_state is a string, refund states are numbers).
 */
export function matchExpect(actual: unknown, expected: unknown, path = ''): Mismatch[] {
  if (isObject(expected)) {
    if (!isObject(actual)) return [{ path: path || '.', expected, actual }];
    return Object.entries(expected).flatMap(([k, v]) => matchExpect(actual[k], v, path ? `${path}.${k}` : k));
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [{ path: path || '.', expected, actual }];
    if (actual.length !== expected.length) return [{ path: `${path}.length`, expected: expected.length, actual: actual.length }];
    return expected.flatMap((v, i) => matchExpect(actual[i], v, `${path}.${i}`));
  }
  if (actual === expected) return [];
  const numLike = (a: unknown, b: unknown): boolean => typeof a === 'number' && typeof b === 'string' && b.trim() !== '' && Number(b) === a;
  if (numLike(actual, expected) || numLike(expected, actual)) return [];
  return [{ path: path || '.', expected, actual }];
}
