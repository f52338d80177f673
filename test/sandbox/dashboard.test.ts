/**
 * The dashboard over real HTTP: an order placed through the API is listed (newest first, filtered),
 * a failed signature shows its string-to-sign without the offerKey, an order's page shows its
 * pay_info decoded and its notification attempts, and the actions change orders through the same
 * code as the CLI, refused without the token, cross-site and to a foreign Host. Hostile strings
 * from the store are escaped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendTo, startAckHandler, startHarness, type Harness } from './harness.js';

let h: Harness;
let handler: Awaited<ReturnType<typeof startAckHandler>>;

beforeAll(async () => {
  h = await startHarness();
  handler = await startAckHandler();
  h.store.setNotifyUrl(h.merchant.offer_id, handler.url);
});
afterAll(async () => {
  await h.close();
  await handler.close();
});

const send = (method: string, path: string, body?: string, headers: Record<string, string> = {}) => sendTo(h.sandbox.url, method, path, body, headers);

let seq = 0;
async function order(extra: Record<string, string> = {}): Promise<string> {
  const outTradeNo = `dash_${Date.now()}_${seq++}`;
  const r = await h.post('unified_order', h.sign({ user_id: 'dashuser01', out_trade_no: outTradeNo, product_id: 'p1', product_name: 'gold', product_detail: 'gold', amount: '500', currency_type: 'CNY', ...extra }));
  expect(r.ret).toBe(0);
  return outTradeNo;
}
const idOf = (no: string) => h.store.orderByOutTradeNo(h.merchant.offer_id, no)!.id;
const stateOf = (no: string) => h.store.orderByOutTradeNo(h.merchant.offer_id, no)!.order_state;
const action = (fields: Record<string, string>, headers: Record<string, string> = {}) => send('POST', '/_dashboard/action', new URLSearchParams({ token: h.sandbox.token, ...fields }).toString(), headers);

describe('the dashboard', () => {
  it('lists orders newest first, filters them, and shows merchants and the platform key; strict headers', async () => {
    const first = await order();
    const second = await order({ user_id: 'otheruser2' });
    const r = await send('GET', '/');
    expect(r.status).toBe(200);
    expect(r.body.indexOf(second)).toBeLessThan(r.body.indexOf(first));
    expect(r.body).toContain(h.merchant.offer_id);
    expect(r.body).toContain('BEGIN PUBLIC KEY');
    expect(String(r.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    const byUser = await send('GET', '/?user=otheruser2');
    expect(byUser.body).toContain(second);
    expect(byUser.body).not.toContain(first);
    const byText = await send('GET', `/?q=${encodeURIComponent(first.slice(-6))}&state=0`);
    expect(byText.body).toContain(first);
    expect(byText.body).not.toContain(second);
  });

  it('a request whose signature fails shows the string-to-sign with a placeholder for the offerKey', async () => {
    const params = h.sign({ user_id: 'dashuser01', out_trade_no: 'dash_badsign', product_id: 'p1', product_name: 'gold', product_detail: 'gold', amount: '1', currency_type: 'CNY' });
    const r = await h.post('unified_order', { ...params, amount: '2' });
    expect(r.ret).toBe(1001);
    await h.loggedAfter(0, 1);
    await new Promise((res) => setTimeout(res, 50));
    const page = await send('GET', '/');
    expect(page.body).toContain('bad-sign');
    expect(page.body).toMatch(/string-to-sign: <code>amount=2&#38;currency_type=CNY[^<]*&lt;offerKey&gt;<\/code>/);
    expect(page.body).not.toContain(h.merchant.offer_key);
  });

  it('the stamp moves when an order is placed, and the live section holds it', async () => {
    const before = JSON.parse((await send('GET', '/_dashboard/stamp')).body).stamp;
    const no = await order();
    const after = JSON.parse((await send('GET', '/_dashboard/stamp')).body).stamp;
    expect(after).not.toBe(before);
    expect((await send('GET', '/_dashboard/live')).body).toContain(no);
  });

  it('pay (success) through the page: paid, handler.bodies and acknowledged (state 4), the attempt on the order page', async () => {
    const no = await order();
    const r = await action({ order: String(idOf(no)), action: 'pay', result: 'success' }, { 'sec-fetch-site': 'same-origin', origin: h.sandbox.url });
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/0 success: paid/);
    for (const end = Date.now() + 5000; stateOf(no) !== 4; ) {
      if (Date.now() > end) throw new Error('not state 4');
      await new Promise((res) => setTimeout(res, 10));
    }
    const page = await send('GET', `/_dashboard/order/${idOf(no)}`);
    expect(page.body).toMatch(/verified \(sha256/);
    expect(page.body).toContain('delivered');
    expect(page.body).toContain('{&#34;ret&#34;:0,&#34;msg&#34;:&#34;ok&#34;}');
    const count = handler.bodies.filter((b) => b.includes(no)).length;
    await action({ order: String(idOf(no)), action: 'redeliver' });
    for (const end = Date.now() + 5000; handler.bodies.filter((b) => b.includes(no)).length === count; ) {
      if (Date.now() > end) throw new Error('not redelivered');
      await new Promise((res) => setTimeout(res, 10));
    }
    const refund = await action({ order: String(idOf(no)), action: 'refund', amount: '200' });
    expect(refund.body).toMatch(/refund: ok/);
    expect(h.store.orderByOutTradeNo(h.merchant.offer_id, no)!.refunded_amount).toBe(200);
    const close = await action({ order: String(idOf(no)), action: 'close' });
    expect(close.body).toMatch(/close_order failed: ret \d+, .*paid/);
  });

  it('close through the signed API closes an unpaid order (state 6)', async () => {
    const no = await order();
    const r = await action({ order: String(idOf(no)), action: 'close' });
    expect(r.body).toMatch(/close_order: ok/);
    expect(stateOf(no)).toBe(6);
  });

  it('refuses an action without the token, cross-site, or to a foreign Host; the page to a foreign Host', async () => {
    const no = await order();
    const id = String(idOf(no));
    expect((await send('POST', '/_dashboard/action', new URLSearchParams({ order: id, action: 'pay', result: 'success' }).toString())).status).toBe(403);
    expect((await action({ order: id, action: 'pay', result: 'success' }, { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' })).status).toBe(403);
    expect((await action({ order: id, action: 'pay', result: 'success' }, { host: 'evil.example' })).status).toBe(403);
    const page = await send('GET', '/', undefined, { host: 'rebind.example:4010' });
    expect(page.status).toBe(403);
    expect(page.body).not.toContain(h.sandbox.token);
    expect(stateOf(no)).toBe(0);
  });

  it('escapes what the store holds', async () => {
    const no = await order({ user_id: 'xssuser01', product_name: '<script>alert(1)</script>' });
    const page = await send('GET', `/_dashboard/order/${idOf(no)}`);
    expect(page.body).not.toContain('<script>alert(1)');
    expect(page.body).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
  });
});
