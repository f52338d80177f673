/**
 * The sandbox's notification deliveries (spec §3.1): when an order is paid, the sandbox owes the
 * merchant's notify URL a signed notification (§7 D2), retried on the documented schedule until the
 * reply is exactly {"ret":0,"msg":"ok"}. Deliveries live in the store, so pending ones survive a
 * restart and resume when a sandbox starts on the data dir again; order_state follows them: 2
 * (paid, delivering) → 4 (delivered), or 3 (delivery failed) after a failed attempt, and back to 4
 * if a later retry succeeds.
 *
 * The engine notices paid orders by polling the store, not by being told: an order may be paid by
 * this server (/_sandbox/pay), by `tacpay sandbox pay` or `simulate result` in another process, and
 * all of them must lead to a delivery. Attempts are leased in the store, so two processes sharing a
 * data dir never send the same attempt at once.
 */
import { createPrivateKey, randomInt, type KeyObject } from 'node:crypto';
import { judgeReply, notificationJson, notificationTs, retryDelayMs, signNotification, subOrderList, type NotificationFields } from '../core/notification.js';
import { stateAfterAttempt } from '../core/order-state.js';
import { apiTime } from './clock.js';
import { DEFAULT_TIMEOUT_MS, postNotification, type PostOutcome } from './notify.js';
import type { DeliveryAttemptRow, DeliveryRow, OrderRow, Store } from './store.js';

/** How often the engine looks for newly paid orders and due retries written by other processes. */
export const POLL_MS = 200;
/** Attempts in flight at once: enough for bursts, few enough not to flood a developer's handler. */
const CONCURRENCY = 8;
/** Kept of a reply in the delivery log. */
const LOGGED_REPLY_CHARS = 2000;

export type NotificationBase = Omit<NotificationFields, 'ts'>;

/** A channel-side order id of the usual shape: WeChat's are 28 digits starting 42, QQ Wallet's are longer. */
function channelOrderId(channel: string): string {
  let digits = '';
  const len = channel === 'qqwallet' ? 30 : 24;
  for (let i = 0; i < len; i++) digits += String(randomInt(10));
  return channel === 'qqwallet' ? `1${digits}` : `4200${digits}`;
}

/** The notification fields of a paid order (every §3.1 field; ts is added per attempt). */
export function notificationBase(order: OrderRow, payScene: number): NotificationBase {
  return {
    appid: order.offer_id,
    sub_appid: order.sub_appid ?? '',
    user_id: order.user_id,
    out_trade_no: order.out_trade_no,
    product_id: order.product_id,
    currency_type: order.currency_type,
    amount: order.amount,
    pay_channel: order.channel,
    pay_scene: payScene,
    pay_channel_orderid: channelOrderId(order.channel),
    metadata: order.metadata ?? '',
    sub_out_trade_no_list: subOrderList(order.sub_out_trade_no_list),
  };
}

export interface EnqueueOptions {
  retryScale: number;
  /** pay_scene (spec §3.1): 1 Android, 2 iOS, 3 PC web...; 1 when the platform is not known. */
  payScene?: number;
  /** The first attempt's due time (default: now). */
  at?: Date;
}

/** Creates the delivery of a paid order, due at once; undefined when it already has one. */
export function enqueueDelivery(store: Store, order: OrderRow, opts: EnqueueOptions): DeliveryRow | undefined {
  const at = (opts.at ?? new Date()).toISOString();
  return store.insertDeliveryIfNew({
    order_id: order.id,
    offer_id: order.offer_id,
    out_trade_no: order.out_trade_no,
    fields_json: JSON.stringify(notificationBase(order, opts.payScene ?? 1)),
    status: 'pending',
    attempts: 0,
    next_at: at,
    retry_scale: opts.retryScale,
    lease_until: null,
    created_at: at,
    updated_at: at,
  });
}

export interface EngineOptions {
  store: Store;
  platformPrivatePem: string;
  /** Scale of the retry schedule for deliveries this engine creates (1 = documented; a delivery keeps the scale it was created with). */
  retryScale?: number;
  /** Per-attempt timeout. */
  timeoutMs?: number;
  pollMs?: number;
  /** The sandbox clock: ts of notifications and callback_time. Scheduling always uses the wall clock (other processes share it). */
  now?: () => Date;
  onAttempt?: (a: DeliveryAttemptRow, d: DeliveryRow) => void;
  /**
   * Only this order's delivery, nothing else in the store: a command that sends one notification
   * in-process must not deliver (or notice) other orders as a side effect.
   */
  onlyOrderId?: number;
  /** An unexpected store error (the engine keeps going). */
  onError?: (err: Error) => void;
}

/** The delivery loop of one process. start() it; stop() waits for attempts in flight (cut short after the timeout). */
export class DeliveryEngine {
  private readonly key: KeyObject;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private readonly inflight = new Set<Promise<void>>();
  private readonly abort = new AbortController();

  constructor(private readonly opts: EngineOptions) {
    this.key = createPrivateKey(opts.platformPrivatePem);
  }

  get retryScale(): number {
    return this.opts.retryScale ?? 1;
  }

  start(): void {
    this.stopping = false;
    this.kick();
  }

  /** Looks for work now rather than at the next poll (after a payment in this process). */
  kick(): void {
    if (this.stopping) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), 0);
    this.timer.unref();
  }

  /** Stops polling, cuts attempts in flight short (their leases are given back, nothing is counted), and waits for them. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    this.abort.abort();
    await Promise.allSettled([...this.inflight]);
  }

  private tick(): void {
    this.timer = undefined;
    if (this.stopping) return;
    const { store } = this.opts;
    try {
      const only = this.opts.onlyOrderId;
      if (only === undefined) for (const order of store.paidOrdersWithoutDelivery(50)) enqueueDelivery(store, order, { retryScale: this.retryScale });
      const free = CONCURRENCY - this.inflight.size;
      if (free > 0) {
        const now = Date.now();
        const nowIso = new Date(now).toISOString();
        const lease = new Date(now + (this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) + 5000).toISOString();
        const mine = only === undefined ? undefined : store.deliveryByOrder(only);
        const claimed = only === undefined ? store.claimDueDeliveries(nowIso, lease, free) : mine ? [store.claimDelivery(mine.id, nowIso, lease)].filter((d) => d !== undefined) : [];
        for (const d of claimed) {
          // A failing attempt keeps its lease until it expires: a natural back-off for an error that persists.
          const p = this.attempt(d)
            .catch((err: Error) => this.opts.onError?.(err))
            .finally(() => {
              this.inflight.delete(p);
              this.kick();
            });
          this.inflight.add(p);
        }
      }
    } catch (err) {
      this.opts.onError?.(err as Error);
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.stopping) return;
    let wait = this.opts.pollMs ?? POLL_MS;
    if (this.inflight.size < CONCURRENCY) {
      try {
        const only = this.opts.onlyOrderId;
        const mine = only === undefined ? undefined : this.opts.store.deliveryByOrder(only);
        const due = only === undefined ? this.opts.store.nextDeliveryDue(new Date().toISOString()) : mine?.status === 'pending' && !mine.lease_until ? (mine.next_at ?? undefined) : undefined;
        if (due) wait = Math.max(0, Math.min(wait, Date.parse(due) - Date.now()));
      } catch (err) {
        this.opts.onError?.(err as Error);
      }
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), wait);
    // The server (or the command waiting for a delivery) keeps the process alive, never the poll.
    this.timer.unref();
  }

  private async attempt(d: DeliveryRow): Promise<void> {
    const { store } = this.opts;
    const now = this.opts.now ?? (() => new Date());
    const n = d.attempts + 1;
    const at = now();
    // The URL and offerKey are read per attempt: a notify URL fixed while retries run is used by the next one.
    const merchant = store.merchant(d.offer_id);
    const url = merchant?.notify_url ?? '';
    let body = '';
    let outcome: PostOutcome;
    if (!merchant || !url) {
      outcome = { error: 'the merchant has no notify URL (tacpay sandbox merchant set-notify)', latencyMs: 0 };
    } else {
      // Signed afresh per attempt, with the attempt's own ts, so a receiver can hold ts to a tight window.
      const fields = { ...(JSON.parse(d.fields_json) as NotificationBase), ts: notificationTs(at) };
      body = notificationJson(signNotification(fields, merchant.offer_key, this.key));
      outcome = await postNotification(url, body, { timeoutMs: this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, signal: this.abort.signal });
    }
    if (this.abort.signal.aborted) {
      store.releaseDelivery(d.id);
      return;
    }
    const verdict = judgeReply(outcome);
    const delay = verdict.delivered ? undefined : retryDelayMs(n, d.retry_scale);
    const nextAt = delay === undefined ? null : new Date(Date.now() + delay).toISOString();
    const status: DeliveryRow['status'] = verdict.delivered ? 'delivered' : nextAt ? 'pending' : 'failed';
    const orderState = stateAfterAttempt(verdict.delivered);
    const row = store.recordAttempt(
      {
        delivery_id: d.id,
        attempt: n,
        at: at.toISOString(),
        url,
        body,
        http_status: outcome.status ?? null,
        reply: outcome.body === undefined ? null : outcome.body.slice(0, LOGGED_REPLY_CHARS),
        delivered: verdict.delivered ? 1 : 0,
        reason: verdict.delivered ? null : verdict.reason,
        latency_ms: outcome.latencyMs,
        order_state: orderState,
        next_at: nextAt,
      },
      { status, next_at: nextAt, updated_at: new Date().toISOString() },
      { id: d.order_id, order_state: orderState, ...(verdict.delivered ? { callback_time: apiTime(at) } : {}) },
    );
    this.opts.onAttempt?.(row, { ...d, status, attempts: n, next_at: nextAt, lease_until: null });
  }
}

export type WaitUntil = 'first' | 'final';

/**
 * Waits (polling the store, bounded by `timeoutMs`) until the order's delivery has made its first
 * attempt, or has finished (delivered or given up). Resolves with the delivery as it then stands,
 * or as it stood at the timeout (undefined when the order has none).
 */
export async function waitForDelivery(store: Store, orderId: number, until: WaitUntil, timeoutMs: number): Promise<DeliveryRow | undefined> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const d = store.deliveryByOrder(orderId);
    if (d && (until === 'first' ? d.attempts >= 1 : d.status !== 'pending')) return d;
    if (Date.now() >= end) return d;
    await new Promise((r) => setTimeout(r, 20));
  }
}
