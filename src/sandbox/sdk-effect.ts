/**
 * What an SDK result does to the sandbox order it belongs to, in one place: `simulate result`, the
 * scenario runner, the dashboard's pay buttons and the Web SDK's cashier all call this, so an order
 * paid from a browser ends exactly where `simulate result success` leaves it (spec §4.3: success
 * pays, error and cancel leave it unpaid, param-error and unknown leave it as it is).
 */
import type { SdkResultInfo } from '../core/sdk-result.js';
import { OrderState } from '../core/order-state.js';
import { TacpayError } from '../errors.js';
import { payOrder, type Reply } from './api.js';
import { enqueueDelivery } from './deliveries.js';
import type { OrderRow, Store } from './store.js';

export interface QueueOptions {
  /** The notification's retry schedule multiplier (0 < scale <= 1). */
  retryScale: number;
  /** pay_scene of the notification: 1 Android, 2 iOS, 3 Web (core/sdk-result payScene). */
  payScene: number;
}

/**
 * Pays a sandbox order and queues its notification in one transaction, so a running sandbox that
 * notices the payment first cannot queue it with its own retry scale and pay_scene.
 */
export function payAndQueue(store: Store, offerId: string, outTradeNo: string, now: Date, o: QueueOptions): Reply {
  return store.tx(() => {
    const paid = payOrder(store, offerId, outTradeNo, now);
    const order = store.orderByOutTradeNo(offerId, outTradeNo);
    if (paid.ret === 0 && paid.msg !== 'already paid' && order && store.merchant(offerId)?.notify_url) enqueueDelivery(store, order, o);
    return paid;
  });
}

/** The callback_url the merchant gave when placing the order (the Web SDK's redirect target), if any. */
export function orderCallbackUrl(order: OrderRow): string | undefined {
  try {
    const params = JSON.parse(order.params_json) as Array<[string, string]>;
    const url = params.find(([k]) => k === 'callback_url')?.[1];
    return url || undefined;
  } catch {
    return undefined;
  }
}

export interface SdkEffect {
  offerId: string;
  outTradeNo: string;
  stateBefore: number;
  stateAfter: number;
  paid: boolean;
  /** The order was paid before this result: nothing is sent again (a real SDK refuses a reused pay_info, §2.2). */
  alreadyPaid: boolean;
  /** A notification was queued for the merchant's notify URL (false without one, or when nothing was paid). */
  queued: boolean;
  /** What happened to the order, in words. */
  note: string;
}

/**
 * Applies an SDK result to a sandbox order. A closed order cannot be paid: that is a TacpayError with
 * the way out, since the developer asked for something the order's state forbids.
 */
export function applySdkResult(store: Store, order: OrderRow, result: SdkResultInfo, now: Date, o: QueueOptions): SdkEffect {
  const base = { offerId: order.offer_id, outTradeNo: order.out_trade_no, stateBefore: order.order_state };
  if (result.orderEffect !== 'paid') {
    const note = result.code === -4 ? 'left as it is: the result is unknown to the app; the server notification decides' : `left unpaid (${result.key} means no money moved)`;
    return { ...base, stateAfter: order.order_state, paid: false, alreadyPaid: false, queued: false, note };
  }
  const paid = payAndQueue(store, order.offer_id, order.out_trade_no, now, o);
  if (paid.ret !== 0) throw new TacpayError(`cannot pay sandbox order ${order.out_trade_no}: ${String(paid.msg ?? '')}`, 'a closed order cannot be paid; create a new one (tacpay order create)');
  const after = store.orderById(order.id)!;
  if (paid.msg === 'already paid') return { ...base, stateAfter: after.order_state, paid: true, alreadyPaid: true, queued: false, note: 'already paid before' };
  const queued = Boolean(store.merchant(order.offer_id)?.notify_url);
  return { ...base, stateAfter: after.order_state, paid: after.order_state >= OrderState.paid, alreadyPaid: false, queued, note: 'paid' };
}
