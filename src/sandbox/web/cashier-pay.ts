/**
 * The Web SDK cashier's decisions (spec §4.6): which sandbox order a pay_info names and whether it
 * may be paid, and what a chosen result does. A pay_info is judged as `decode` judges it (the
 * platform key must verify it); a broken, foreign or used one gets what a real SDK would give, -3
 * with the reason as resultMsg, and the order is left alone. Otherwise the chosen result goes
 * through applySdkResult, the one path `simulate result` and the scenario runner take.
 */
import { isPaidState } from '../../core/order-state.js';
import { checkInputText } from '../../core/payinfo-input.js';
import { checkPayInfo } from '../../core/payinfo-verify.js';
import { payScene, sdkResult, webResult, type ResultKey, type SdkResultInfo } from '../../core/sdk-result.js';
import { applySdkResult, orderCallbackUrl } from '../sdk-effect.js';
import type { OrderRow } from '../store.js';
import type { WebContext } from './context.js';

/** What the cashier shows about a pay_info before anyone picks a result. */
export interface CashierView {
  /** Null when the pay_info may be paid; else why a real SDK would refuse it (-3). */
  refusal: string | null;
  order?: OrderRow;
  /** The fields the pay_info carries, as far as they could be read. */
  data: Record<string, unknown>;
}

/** Judges a pay_info for the cashier: verified with this sandbox's platform key, one of its orders, exactly as issued, not closed, not yet paid. */
export function viewPayInfo(ctx: WebContext, payInfo: string): CashierView {
  if (checkInputText(payInfo).length || payInfo.trim() === '') return { refusal: 'the pay_info is empty or is not text: pass the pay_info your server got from unified_order, as it is', data: {} };
  const check = checkPayInfo(payInfo, { key: ctx.verifyKey });
  const data = check.parsed.data ?? {};
  const bad = check.parsed.issues.find((i) => i.severity === 'error');
  if (bad) return { refusal: `the pay_info is not valid: ${bad.message}`, data };
  if (check.signature.status !== 'verified') {
    return { refusal: `the pay_info's signature does not verify with this sandbox's platform key (${check.signature.causes?.[0]?.message ?? 'no candidate matched'}): it was changed, or another sandbox or production issued it`, data };
  }
  const appid = typeof data.appid === 'string' ? data.appid : '';
  const outTradeNo = typeof data.out_trade_no === 'string' ? data.out_trade_no : '';
  const order = ctx.store.orderByOutTradeNo(appid, outTradeNo);
  if (!order) return { refusal: `this sandbox has no order ${outTradeNo} of merchant ${appid}`, data };
  if (order.pay_info !== payInfo) return { refusal: `the pay_info is not the one this sandbox issued for order ${outTradeNo}`, data, order };
  if (order.closed) return { refusal: `order ${outTradeNo} is closed: place a new order`, data, order };
  if (isPaidState(order.order_state)) return { refusal: `order ${outTradeNo} is already paid: a pay_info launches one payment (spec §2.2); place a new order`, data, order };
  return { refusal: null, data, order };
}

/** The order's callback_url when it is one a browser may be sent to (http or https), else undefined. */
export function redirectTarget(order: OrderRow | undefined): URL | undefined {
  const url = order ? orderCallbackUrl(order) : undefined;
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : undefined;
  } catch {
    return undefined;
  }
}

export interface CashierOutcome {
  resultCode: number;
  innerCode: string;
  resultMsg: string;
  appMetadata: string;
  /** The callback_url of the order with the documented query, for redirect mode (absent without one). */
  redirectUrl?: string;
  /** The query string the redirect carries (shown when the order has no callback_url). */
  redirectQuery: string;
  /** Whether this result paid the order (its notification is queued). */
  paid: boolean;
  outTradeNo?: string;
}

/** Applies the chosen result (forced to -3 with the reason when the pay_info is refused). */
export function payAtCashier(ctx: WebContext, payInfo: string, chosen: ResultKey, appMetadata: string): CashierOutcome {
  const view = viewPayInfo(ctx, payInfo);
  let result: SdkResultInfo = sdkResult(chosen) ?? sdkResult('param-error')!;
  let paid = false;
  if (view.refusal !== null) {
    const p = sdkResult('param-error')!;
    result = { ...p, example: { innerCode: p.example.innerCode, resultMsg: view.refusal } };
  } else {
    const effect = applySdkResult(ctx.store, view.order!, result, ctx.now(), { retryScale: ctx.retryScale, payScene: payScene('web') });
    paid = effect.paid && !effect.alreadyPaid;
    if (paid) ctx.kick();
  }
  // A javascript: or data: callback_url is never a place to send the browser.
  const callbackUrl = redirectTarget(view.order) ? orderCallbackUrl(view.order!) : undefined;
  const shape = webResult(result, { metadata: [], ...(callbackUrl ? { callbackUrl } : {}) });
  // The Web SDK hands appMetadata back as the merchant gave it (a k=v string): not re-encoded pairs.
  const query = shape.redirectQuery.replace(/appMetadata=[^&]*$/, `appMetadata=${encodeURIComponent(appMetadata)}`);
  return {
    resultCode: result.code,
    innerCode: result.example.innerCode,
    resultMsg: result.example.resultMsg,
    appMetadata,
    redirectQuery: query,
    ...(callbackUrl ? { redirectUrl: `${callbackUrl}${callbackUrl.includes('?') ? '&' : '?'}${query}` } : {}),
    paid,
    ...(view.order ? { outTradeNo: view.order.out_trade_no } : {}),
  };
}
