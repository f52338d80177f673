/**
 * Notification delivery over real HTTP on loopback: one POST judged against test handlers (correct,
 * accepts everything, slow past the timeout, "OK" in capitals, down), the retry schedule scaled,
 * and the sandbox's own delivery engine: order states 2 → 3 → 4, giving up after ten attempts,
 * pending deliveries surviving a restart, two sandboxes on one data dir sending once, merchants
 * without a notify URL left alone. Every wait is bounded.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalString } from '../../src/core/canonical.js';
import { notificationJson, signNotification, verifyNotification, type NotificationFields } from '../../src/core/notification.js';
import { signText } from '../../src/core/signature.js';
import { makeTs } from '../../src/core/timestamp.js';
import { payOrder } from '../../src/sandbox/api.js';
import { DeliveryEngine, enqueueDelivery, waitForDelivery } from '../../src/sandbox/deliveries.js';
import { ensurePlatformKeys } from '../../src/sandbox/merchants.js';
import { postNotification, sendWithRetries } from '../../src/sandbox/notify.js';
import { startSandbox, type SandboxServer } from '../../src/sandbox/server.js';
import { openStore, type MerchantRow, type Store } from '../../src/sandbox/store.js';
import { tempDir } from '../helpers/cli.js';
import { until } from '../helpers/sandbox-process.js';
import { orderParams } from './harness.js';
import { acceptAll, capitalOk, closeHandlers, correctHandler, downUrl, scripted, slow } from './notify-handlers.js';

interface Box {
  dir: string;
  store: Store;
  sandbox: SandboxServer;
  merchant: MerchantRow;
  platformPublic: ReturnType<typeof createPublicKey>;
  /** Creates an order over HTTP (signed) and returns its out_trade_no. */
  order(n: string, amount?: number): Promise<string>;
  close(): Promise<void>;
}

const boxes: Box[] = [];
afterEach(async () => {
  for (const b of boxes.splice(0)) await b.close();
  await closeHandlers();
});

async function box(opts: { dir?: string; retryScale?: number; timeoutMs?: number; notify?: false } = {}): Promise<Box> {
  const dir = opts.dir ?? tempDir('tacpay-notify-');
  const store = openStore(dir);
  const sandbox = await startSandbox({ store, port: 0, notify: opts.notify === false ? false : { retryScale: opts.retryScale ?? 0.001, timeoutMs: opts.timeoutMs ?? 2000, pollMs: 50 } });
  const merchant = store.defaultMerchant()!;
  const b: Box = {
    dir,
    store,
    sandbox,
    merchant,
    platformPublic: createPublicKey(ensurePlatformKeys(store).publicPem),
    async order(n, amount = 100) {
      const p: Record<string, string> = { ...orderParams(n, { amount: String(amount), original_amount: String(amount) }), ts: makeTs(new Date(), 'beijing-naive') };
      p.sign = signText(canonicalString(p, merchant.offer_key), createPrivateKey(merchant.private_key_pem));
      const res = await fetch(`${sandbox.url}/v1/r/${merchant.offer_id}/unified_order?${new URLSearchParams(p).toString().replace(/\+/g, '%20')}`, { method: 'POST' });
      const body = (await res.json()) as { ret: number; out_trade_no: string };
      expect(body.ret).toBe(0);
      return body.out_trade_no;
    },
    async close() {
      await sandbox.close();
      store.close();
    },
  };
  boxes.push(b);
  return b;
}

function orderOf(b: Box, outTradeNo: string) {
  return b.store.orderByOutTradeNo(b.merchant.offer_id, outTradeNo)!;
}

const fields = (outTradeNo = 'open_1'): NotificationFields => ({
  appid: 'TC100008',
  sub_appid: '',
  user_id: 'rickenwang',
  out_trade_no: outTradeNo,
  product_id: 'product_test',
  currency_type: 'CNY',
  amount: 100,
  pay_channel: 'wechat',
  pay_scene: 1,
  pay_channel_orderid: '42000001',
  metadata: '',
  sub_out_trade_no_list: [],
  ts: String(Math.floor(Date.now() / 1000)),
});

describe('one POST, judged strictly, against each kind of handler', () => {
  const key = createPrivateKey((() => {
    const s = openStore(tempDir('tacpay-notify-key-'));
    try {
      return ensurePlatformKeys(s).privatePem;
    } finally {
      s.close();
    }
  })());
  const pub = createPublicKey(key);
  const body = notificationJson(signNotification(fields(), 'OFFERKEY', key));

  it('a correct handler: delivered; it verified the signature itself and got JSON', async () => {
    const h = await correctHandler({ platformPublicKey: pub, offerKey: 'OFFERKEY', orders: new Map([['open_1', 100]]) });
    const out = await postNotification(h.url, body, { timeoutMs: 2000 });
    expect(out.status).toBe(200);
    expect(out.body).toBe('{"ret":0,"msg":"ok"}');
    expect(h.processed.has('open_1')).toBe(true);
    expect(h.received[0]!.contentType).toBe('application/json; charset=utf-8');
    expect(verifyNotification(h.received[0]!.body, 'OFFERKEY', pub, { now: new Date() }).ok).toBe(true);
  });

  it('the correct handler refuses the same body under another offerKey (the key really is in the signature)', async () => {
    const h = await correctHandler({ platformPublicKey: pub, offerKey: 'OTHER', orders: new Map([['open_1', 100]]) });
    const r = await sendWithRetries(h.url, { retry: false, retryScale: 1, bodyFor: () => body, now: () => new Date(), timeoutMs: 2000 });
    expect(r.delivered).toBe(false);
    expect(r.attempts[0]!.verdict.reason).toContain('bad sign');
  });

  it('a handler that accepts everything: delivered (the reply is all the platform sees)', async () => {
    const h = await acceptAll();
    const r = await sendWithRetries(h.url, { retry: false, retryScale: 1, bodyFor: () => '{"broken', now: () => new Date(), timeoutMs: 2000 });
    expect(r.delivered).toBe(true);
  });

  it('a slow handler past the timeout: not delivered, "no reply within"', async () => {
    const h = await slow(3000);
    const started = Date.now();
    const out = await postNotification(h.url, body, { timeoutMs: 200 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(out).toMatchObject({ timedOut: true, error: 'no reply within 200 ms' });
    expect(out.status).toBeUndefined();
  });

  it('"OK" in capitals: not delivered, and the reason says lowercase', async () => {
    const h = await capitalOk();
    const r = await sendWithRetries(h.url, { retry: false, retryScale: 1, bodyFor: () => body, now: () => new Date() });
    expect(r.delivered).toBe(false);
    expect(r.attempts[0]!.verdict.reason).toBe('msg is "OK"; it must be exactly lowercase "ok"');
  });

  it('a handler that is down: not delivered, connection refused', async () => {
    const out = await postNotification(await downUrl(), body, { timeoutMs: 2000 });
    expect(out.error).toMatch(/^connection refused/);
  });
});

describe('retries on the documented schedule, scaled', () => {
  it('fail, fail, ok: delivered on the third attempt, waits 15 and 15 (scaled) between, a fresh body per attempt', async () => {
    const h = await scripted(['fail', 'fail', 'ok']);
    const r = await sendWithRetries(h.url, { retry: true, retryScale: 0.001, bodyFor: (n) => `{"n":${n}}`, now: () => new Date(), timeoutMs: 2000 });
    expect(r.delivered).toBe(true);
    expect(r.attempts.map((a) => [a.attempt, a.verdict.delivered, a.nextInMs])).toEqual([
      [1, false, 15],
      [2, false, 15],
      [3, true, undefined],
    ]);
    expect(h.received.map((x) => x.body)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
  });

  it('a handler that never accepts: ten attempts, then it gives up', async () => {
    const h = await capitalOk();
    const r = await sendWithRetries(h.url, { retry: true, retryScale: 0.00002, bodyFor: () => '{}', now: () => new Date(), timeoutMs: 2000 });
    expect(r.delivered).toBe(false);
    expect(r.attempts).toHaveLength(10);
    expect(h.received).toHaveLength(10);
  });

  it('an abort signal stops the waiting at once', async () => {
    const h = await capitalOk();
    const ac = new AbortController();
    const started = Date.now();
    const p = sendWithRetries(h.url, { retry: true, retryScale: 1, bodyFor: () => '{}', now: () => new Date(), signal: ac.signal });
    await until(() => h.received.length === 1, 'the first attempt');
    ac.abort();
    const r = await p;
    expect(r).toMatchObject({ delivered: false, stopped: true });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('the sandbox delivers notifications itself', () => {
  it('paid → the merchant notify URL gets a signed notification with every field; state 4 and callback_time once accepted', async () => {
    const b = await box();
    const orders = new Map<string, number>();
    const h = await correctHandler({ platformPublicKey: b.platformPublic, offerKey: b.merchant.offer_key, orders });
    b.store.setNotifyUrl(b.merchant.offer_id, h.url);
    const no = await b.order('n1', 250);
    orders.set(no, 250);
    // Paid through the server's own route, as `sandbox pay` against a running sandbox would.
    const res = await fetch(`${b.sandbox.url}/_sandbox/pay?offer_id=${b.merchant.offer_id}&out_trade_no=${no}`, { method: 'POST' });
    expect(((await res.json()) as { order_state: string }).order_state).toBe('2');
    const d = await waitForDelivery(b.store, orderOf(b, no).id, 'final', 10_000);
    expect(d).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(orderOf(b, no)).toMatchObject({ order_state: 4, callback_time: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/) });
    const body = JSON.parse(h.received[0]!.body);
    expect(Object.keys(body)).toEqual(['appid', 'sub_appid', 'user_id', 'out_trade_no', 'product_id', 'currency_type', 'amount', 'pay_channel', 'pay_scene', 'pay_channel_orderid', 'metadata', 'sub_out_trade_no_list', 'ts', 'sign']);
    expect(body).toMatchObject({ appid: b.merchant.offer_id, out_trade_no: no, amount: 250, pay_channel: 'wechat', user_id: 'rickenwang', pay_scene: 1 });
    expect(h.processed.has(no)).toBe(true);
    const attempts = b.store.attemptsOf(d!.id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ delivered: 1, http_status: 200, reply: '{"ret":0,"msg":"ok"}', order_state: 4, url: h.url });
  });

  it('fail then ok: state 3 after the failed attempt, back to 4 when the retry is accepted; the same notification each time', async () => {
    const b = await box({ retryScale: 0.01 });
    const h = await scripted(['fail', 'ok']);
    b.store.setNotifyUrl(b.merchant.offer_id, h.url);
    const no = await b.order('n2');
    payOrder(b.store, b.merchant.offer_id, no, new Date());
    const id = orderOf(b, no).id;
    const first = await waitForDelivery(b.store, id, 'first', 10_000);
    expect(first).toMatchObject({ attempts: 1 });
    const d = await waitForDelivery(b.store, id, 'final', 10_000);
    expect(d).toMatchObject({ status: 'delivered', attempts: 2 });
    const attempts = b.store.attemptsOf(d!.id);
    expect(attempts.map((a) => [a.attempt, a.delivered, a.order_state])).toEqual([
      [1, 0, 3],
      [2, 1, 4],
    ]);
    expect(attempts[0]!.reason).toContain('scripted failure');
    // The retry came no sooner than 15 s x 0.01.
    expect(Date.parse(attempts[1]!.at) - Date.parse(attempts[0]!.at)).toBeGreaterThanOrEqual(140);
    expect(orderOf(b, no).order_state).toBe(4);
    const bodies = h.received.map((r) => JSON.parse(r.body));
    expect(bodies[0].pay_channel_orderid).toBe(bodies[1].pay_channel_orderid);
  });

  it('a handler that is down: ten attempts on the scaled schedule, then the delivery has failed and the order stays 3', async () => {
    const b = await box({ retryScale: 0.00002 });
    b.store.setNotifyUrl(b.merchant.offer_id, await downUrl());
    const no = await b.order('n3');
    payOrder(b.store, b.merchant.offer_id, no, new Date());
    const d = await waitForDelivery(b.store, orderOf(b, no).id, 'final', 15_000);
    expect(d).toMatchObject({ status: 'failed', attempts: 10, next_at: null });
    expect(orderOf(b, no).order_state).toBe(3);
    expect(b.store.attemptsOf(d!.id).every((a) => a.reason?.startsWith('connection refused'))).toBe(true);
  });

  it('a merchant without a notify URL: the paid order stays 2 and no delivery is made', async () => {
    const b = await box();
    const no = await b.order('n4');
    payOrder(b.store, b.merchant.offer_id, no, new Date());
    await new Promise((r) => setTimeout(r, 300));
    expect(b.store.deliveryByOrder(orderOf(b, no).id)).toBeUndefined();
    expect(orderOf(b, no).order_state).toBe(2);
  });

  it('a pending delivery survives a restart: an attempt cut short by shutdown is not counted and is sent by the next sandbox', async () => {
    const dir = tempDir('tacpay-notify-restart-');
    const b = await box({ dir, timeoutMs: 5000 });
    const stuck = await slow(10_000);
    b.store.setNotifyUrl(b.merchant.offer_id, stuck.url);
    const no = await b.order('n5');
    payOrder(b.store, b.merchant.offer_id, no, new Date());
    await until(() => stuck.received.length === 1, 'the first attempt to reach the slow handler');
    boxes.splice(boxes.indexOf(b), 1);
    await b.close();

    const store = openStore(dir);
    const pending = store.deliveryByOrder(store.orderByOutTradeNo(b.merchant.offer_id, no)!.id)!;
    expect(pending).toMatchObject({ status: 'pending', attempts: 0, lease_until: null });
    store.close();

    const again = await box({ dir });
    const orders = new Map([[no, 100]]);
    const h = await correctHandler({ platformPublicKey: again.platformPublic, offerKey: again.merchant.offer_key, orders });
    again.store.setNotifyUrl(again.merchant.offer_id, h.url);
    const d = await waitForDelivery(again.store, pending.order_id, 'final', 10_000);
    expect(d).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(h.received).toHaveLength(1);
    expect(orderOf(again, no).order_state).toBe(4);
  });

  it('a delivery queued while no engine ran (notify off) is sent when a sandbox with deliveries starts', async () => {
    const dir = tempDir('tacpay-notify-queued-');
    const off = await box({ dir, notify: false });
    const h = await acceptAll();
    off.store.setNotifyUrl(off.merchant.offer_id, h.url);
    const no = await off.order('n6');
    payOrder(off.store, off.merchant.offer_id, no, new Date());
    const order = orderOf(off, no);
    expect(enqueueDelivery(off.store, order, { retryScale: 0.001, payScene: 2 })).toBeDefined();
    expect(enqueueDelivery(off.store, order, { retryScale: 0.001 })).toBeUndefined();
    await new Promise((r) => setTimeout(r, 200));
    expect(h.received).toHaveLength(0);
    boxes.splice(boxes.indexOf(off), 1);
    await off.close();

    const on = await box({ dir });
    const d = await waitForDelivery(on.store, order.id, 'final', 10_000);
    expect(d?.status).toBe('delivered');
    expect(JSON.parse(h.received[0]!.body).pay_scene).toBe(2);
  });

  it('an engine for one order (a command sending in-process) leaves every other delivery alone', async () => {
    const b = await box({ notify: false });
    const h = await acceptAll();
    b.store.setNotifyUrl(b.merchant.offer_id, h.url);
    const [mine, other] = await Promise.all([b.order('o1'), b.order('o2')]);
    for (const no of [mine, other]) {
      payOrder(b.store, b.merchant.offer_id, no, new Date());
      enqueueDelivery(b.store, orderOf(b, no), { retryScale: 0.001 });
    }
    const engine = new DeliveryEngine({ store: b.store, platformPrivatePem: ensurePlatformKeys(b.store).privatePem, onlyOrderId: orderOf(b, mine).id, pollMs: 20 });
    engine.start();
    try {
      expect((await waitForDelivery(b.store, orderOf(b, mine).id, 'final', 10_000))?.status).toBe('delivered');
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await engine.stop();
    }
    expect(b.store.deliveryByOrder(orderOf(b, other).id)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(h.received.map((r) => JSON.parse(r.body).out_trade_no)).toEqual([mine]);
  });

  it('two sandboxes on one data dir send each attempt once', async () => {
    const dir = tempDir('tacpay-notify-two-');
    const a = await box({ dir });
    const b = await box({ dir });
    const h = await slow(150);
    a.store.setNotifyUrl(a.merchant.offer_id, h.url);
    const nos = await Promise.all(['t1', 't2', 't3', 't4'].map((n) => a.order(n)));
    for (const no of nos) payOrder(a.store, a.merchant.offer_id, no, new Date());
    for (const no of nos) expect((await waitForDelivery(b.store, orderOf(a, no).id, 'final', 10_000))?.status).toBe('delivered');
    expect(h.received.map((r) => JSON.parse(r.body).out_trade_no).sort()).toEqual([...nos].sort());
  });
});
