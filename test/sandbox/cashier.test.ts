/**
 * The Web SDK emulation over real HTTP (spec §4.6): openMidas.js served as the real script is
 * (from any origin), the cashier page for a sandbox order, each result's answer in popup and
 * redirect mode, the order paid and notified exactly as `simulate result success` does it, and
 * what is refused: a broken, foreign or used pay_info (-3 with the reason), a missing token, a
 * cross-site POST, a foreign Host, hostile strings in the page.
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

let seq = 0;
async function order(extra: Record<string, string> = {}): Promise<{ outTradeNo: string; payInfo: string }> {
  const outTradeNo = `web_${Date.now()}_${seq++}`;
  const r = await h.post('unified_order', h.sign({ user_id: 'webuser01', out_trade_no: outTradeNo, product_id: 'p1', product_name: 'gold', product_detail: 'gold', amount: '990', currency_type: 'CNY', ...extra }));
  expect(r.ret).toBe(0);
  return { outTradeNo, payInfo: r.pay_info as string };
}


const send = (method: string, path: string, body?: string, headers: Record<string, string> = {}) => sendTo(h.sandbox.url, method, path, body, headers);

const cashierPath = (payInfo: string, mode = 'popup', appMetadata = 'cart=7') => `/openmidas/cashier?mode=${mode}&env=test&pay_info=${encodeURIComponent(payInfo)}&app_metadata=${encodeURIComponent(appMetadata)}`;
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const resultOf = (html: string) => JSON.parse(/data-result="([^"]*)"/.exec(html)![1]!.replace(/&#(\d+);/g, (_m, c) => String.fromCharCode(Number(c)))) as { resultCode: number; innerCode: string; resultMsg: string; appMetadata: string };
const stateOf = (outTradeNo: string) => h.store.orderByOutTradeNo(h.merchant.offer_id, outTradeNo)!.order_state;

async function until(check: () => boolean, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; !check(); ) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('openMidas.js', () => {
  it('is served as a script any origin may load, with OpenMidas.init and OpenMidas.pay', async () => {
    const r = await send('GET', '/openmidas/jsapi/openMidas.js');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/javascript/);
    expect(r.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(r.body).toContain('window.OpenMidas');
    expect(r.body).toMatch(/init: function/);
    expect(r.body).toMatch(/pay: function/);
    const cfg = await send('GET', '/openmidas/jsapi/config/openMidasConfig.custom.js');
    expect(cfg.status).toBe(200);
  });
});

describe('the cashier', () => {
  it('shows the order, a button per result, a framable strict page and this sandbox token', async () => {
    const { outTradeNo, payInfo } = await order();
    const r = await send('GET', cashierPath(payInfo));
    expect(r.status).toBe(200);
    expect(r.body).toContain(outTradeNo);
    expect(r.body).toContain('¥9.90');
    for (const key of ['success', 'error', 'cancel', 'param-error', 'unknown']) expect(r.body).toContain(`value="${key}"`);
    expect(r.body).toContain(`name="token" value="${h.sandbox.token}"`);
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('frame-ancestors');
    expect(r.body).not.toMatch(/<script>(?!<)/);
  });

  it('popup, success: the order is paid, its notification is delivered (state 4), and the page hands back 0', async () => {
    const { outTradeNo, payInfo } = await order();
    const before = handler.bodies.length;
    const r = await send('POST', '/openmidas/cashier/pay', form({ token: h.sandbox.token, pay_info: payInfo, app_metadata: 'cart=7', mode: 'popup', result: 'success' }), { 'sec-fetch-site': 'same-origin' });
    expect(r.status).toBe(200);
    expect(resultOf(r.body)).toEqual({ resultCode: 0, innerCode: '', resultMsg: '支付成功', appMetadata: 'cart=7' });
    expect(r.body).toContain('/openmidas/cashier.js');
    await until(() => stateOf(outTradeNo) === 4);
    expect(handler.bodies.length).toBe(before + 1);
    expect(JSON.parse(handler.bodies.at(-1)!)).toMatchObject({ out_trade_no: outTradeNo, amount: 990, pay_scene: 3 });
  });

  it('popup, cancel: -2, and the order stays unpaid', async () => {
    const { outTradeNo, payInfo } = await order();
    const r = await send('POST', '/openmidas/cashier/pay', form({ token: h.sandbox.token, pay_info: payInfo, app_metadata: '', mode: 'popup', result: 'cancel' }));
    expect(resultOf(r.body).resultCode).toBe(-2);
    expect(stateOf(outTradeNo)).toBe(0);
  });

  it('redirect mode returns to the order callback_url with the documented query', async () => {
    const { outTradeNo, payInfo } = await order({ callback_url: 'https://shop.example/paid?from=tacpay' });
    const r = await send('POST', '/openmidas/cashier/pay', form({ token: h.sandbox.token, pay_info: payInfo, app_metadata: 'cart=7&coupon=x', mode: 'redirect', result: 'error' }));
    expect(r.status).toBe(303);
    const to = new URL(String(r.headers.location));
    expect(`${to.origin}${to.pathname}`).toBe('https://shop.example/paid');
    expect(Object.fromEntries(to.searchParams)).toEqual({ from: 'tacpay', resultCode: '-1', innerCode: '100-1-2', resultMsg: '支付失败，请稍后重试', appMetadata: 'cart=7&coupon=x' });
    expect(stateOf(outTradeNo)).toBe(0);
  });

  it('redirect mode names the callback origin in form-action, and never sends the browser to a javascript: callback_url', async () => {
    const ok = await order({ callback_url: 'https://shop.example/paid' });
    const page = await send('GET', cashierPath(ok.payInfo, 'redirect'));
    expect(String(page.headers['content-security-policy'])).toContain("form-action 'self' https://shop.example");
    const bad = await order({ callback_url: 'javascript:alert(document.domain)' });
    const badPage = await send('GET', cashierPath(bad.payInfo, 'redirect'));
    expect(String(badPage.headers['content-security-policy'])).toContain("form-action 'self';");
    const r = await send('POST', '/openmidas/cashier/pay', form({ token: h.sandbox.token, pay_info: bad.payInfo, mode: 'redirect', result: 'cancel' }));
    expect(r.status).toBe(200);
    expect(r.headers.location).toBeUndefined();
    expect(r.body).toMatch(/no callback_url/);
  });

  it('redirect mode without a callback_url says where a real SDK would go', async () => {
    const { payInfo } = await order();
    const r = await send('POST', '/openmidas/cashier/pay', form({ token: h.sandbox.token, pay_info: payInfo, app_metadata: '', mode: 'redirect', result: 'cancel' }));
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/no callback_url/);
    expect(r.body).toContain('resultCode=-2');
  });

  it('a tampered, foreign, empty or already used pay_info gets -3 with the reason, and no order changes', async () => {
    const { outTradeNo, payInfo } = await order();
    const tampered = payInfo.replace('webuser01', 'webuser02');
    expect(tampered).not.toBe(payInfo);
    const paid = await order();
    await send('POST', '/openmidas/cashier/pay', form({ token: h.sandbox.token, pay_info: paid.payInfo, mode: 'popup', result: 'success' }));
    const cases: Array<[string, RegExp]> = [
      [tampered, /signature does not verify/],
      ['data=%7B%7D&sign=AAAA', /not valid|signature/],
      ['', /empty/],
      [paid.payInfo, /already paid/],
    ];
    for (const [p, why] of cases) {
      const page = await send('GET', cashierPath(p));
      expect(page.body).toMatch(why);
      expect(page.body).not.toContain('value="success"');
      const r = await send('POST', '/openmidas/cashier/pay', form({ token: h.sandbox.token, pay_info: p, mode: 'popup', result: 'success' }));
      const got = resultOf(r.body);
      expect(got.resultCode).toBe(-3);
      expect(got.resultMsg).toMatch(why);
    }
    expect(stateOf(outTradeNo)).toBe(0);
  });

  it('refuses a POST without the token, a cross-site POST, a foreign Host, and an unknown result', async () => {
    const { outTradeNo, payInfo } = await order();
    const fields = { pay_info: payInfo, mode: 'popup', result: 'success' };
    const noToken = await send('POST', '/openmidas/cashier/pay', form(fields));
    expect(noToken.status).toBe(403);
    const wrongToken = await send('POST', '/openmidas/cashier/pay', form({ ...fields, token: '0'.repeat(32) }));
    expect(wrongToken.status).toBe(403);
    const crossSite = await send('POST', '/openmidas/cashier/pay', form({ ...fields, token: h.sandbox.token }), { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    const rebound = await send('GET', cashierPath(payInfo), undefined, { host: 'evil.example:80' });
    expect(rebound.status).toBe(403);
    expect(rebound.body).not.toContain(h.sandbox.token);
    const unknown = await send('POST', '/openmidas/cashier/pay', form({ ...fields, token: h.sandbox.token, result: 'teleport' }));
    expect(unknown.status).toBe(400);
    expect(stateOf(outTradeNo)).toBe(0);
  });

  it('escapes hostile strings from the request and the store', async () => {
    const { payInfo } = await order({ product_name: '<img src=x onerror=alert(1)>' });
    const r = await send('GET', cashierPath(payInfo, 'popup', '"><script>alert(2)</script>'));
    expect(r.body).not.toContain('<img src=x');
    expect(r.body).not.toContain('<script>alert(2)');
    expect(r.body).toContain('&#60;img src=x onerror=alert(1)&#62;');
    const big = await send('POST', '/openmidas/cashier/pay', 'x'.repeat(20_000));
    expect(big.status).toBe(413);
  });
});
