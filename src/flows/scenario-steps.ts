/**
 * The steps a scenario can take (create, pay, deliver, query, close, refund, query_refund), each a
 * function from its resolved params to a result object the step's `expect` is matched against. API
 * steps go through the real order API over HTTP; pay goes through the same code as
 * `simulate result`; deliver waits on the sandbox's own delivery records.
 */
import type { KeyObject } from 'node:crypto';
import type { OrderClient } from '../client/order-client.js';
import type { ApiName } from '../core/order-api.js';
import { newOrderNo, SANDBOX_PRODUCT_ID, SANDBOX_USER_ID } from '../core/order-defaults.js';
import { isPaidState } from '../core/order-state.js';
import type { Mismatch, ScenarioStep } from '../core/scenario.js';
import { TacpayError } from '../errors.js';
import type { Receiver } from '../sandbox/notify-receiver.js';
import type { Store } from '../sandbox/store.js';

/** What every step may use: the run's sandbox store and merchant, its client and handler. */
export interface StepEnv {
  now(): Date;
  store: Store;
  offerId: string;
  offerKey: string;
  platformPublicKey: KeyObject;
  client: OrderClient;
  retryScale: number;
  /** The built-in handler; undefined when the merchant's own handler receives the notifications. */
  receiver: Receiver | undefined;
  scenarioName: string;
}

/** One step's outcome, as the report and `onStep` carry it. */
export interface StepReport {
  id: string;
  name: string;
  action: string;
  status: 'passed' | 'failed' | 'skipped';
  durationMs: number;
  /** What the step was given, references resolved. */
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  mismatches?: Mismatch[];
  error?: string;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v));

export function skipped(step: ScenarioStep): StepReport {
  return { id: step.id, name: step.name, action: step.action, status: 'skipped', durationMs: 0, error: 'skipped: an earlier step failed' };
}

/** Runs one step; a failure the scenario can report (a bad reference, an API or transport failure) is a failed step, anything else a bug that is thrown. */
export async function runStep(step: ScenarioStep, results: Record<string, unknown>, env: StepEnv): Promise<StepReport> {
  const { resolveRefs, matchExpect, RefError } = await import('../core/scenario.js');
  const t0 = Date.now();
  const base = { id: step.id, name: step.name, action: step.action };
  let params: Record<string, unknown> = {};
  try {
    params = resolveRefs(step.params, results);
    const expected = resolveRefs(step.expect, results);
    const result = await STEPS[step.action](params, env);
    const mismatches = matchExpect(result, expected);
    return { ...base, status: mismatches.length ? 'failed' : 'passed', durationMs: Date.now() - t0, params, result, ...(mismatches.length ? { mismatches } : {}) };
  } catch (err) {
    const reportable = err instanceof RefError || err instanceof StepError || err instanceof TacpayError || (err as Error)?.name === 'TransportError';
    if (reportable) return { ...base, status: 'failed', durationMs: Date.now() - t0, params, error: (err as Error).message };
    throw err;
  }
}

/** A step that cannot run as written (an order it names does not exist, ...). */
class StepError extends Error {}

type StepFn = (p: Record<string, unknown>, env: StepEnv) => Promise<Record<string, unknown>>;

function orderOf(p: Record<string, unknown>, env: StepEnv) {
  const no = p.out_trade_no !== undefined ? str(p.out_trade_no) : undefined;
  const tid = p.transaction_id !== undefined ? str(p.transaction_id) : undefined;
  return no !== undefined ? env.store.orderByOutTradeNo(env.offerId, no) : tid !== undefined ? env.store.orderByTransactionId(env.offerId, tid) : undefined;
}

/** Calls the order API; the answer (ret may be non-zero) is the step's result. */
async function call(env: StepEnv, api: ApiName, params: Record<string, unknown>): Promise<Record<string, unknown>> {
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) flat[k] = str(v);
  const r = await env.client.call(api, flat);
  return r.body;
}

/** Params for a call about one order: the user_id the order was placed with unless given. */
function byOrder(p: Record<string, unknown>, env: StepEnv): Record<string, unknown> {
  const order = orderOf(p, env);
  return { ...p, user_id: p.user_id ?? order?.user_id ?? SANDBOX_USER_ID };
}

/**
 * Whether the order's notifications verify (D2) with the platform public key and the offerKey:
 * as the built-in handler received them, or, when the merchant's handler receives them, as the
 * sandbox logged sending them. False when none was sent.
 */
async function signaturesVerified(env: StepEnv, outTradeNo: string, sent: ReadonlyArray<{ body: string; at: string }>): Promise<boolean> {
  const isSign = (code: string): boolean => code.startsWith('notify.sign');
  if (env.receiver) {
    const got = env.receiver.received.filter((r) => r.check.body?.out_trade_no === outTradeNo);
    return got.length > 0 && got.every((r) => !r.check.issues.some((i) => isSign(i.code)));
  }
  const bodies = sent.filter((a) => a.body !== '');
  if (!bodies.length) return false;
  const { verifyNotification } = await import('../core/notification.js');
  return bodies.every((a) => !verifyNotification(a.body, env.offerKey, env.platformPublicKey, { now: new Date(a.at) }).issues.some((i) => isSign(i.code)));
}

const STEPS: Readonly<Record<ScenarioStep['action'], StepFn>> = {
  async create(p, env) {
    const params = {
      user_id: SANDBOX_USER_ID,
      out_trade_no: newOrderNo('tacpay_', env.now()),
      product_id: SANDBOX_PRODUCT_ID,
      product_name: 'tacpay scenario',
      product_detail: `scenario ${env.scenarioName}`,
      amount: 100,
      currency_type: 'CNY',
      ...p,
    };
    const body = await call(env, 'unified_order', params);
    return { ...body, user_id: params.user_id, amount: Number(params.amount) };
  },

  async pay(p, env) {
    const { sdkResult, payScene } = await import('../core/sdk-result.js');
    let order = orderOf(p, env);
    if (!order && p.pay_info !== undefined) {
      const { parsePayInfo } = await import('../core/payinfo.js');
      const no = parsePayInfo(str(p.pay_info)).data?.out_trade_no;
      order = typeof no === 'string' ? env.store.orderByOutTradeNo(env.offerId, no) : undefined;
      if (order && order.pay_info !== str(p.pay_info)) throw new StepError(`the pay_info is not the one the sandbox issued for ${order.out_trade_no}`);
    }
    if (!order) throw new StepError('pay: no sandbox order for the given out_trade_no / pay_info');
    const r = sdkResult(str(p.result ?? 'success'));
    if (!r) throw new StepError(`pay: unknown result ${str(p.result)}`);
    const platform = (p.platform ?? 'android') as 'ios' | 'android' | 'web';
    let ret: number | undefined;
    let msg: string | undefined;
    if (r.orderEffect === 'paid') {
      const { payAndQueue } = await import('../sandbox/index.js');
      const paid = await payAndQueue(env.store, env.offerId, order.out_trade_no, env.now(), { retryScale: env.retryScale, payScene: payScene(platform) });
      ret = paid.ret;
      msg = paid.msg;
    }
    const now = env.store.orderById(order.id)!;
    return {
      result: r.key,
      resultCode: r.code,
      platform,
      paid: isPaidState(now.order_state),
      order_state: now.order_state,
      out_trade_no: now.out_trade_no,
      ...(ret !== undefined ? { ret, msg } : {}),
    };
  },

  async deliver(p, env) {
    const { waitForDelivery } = await import('../sandbox/deliveries.js');
    const order = orderOf(p, env);
    if (!order) throw new StepError(`deliver: no sandbox order ${str(p.out_trade_no)}`);
    const wait = p.wait === 'first' ? 'first' : 'final';
    const d = await waitForDelivery(env.store, order.id, wait, typeof p.timeout_ms === 'number' ? p.timeout_ms : 10_000);
    const state = env.store.orderById(order.id)!.order_state;
    if (!d) return { delivered: false, status: 'none', attempts: 0, history: [], order_state: state };
    const rows = env.store.attemptsOf(d.id);
    const history = rows.map((a) => ({ attempt: a.attempt, delivered: a.delivered === 1, http_status: a.http_status, reason: a.reason ?? '', order_state: a.order_state }));
    return {
      delivered: d.status === 'delivered',
      status: d.status,
      attempts: d.attempts,
      history,
      order_state: state,
      signature_verified: await signaturesVerified(env, order.out_trade_no, rows),
    };
  },

  query: (p, env) => call(env, 'query_order', { type: 'by_order', ...byOrder(p, env) }),
  close: (p, env) => call(env, 'close_order', byOrder(p, env)),

  async refund(p, env) {
    const params = { refund_id: newOrderNo('tacpay_r_', env.now()), ...byOrder(p, env) };
    const body = await call(env, 'refund', params);
    return { refund_id: params.refund_id, ...body };
  },

  async query_refund(p, env) {
    const r = env.store.refund(env.offerId, str(p.refund_id));
    const user = r ? env.store.orderById(r.order_id)?.user_id : undefined;
    return call(env, 'query_refund', { ...p, user_id: p.user_id ?? user ?? SANDBOX_USER_ID });
  },
};
