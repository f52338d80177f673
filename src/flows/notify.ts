/**
 * Sending payment notifications (spec §3.1) to a merchant's handler, as `simulate notify` does: the
 * fields of a sandbox order (or defaults), overridden field by field, signed as the sandbox signs
 * them (§7 D2, assumed), POSTed and judged strictly, retried on the documented schedule (scaled)
 * until accepted; or, as probes, forged and abnormal notifications, each with a verdict.
 *
 * Progress goes out through hooks (the CLI prints the request, each attempt, each wait); the signal
 * stops the retries (the result says `stopped`). Nothing returned holds a secret: the offerKey shows
 * only as a placeholder at the end of the string-to-sign.
 */
import type { NotificationFields } from '../core/notification.js';
import { inert } from '../core/inert.js';
import { newOrderNo, SANDBOX_PRODUCT_ID, SANDBOX_USER_ID } from '../core/order-defaults.js';
import { TacpayError } from '../errors.js';
import type { SandboxKeys } from '../sandbox/data-dir.js';
import type { DeliveryReport } from '../sandbox/notify.js';
import type { ProbeResult } from '../sandbox/notify-probes.js';
import type { FlowEnv } from './env.js';

/** Shown instead of the offerKey wherever the string-to-sign is given out. */
export const OFFER_KEY_PLACEHOLDER = '<offerKey>';

/** A field's new value, already typed (amount and pay_scene numbers, sub_out_trade_no_list an array). */
export type FieldValue = string | number | unknown[];

export interface NotifyTarget {
  /** The handler's http(s) URL. */
  url: string;
  /** The sandbox data dir whose platform key signs and whose merchant's offerKey goes in. */
  dataDir: string;
  /** That sandbox's merchant; default its default merchant. */
  offerId?: string | undefined;
  /** Notify about this sandbox order (its fields, as the sandbox would send them). */
  order?: string | undefined;
  /** Fields set after the order's (or the defaults'), in order; a name outside §3.1 is sent and signed too, with a warning. */
  fields?: ReadonlyArray<readonly [string, FieldValue]> | undefined;
  /** A fixed ts (unix seconds) instead of a fresh one per attempt. */
  ts?: string | undefined;
  /** Per attempt: connection, request and reply. */
  timeoutMs: number;
}

export interface NotifyOptions extends NotifyTarget {
  /** False: one attempt only. */
  retry: boolean;
  /** Scale of the retry schedule (0 < scale <= 1). */
  retryScale: number;
}

export interface NotifyAttempt {
  attempt: number;
  at: string;
  status: number | null;
  reply: string | null;
  error: string | null;
  delivered: boolean;
  reason: string;
  latencyMs: number;
  nextInMs: number | null;
}

export interface NotifyResult {
  url: string;
  request: { method: 'POST'; contentType: string; body: Record<string, unknown> };
  /** The D2 string-to-sign of the first attempt, the offerKey replaced by a placeholder. */
  signedText: string;
  signature: { scheme: string; platformKeyFingerprint: string; offerId: string };
  delivered: boolean;
  stopped: boolean;
  attempts: NotifyAttempt[];
}

export type NotifyRequest = Pick<NotifyResult, 'url' | 'request' | 'signedText' | 'signature'>;

export interface NotifyHooks {
  /** Before the first attempt: what is about to be sent. */
  onRequest?: (r: NotifyRequest) => void;
  onAttempt?: (a: NotifyAttempt) => void;
  /** A retry is scheduled: attempt `next` in `inMs`. */
  onWait?: (next: number, inMs: number) => void;
}

export interface ProbesResult {
  url: string;
  platformKeyFingerprint: string;
  offerId: string;
  outTradeNo: string;
  holes: number;
  warnings: number;
  probes: ProbeResult[];
}

/** The notification's fields (without ts) from a sandbox order or defaults, then the overrides. */
async function notificationFields(t: NotifyTarget, env: FlowEnv, keys: SandboxKeys): Promise<{ base: Omit<NotificationFields, 'ts'>; extra: Record<string, unknown> }> {
  const { notificationBase } = await import('../sandbox/deliveries.js');
  const { randomBytes } = await import('node:crypto');
  let base: Omit<NotificationFields, 'ts'>;
  if (t.order !== undefined) {
    const order = keys.store.orderByOutTradeNo(keys.merchant.offer_id, t.order);
    if (!order) throw new TacpayError(`no order ${inert(t.order, { singleLine: true })} of merchant ${keys.merchant.offer_id} in the sandbox`, 'tacpay order create makes one; --offer-id picks another merchant');
    const d = keys.store.deliveryByOrder(order.id);
    // The sandbox's own delivery fixed pay_channel_orderid: send the same notification it sends.
    base = d ? (JSON.parse(d.fields_json) as Omit<NotificationFields, 'ts'>) : notificationBase(order, 1);
  } else {
    base = {
      appid: keys.merchant.offer_id,
      sub_appid: '',
      user_id: SANDBOX_USER_ID,
      out_trade_no: newOrderNo('tacpay_', env.now()),
      product_id: SANDBOX_PRODUCT_ID,
      currency_type: 'CNY',
      amount: 1,
      pay_channel: 'wechat',
      pay_scene: 1,
      pay_channel_orderid: `4200${BigInt('0x' + randomBytes(10).toString('hex')).toString().padStart(24, '0').slice(0, 24)}`,
      metadata: '',
      sub_out_trade_no_list: [],
    };
  }
  const fields = base as unknown as Record<string, unknown>;
  const known = new Set(Object.keys(base));
  const extra: Record<string, unknown> = {};
  for (const [k, v] of t.fields ?? []) {
    if (known.has(k)) fields[k] = v;
    else {
      env.warn(`--field ${inert(k, { singleLine: true })} is not a §3.1 field; it is sent and signed anyway`);
      extra[k] = v;
    }
  }
  return { base, extra };
}

function attemptOf(a: DeliveryReport['attempts'][number]): NotifyAttempt {
  return {
    attempt: a.attempt,
    at: a.at,
    status: a.status ?? null,
    reply: a.body ?? null,
    error: a.error ?? null,
    delivered: a.verdict.delivered,
    reason: a.verdict.reason,
    latencyMs: a.latencyMs,
    nextInMs: a.nextInMs ?? null,
  };
}

/** One notification, signed afresh per attempt, retried until accepted, out of attempts, or stopped by env.signal. */
export async function runNotify(o: NotifyOptions, env: FlowEnv, hooks: NotifyHooks = {}): Promise<NotifyResult> {
  const { sandboxKeys } = await import('../sandbox/index.js');
  const keys = sandboxKeys(env, o.dataDir, o.offerId);
  try {
    const { createPrivateKey } = await import('node:crypto');
    const { notificationCanonical, notificationJson, notificationTs, signNotification } = await import('../core/notification.js');
    const { sendWithRetries, JSON_TYPE } = await import('../sandbox/notify.js');
    const { base, extra } = await notificationFields(o, env, keys);
    const key = createPrivateKey(keys.platformPrivatePem);
    const offerKey = keys.merchant.offer_key;
    // Every attempt is signed afresh with its own ts, as the sandbox does, unless a ts is fixed.
    const bodyOf = (): Record<string, unknown> => ({ ...signNotification({ ...base, ...extra, ts: o.ts ?? notificationTs(env.now()) } as NotificationFields, offerKey, key) });
    const first = bodyOf();
    const canonical = notificationCanonical(first, offerKey);
    const request: NotifyRequest = {
      url: o.url,
      request: { method: 'POST', contentType: JSON_TYPE, body: first },
      signedText: canonical.slice(0, canonical.length - offerKey.length) + OFFER_KEY_PLACEHOLDER,
      signature: { scheme: 'SHA256withRSA over the sorted fields + offerKey, sandbox platform key (assumed, spec §7 D2)', platformKeyFingerprint: keys.platformFingerprint, offerId: keys.merchant.offer_id },
    };
    hooks.onRequest?.(request);
    const report = await sendWithRetries(o.url, {
      retry: o.retry,
      retryScale: o.retryScale,
      timeoutMs: o.timeoutMs,
      ...(env.signal ? { signal: env.signal } : {}),
      now: () => env.now(),
      bodyFor: (n) => notificationJson(n === 1 ? first : bodyOf()),
      onAttempt: (a) => {
        hooks.onAttempt?.(attemptOf(a));
        if (a.nextInMs !== undefined) hooks.onWait?.(a.attempt + 1, a.nextInMs);
      },
    });
    return { ...request, delivered: report.delivered, stopped: report.stopped, attempts: report.attempts.map(attemptOf) };
  } finally {
    keys.store.close();
  }
}

/** Forged and abnormal notifications around one genuine one, each judged by the handler's reply. */
export async function runNotifyProbes(t: NotifyTarget, env: FlowEnv, onResult?: (r: ProbeResult) => void): Promise<ProbesResult> {
  const { sandboxKeys } = await import('../sandbox/index.js');
  const keys = sandboxKeys(env, t.dataDir, t.offerId);
  try {
    const { createPrivateKey } = await import('node:crypto');
    const { buildProbes, runProbes } = await import('../sandbox/notify-probes.js');
    const { base, extra } = await notificationFields(t, env, keys);
    const probes = buildProbes({ ...base, ...extra }, { offerKey: keys.merchant.offer_key, platformKey: createPrivateKey(keys.platformPrivatePem) }, env.now());
    const results = await runProbes(t.url, probes, { timeoutMs: t.timeoutMs, ...(env.signal ? { signal: env.signal } : {}), ...(onResult ? { onResult } : {}) });
    return {
      url: t.url,
      platformKeyFingerprint: keys.platformFingerprint,
      offerId: keys.merchant.offer_id,
      outTradeNo: base.out_trade_no,
      holes: results.filter((r) => r.verdict === 'hole').length,
      warnings: results.filter((r) => r.verdict === 'warn').length,
      probes: results,
    };
  } finally {
    keys.store.close();
  }
}
