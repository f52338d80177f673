/**
 * The order API calls the order, refund and account commands make: one signed call to an opened
 * target, a transport failure or a ret != 0 turned into a one-line error with a hint; and placing
 * an order, with its pay_info decoded and checked. Progress (a wait, a retry, what was sent, what came
 * back) goes out through hooks: the CLI shows a spinner and, with --verbose, the wire.
 */
import type { CallResult, SentRequest, WireMethod } from '../client/order-client.js';
import type { AccountApi } from '../core/account-api.js';
import type { ApiName } from '../core/order-api.js';
import { newOrderNo, SANDBOX_ORDER_DEFAULTS } from '../core/order-defaults.js';
import { retHint } from '../core/ret-codes.js';
import type { PayInfoCheck } from '../core/payinfo-verify.js';
import { ApiError, TacpayError } from '../errors.js';
import type { FlowEnv } from './env.js';
import type { Target } from './target.js';

export interface CallOptions {
  wire?: WireMethod | undefined;
  /** Total time per attempt. */
  timeoutMs: number;
  /** Retries on network errors and 5xx (every order API call is safe to repeat). */
  retries: number;
}

export interface CallHooks {
  /** The call is about to wait for an answer; the function returned is called when the wait ends (or a retry is announced). */
  onWait?: (label: string) => () => void;
  onRetry?: (api: string, attempt: number, reason: string, delayMs: number) => void;
  /** The request as sent (the string-to-sign without the offerKey). */
  onSend?: (sent: SentRequest) => void;
  onAnswer?: (result: CallResult) => void;
}

/** Makes one signed call; a transport failure or a ret != 0 becomes a one-line error with a hint. */
export async function callOrderApi(target: Target, api: ApiName | AccountApi, params: Record<string, string>, o: CallOptions, env: FlowEnv, hooks: CallHooks = {}, pathId?: string): Promise<CallResult> {
  const { OrderClient, TransportError } = await import('../client/order-client.js');
  const host = new URL(target.baseUrl).host;
  const endWait = hooks.onWait?.(`waiting for ${host} (${api})`) ?? (() => {});
  const client = new OrderClient({
    baseUrl: target.baseUrl,
    credentials: { offerId: target.offerId, offerKey: target.offerKey, privateKey: target.privateKey },
    tsMode: target.tsMode,
    now: () => env.now(),
    ...(o.wire ? { wire: o.wire } : {}),
    totalTimeoutMs: o.timeoutMs,
    retries: o.retries,
    onRetry: (attempt, reason, delay) => {
      endWait();
      hooks.onRetry?.(api, attempt, reason, delay);
    },
    ...(hooks.onSend ? { onSend: hooks.onSend } : {}),
  });
  try {
    const result = await client.call(api, params, pathId).finally(endWait);
    hooks.onAnswer?.(result);
    const ret = Number(result.body.ret);
    if (ret !== 0) {
      const msg = typeof result.body.msg === 'string' ? result.body.msg : '';
      throw new ApiError(`${api} failed: ret ${result.body.ret}${msg ? `, ${msg}` : ''}`, hintFor(ret, target, api), {
        status: result.status,
        ret,
        msg,
        ...(result.headers.uuid ? { requestId: result.headers.uuid } : {}),
        ...(params.out_trade_no ? { outTradeNo: params.out_trade_no } : {}),
      });
    }
    return result;
  } catch (err) {
    if (err instanceof TransportError) throw new TacpayError(err.message, err.hint, 'network');
    throw err;
  } finally {
    await client.close();
  }
}

function hintFor(ret: number, target: Target, api: ApiName | AccountApi): string {
  // 1005 on close means the order was paid: the general hint (a new out_trade_no) would mislead.
  if (target.env === 'sandbox' && api === 'close_order' && ret === 1005) return 'a paid order cannot be closed: refund it instead (tacpay refund create)';
  if (target.env === 'sandbox') return retHint(ret);
  // Production's codes are undocumented: name the checks for the two failures people hit most.
  return `production ret codes are undocumented; if msg mentions the signature, check offerKey and the private key (tacpay sign --verify); if it mentions time, check the clock or --ts-mode (now ${target.tsMode})`;
}

/** A unified_order parameter that must be there, and how a person supplies it. */
export interface RequiredParam {
  param: 'user_id' | 'product_id' | 'product_name' | 'product_detail' | 'amount';
  flag: string;
  message: string;
}

export const REQUIRED_ORDER_PARAMS: readonly RequiredParam[] = [
  { param: 'user_id', flag: '--user-id', message: 'user_id (5-255 letters and digits)' },
  { param: 'product_id', flag: '--product-id', message: 'product_id' },
  { param: 'product_name', flag: '--product-name', message: 'product_name' },
  { param: 'product_detail', flag: '--product-detail', message: 'product_detail' },
  { param: 'amount', flag: '--amount', message: 'amount in fen (100 = 1.00 CNY)' },
];

export interface PlaceOrderInput {
  /** The five required parameters as far as they were given. */
  required: Partial<Record<RequiredParam['param'], string>>;
  /** Default: a fresh tacpay_… number. */
  outTradeNo?: string | undefined;
  /** The optional unified_order parameters, wire names, passed as given. */
  optional: Record<string, string>;
}

export interface PlaceOrderHooks extends CallHooks {
  /** Against a configured API, the required parameters still missing (a person is asked in the CLI); the sandbox fills them with defaults instead. */
  fillMissing?: (missing: readonly RequiredParam[]) => Promise<Partial<Record<string, string>>>;
}

export interface CreateResult {
  target: { kind: Target['kind']; env: string; baseUrl: string; offerId: string };
  request: { api: string; method: string; url: string; params: Record<string, string>; attempts: number };
  response: Record<string, unknown>;
  defaultsUsed: string[];
  payInfo?: { valid: boolean; data?: Record<string, unknown>; issues: PayInfoCheck['parsed']['issues']; signature: PayInfoCheck['signature'] };
}

/** unified_order with the gaps filled (sandbox defaults, or `fillMissing`), and the pay_info it returns checked. */
export async function placeOrder(target: Target, input: PlaceOrderInput, o: CallOptions, env: FlowEnv, hooks: PlaceOrderHooks = {}): Promise<CreateResult> {
  const given: Record<string, string | undefined> = { ...input.required };
  const missing = REQUIRED_ORDER_PARAMS.filter((a) => given[a.param] === undefined);
  const defaultsUsed: string[] = [];
  if (target.kind !== 'configured') {
    for (const a of missing) {
      given[a.param] = SANDBOX_ORDER_DEFAULTS[a.param];
      defaultsUsed.push(a.param);
    }
    if (defaultsUsed.length) env.note(`sandbox defaults for ${defaultsUsed.map((p) => `${p}=${SANDBOX_ORDER_DEFAULTS[p]}`).join(', ')}`);
  } else if (missing.length) {
    if (!hooks.fillMissing) throw new TacpayError(`unified_order needs ${missing.map((a) => a.param).join(', ')}`, 'give every required parameter when calling a configured API');
    Object.assign(given, await hooks.fillMissing(missing));
  }
  const params: Record<string, string> = {
    out_trade_no: input.outTradeNo ?? newOrderNo('tacpay_', env.now()),
    currency_type: 'CNY',
    ...(Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Record<string, string>),
    ...input.optional,
  };
  const result = await callOrderApi(target, 'unified_order', params, o, env, hooks);
  return await createResult(target, result, defaultsUsed);
}

async function createResult(target: Target, r: CallResult, defaultsUsed: string[]): Promise<CreateResult> {
  const { checkPayInfo } = await import('../core/payinfo-verify.js');
  const payInfo = typeof r.body.pay_info === 'string' ? r.body.pay_info : undefined;
  const check = payInfo ? checkPayInfo(payInfo, { expectAppid: target.offerId, ...(target.platformPublicKey ? { key: target.platformPublicKey } : {}) }) : undefined;
  return {
    target: { kind: target.kind, env: target.env, baseUrl: target.baseUrl, offerId: target.offerId },
    request: { api: r.api, method: r.method, url: r.url, params: r.params, attempts: r.attempts },
    response: r.body,
    defaultsUsed,
    ...(check ? { payInfo: { valid: check.valid, ...(check.parsed.data ? { data: check.parsed.data } : {}), issues: check.parsed.issues, signature: check.signature } } : {}),
  };
}
