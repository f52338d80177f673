/**
 * The Web SDK emulation in a real browser (headless Chromium): a merchant page on its own origin
 * loads the sandbox's openMidas.js as it would load the real one, pays in popup mode choosing
 * cancel and gets -2 in its callback, pays in popup mode choosing success and the order is paid and
 * notified, and in redirect mode lands on its callback_url with the documented query string.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startHarness, type Harness } from '../sandbox/harness.js';
import { CHROMIUM_ARGS, chromiumPath, noChromium } from './chromium.js';

let h: Harness;
let shop: Server;
let shopUrl: string;
let browser: Browser;
const notified: string[] = [];

/** The merchant's page, as the README shows it: the script from the sandbox, a pay button per mode. */
function merchantPage(sandboxUrl: string, payInfo: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>shop</title>
<script src="${sandboxUrl}/openmidas/jsapi/openMidas.js"></script></head><body>
<p id="out">waiting</p>
<button id="popup">pay (popup)</button><button id="redirect">pay (redirect)</button>
<script>
  OpenMidas.init('test');
  var payInfo = ${JSON.stringify(payInfo)};
  document.getElementById('popup').onclick = function () {
    OpenMidas.pay(payInfo, function (resultCode, innerCode, resultMsg, appMetadata) {
      document.getElementById('out').textContent = JSON.stringify([resultCode, innerCode, resultMsg, appMetadata]);
    }, 'cart=7');
  };
  document.getElementById('redirect').onclick = function () { OpenMidas.pay(payInfo, 'cart=8'); };
</script></body></html>`;
}

const pages: Record<string, string> = {};

beforeAll(async () => {
  if (!chromiumPath) return;
  h = await startHarness();
  shop = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname === '/notify') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        notified.push(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ret":0,"msg":"ok"}');
      });
      return;
    }
    const page = pages[u.pathname];
    res.writeHead(page ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' }).end(page ?? `<p id="landed">${u.pathname}</p>`);
  });
  await new Promise<void>((r) => shop.listen(0, '127.0.0.1', r));
  // Another port is another origin: the merchant page is cross-origin to the sandbox, as in production.
  shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
  h.store.setNotifyUrl(h.merchant.offer_id, `${shopUrl}/notify`);
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (shop) await new Promise((r) => shop.close(r));
  await h?.close();
});

let seq = 0;
async function orderPage(extra: Record<string, string> = {}): Promise<{ outTradeNo: string; path: string }> {
  const outTradeNo = `browser_${Date.now()}_${seq++}`;
  const r = await h.post('unified_order', h.sign({ user_id: 'webuser01', out_trade_no: outTradeNo, product_id: 'p1', product_name: 'gold', product_detail: 'gold', amount: '100', currency_type: 'CNY', ...extra }));
  expect(r.ret).toBe(0);
  const path = `/checkout/${outTradeNo}`;
  pages[path] = merchantPage(h.sandbox.url, r.pay_info as string);
  return { outTradeNo, path };
}

async function payInPopup(page: Page, path: string, choose: string): Promise<unknown> {
  await page.goto(`${shopUrl}${path}`);
  await page.click('#popup');
  const frame = page.frameLocator('iframe[title^="OpenMidas cashier"]');
  await frame.locator(`button[value="${choose}"]`).click();
  await page.waitForFunction("document.getElementById('out').textContent !== 'waiting'");
  expect(await page.locator('[data-openmidas-overlay]').count()).toBe(0);
  return JSON.parse((await page.textContent('#out'))!);
}

describe.skipIf(!chromiumPath)(`the Web SDK in Chromium${noChromium ? ` (${noChromium})` : ''}`, () => {
  it('popup mode, cancel: the callback receives -2 with the appMetadata, and the order stays unpaid', async () => {
    const { outTradeNo, path } = await orderPage();
    const page = await browser.newPage();
    const got = await payInPopup(page, path, 'cancel');
    expect(got).toEqual([-2, '', '用户取消支付', 'cart=7']);
    expect(h.store.orderByOutTradeNo(h.merchant.offer_id, outTradeNo)!.order_state).toBe(0);
    await page.close();
  });

  it('popup mode, success: 0 in the callback, the order paid and its notification acknowledged (state 4)', async () => {
    const { outTradeNo, path } = await orderPage();
    const page = await browser.newPage();
    const got = await payInPopup(page, path, 'success');
    expect((got as unknown[])[0]).toBe(0);
    for (const end = Date.now() + 5000; h.store.orderByOutTradeNo(h.merchant.offer_id, outTradeNo)!.order_state !== 4; ) {
      if (Date.now() > end) throw new Error('the order did not reach state 4');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(notified.some((b) => b.includes(outTradeNo))).toBe(true);
    await page.close();
  });

  it('redirect mode: the cashier page, then the callback_url with resultCode, innerCode, resultMsg and appMetadata', async () => {
    const { path: withCallback } = await orderPage({ callback_url: `${shopUrl}/paid` });
    const page = await browser.newPage();
    await page.goto(`${shopUrl}${withCallback}`);
    await page.click('#redirect');
    await page.waitForURL(/\/openmidas\/cashier\?mode=redirect/);
    await page.click('button[value="cancel"]');
    await page.waitForURL(/\/paid\?/);
    const landed = new URL(page.url());
    expect(landed.pathname).toBe('/paid');
    expect(Object.fromEntries(landed.searchParams)).toEqual({ resultCode: '-2', innerCode: '', resultMsg: '用户取消支付', appMetadata: 'cart=8' });
    await page.close();
  });
});
