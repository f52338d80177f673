/**
 * An SDK result, as `simulate result` shows it: what the app's completion callback receives on each
 * platform (spec §4.1, §4.2, §4.6), and, when the pay_info is one the sandbox issued, what that
 * result does to the order: success pays it and its notification goes out (by the running sandbox
 * when there is one, else by a delivery engine here for the first attempt); cancel and error leave
 * it unpaid. The order effect is sandbox/sdk-effect.ts, the one path the scenario runner and the
 * web cashier take too.
 */
import { inert } from '../core/inert.js';
import type { AndroidResult, IosResult, Platform, SdkResultInfo, WebResult } from '../core/sdk-result.js';
import type { Store } from '../sandbox/store.js';
import type { FlowEnv } from './env.js';

export const EXAMPLES_NOTE = 'innerCode and resultMsg are examples: the SDKs publish no innerCode table (spec §4.3)';

export interface SimulateResultInput {
  result: SdkResultInfo;
  /** The pay_info the app passed to the SDK: payMethod comes from it, and its sandbox order is driven. */
  payInfo?: string | undefined;
  /** Only this SDK's shape; default all three. */
  platform?: Platform | undefined;
  /** App metadata passed to pay, in order. */
  metadata: ReadonlyArray<readonly [string, string]>;
  /** The sandbox data dir whose order the pay_info may name. */
  dataDir: string;
  /** Scale of a driven order's notification retry schedule. */
  retryScale: number;
  /** Per notification attempt; also how long to wait for the first one. */
  timeoutMs: number;
}

export interface DeliveryOutcome {
  url: string | null;
  status: 'pending' | 'delivered' | 'failed' | 'none';
  attempts: number;
  /** The last attempt's reason when it failed. */
  reason?: string;
  nextAt?: string | null;
  /** Which process sent it: a running sandbox, or this one. */
  sender: 'running-sandbox' | 'this-command' | 'none';
  summary: string;
}

export interface OrderEffect {
  offerId: string;
  outTradeNo: string;
  stateBefore: number;
  stateAfter: number;
  paid: boolean;
  /** What happened to the order, in words. */
  note: string;
  delivery?: DeliveryOutcome;
}

export interface ResultReport {
  result: { code: number; key: string; ios: string; android: string; meaning: string };
  note: string;
  payInfo?: { appid?: string; outTradeNo?: string; payMethod?: string };
  ios?: IosResult;
  android?: AndroidResult;
  web?: WebResult;
  order?: OrderEffect;
}

export interface AllReport {
  note: string;
  results: Array<{ code: number; key: string; ios: string; android: string; meaning: string; orderEffect: string }>;
}

function summary(r: SdkResultInfo): ResultReport['result'] {
  return { code: r.code, key: r.key, ios: r.ios, android: r.android, meaning: r.meaning };
}

/** The five results side by side. */
export async function allResults(): Promise<AllReport> {
  const { SDK_RESULTS } = await import('../core/sdk-result.js');
  return { note: EXAMPLES_NOTE, results: SDK_RESULTS.map((r) => ({ ...summary(r), orderEffect: r.orderEffect })) };
}

/** One result on each platform, and its effect on the sandbox order the pay_info belongs to (if any). */
export async function simulateResult(i: SimulateResultInput, env: FlowEnv): Promise<ResultReport> {
  const sdk = await import('../core/sdk-result.js');
  const r = i.result;
  const metadata = i.metadata.map(([k, v]) => [k, v] as [string, string]);
  const meta = metadata.map(([k, v]) => `${k}=${v}`).join('&');
  if (meta.length > 255) env.warn(`appMetadata is ${meta.length} characters; the Web SDK documents at most 255`);

  let payInfo: ResultReport['payInfo'];
  let callbackUrl: string | undefined;
  let order: OrderEffect | undefined;
  if (i.payInfo !== undefined) {
    const { parsePayInfo } = await import('../core/payinfo.js');
    const parsed = parsePayInfo(i.payInfo);
    const data = parsed.data ?? {};
    const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
    payInfo = { ...(str(data.appid) ? { appid: str(data.appid) } : {}), ...(str(data.out_trade_no) ? { outTradeNo: str(data.out_trade_no) } : {}), ...(str(data.pay_method) ? { payMethod: str(data.pay_method) } : {}) };
    const bad = parsed.issues.find((x) => x.severity === 'error');
    if (bad) env.warn(`the pay_info has a problem (${inert(bad.message, { singleLine: true })}); a real SDK would likely answer -3 (param-error). tacpay decode explains it`);
    if (payInfo.appid && payInfo.outTradeNo) {
      const found = await driveOrder(r, i.payInfo.trim(), payInfo.appid, payInfo.outTradeNo, { ...i, platform: i.platform ?? 'android' }, env);
      order = found?.effect;
      callbackUrl = found?.callbackUrl;
    }
  }
  const input = { ...(payInfo?.payMethod ? { payMethod: payInfo.payMethod } : {}), metadata, ...(callbackUrl ? { callbackUrl } : {}) };
  const want = (p: Platform): boolean => i.platform === undefined || i.platform === p;
  return {
    result: summary(r),
    note: EXAMPLES_NOTE,
    ...(payInfo ? { payInfo } : {}),
    ...(want('ios') ? { ios: sdk.iosResult(r, input) } : {}),
    ...(want('android') ? { android: sdk.androidResult(r, input) } : {}),
    ...(want('web') ? { web: sdk.webResult(r, input) } : {}),
    ...(order ? { order } : {}),
  };
}

/** Applies the result to the sandbox order the pay_info belongs to; undefined when it belongs to none. */
async function driveOrder(r: SdkResultInfo, payInfo: string, appid: string, outTradeNo: string, o: SimulateResultInput & { platform: Platform }, env: FlowEnv): Promise<{ effect: OrderEffect; callbackUrl?: string } | undefined> {
  const { shownDir, storeExists, openSandboxStore, applySdkResult, orderCallbackUrl } = await import('../sandbox/index.js');
  const dir = o.dataDir;
  if (!storeExists(dir)) {
    env.note(`no sandbox data at ${shownDir(dir)}: the pay_info is not a sandbox order, so only the SDK shapes are shown`);
    return undefined;
  }
  const store = openSandboxStore(dir, 'existing');
  try {
    const order = store.orderByOutTradeNo(appid, outTradeNo);
    if (!order) {
      env.note(`order ${inert(outTradeNo, { singleLine: true })} of ${inert(appid, { singleLine: true })} is not in the sandbox at ${shownDir(dir)}: only the SDK shapes are shown`);
      return undefined;
    }
    if (order.pay_info !== payInfo) {
      env.warn(`the pay_info names sandbox order ${order.out_trade_no} but is not the one the sandbox issued for it; the order is left alone`);
      return undefined;
    }
    const callbackUrl = orderCallbackUrl(order);
    const { payScene } = await import('../core/sdk-result.js');
    const scene = payScene(o.platform);
    const e = applySdkResult(store, order, r, env.now(), { retryScale: o.retryScale, payScene: scene });
    const effect: OrderEffect = { offerId: e.offerId, outTradeNo: e.outTradeNo, stateBefore: e.stateBefore, stateAfter: e.stateAfter, paid: e.paid, note: e.note };
    if (e.alreadyPaid) env.warn('the order was already paid: a real SDK refuses a pay_info used twice (spec §2.2); nothing is sent again');
    if (e.paid && !e.alreadyPaid) {
      const delivery = await deliverPaidOrder(env, dir, store, order.id, { retryScale: o.retryScale, timeoutMs: o.timeoutMs, payScene: scene });
      effect.stateAfter = store.orderById(order.id)!.order_state;
      if (delivery) effect.delivery = delivery;
    }
    return { effect, ...(callbackUrl ? { callbackUrl } : {}) };
  } finally {
    store.close();
  }
}

/**
 * Makes sure the notification of a paid order is queued and waits (bounded) for its first attempt. Returns
 * undefined when the merchant has no notify URL (the order then stays 2, paid and delivering).
 */
export async function deliverPaidOrder(env: FlowEnv, dir: string, store: Store, orderId: number, o: { retryScale: number; timeoutMs: number; payScene: number }): Promise<DeliveryOutcome | undefined> {
  const order = store.orderById(orderId)!;
  const merchant = store.merchant(order.offer_id)!;
  if (!merchant.notify_url) {
    env.note(`merchant ${merchant.offer_id} has no notify URL, so no notification is sent; set one: tacpay sandbox merchant set-notify ${merchant.offer_id} <url> (or tacpay listen --register)`);
    return undefined;
  }
  const { enqueueDelivery, waitForDelivery, DeliveryEngine, POLL_MS } = await import('../sandbox/deliveries.js');
  enqueueDelivery(store, order, { retryScale: o.retryScale, payScene: o.payScene });
  const { findRunning } = await import('../sandbox/runtime.js');
  const running = await findRunning(dir);
  let engine: InstanceType<typeof DeliveryEngine> | undefined;
  if (!running) {
    const { ensurePlatformKeys } = await import('../sandbox/merchants.js');
    engine = new DeliveryEngine({ store, platformPrivatePem: ensurePlatformKeys(store).privatePem, retryScale: o.retryScale, timeoutMs: o.timeoutMs, now: () => env.now(), onlyOrderId: orderId });
    engine.start();
  } else env.note(`the sandbox running at ${running.url} sends the notification`);
  let d;
  try {
    // A running sandbox notices the payment at its next poll; then one attempt, bounded by the timeout.
    d = await waitForDelivery(store, orderId, 'first', o.timeoutMs + POLL_MS * 5 + 1000);
  } finally {
    await engine?.stop();
  }
  const sender = running ? 'running-sandbox' : 'this-command';
  const url = merchant.notify_url;
  if (!d || d.attempts === 0) return { url, status: 'pending', attempts: 0, sender, summary: `queued for ${url}; no attempt yet (it is sent when a sandbox runs: tacpay sandbox start)` };
  const last = store.attemptsOf(d.id).at(-1);
  const base = { url, status: d.status, attempts: d.attempts, nextAt: d.next_at, sender } as const;
  if (d.status === 'delivered') return { ...base, summary: `delivered to ${url} on attempt ${d.attempts} (order state 4)` };
  const reason = last?.reason ?? 'unknown';
  const later = d.next_at ? `; next attempt at ${d.next_at}${running ? '' : ' (retries run while a sandbox runs on this data dir: tacpay sandbox start)'}` : '; no attempts left';
  return { ...base, reason, summary: `not delivered to ${url}: ${reason}${later} (order state 3)` };
}
