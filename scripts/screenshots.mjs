#!/usr/bin/env node
// Regenerates the screenshots in docs/ from a real sandbox and the distribution's Chromium:
// `npm run build && node scripts/screenshots.mjs` (TACPAY_CHROMIUM names another binary).
// The merchant page is served on another loopback port, as a shop's page would be on its own origin.
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createOrderClient, startSandbox } from '../dist/lib/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const executablePath = [process.env.TACPAY_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && existsSync(p));
if (!executablePath) {
  console.error('error: no Chromium found\nhint: apt-get install chromium, or set TACPAY_CHROMIUM');
  process.exit(1);
}
mkdirSync(join(root, 'docs'), { recursive: true });

const sandbox = await startSandbox({ retryScale: 0.001 });
const { offerId, offerKey, privateKeyPem } = sandbox.merchant;
const client = createOrderClient({ offerId, offerKey, privateKey: privateKeyPem, baseUrl: sandbox.url });
const placed = await client.unifiedOrder({ user_id: 'shopper01', out_trade_no: 'shop_20261204_0001', product_id: 'gold_60', product_name: '60 gold coins', product_detail: '60 gold coins', currency_type: 'CNY', amount: 600 });
await client.close();

const page = `<!doctype html><meta charset="utf-8"><title>My shop</title><style>body{font:16px system-ui;margin:40px;color:#222}button{font:inherit;padding:10px 16px}</style>
<script src="${sandbox.url}/openmidas/jsapi/openMidas.js"></script>
<h1>My shop</h1><p>60 gold coins, ¥6.00</p><button id="pay">Pay</button>
<script>OpenMidas.init('test');document.getElementById('pay').onclick=function(){OpenMidas.pay(${JSON.stringify(placed.pay_info)},function(){},'cart=7');};</script>`;
const shop = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page));
await new Promise((r) => shop.listen(0, '127.0.0.1', r));

const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
try {
  const desktop = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  await desktop.goto(`http://127.0.0.1:${shop.address().port}/`);
  await desktop.click('#pay');
  await desktop.frameLocator('iframe[title^="OpenMidas cashier"]').locator('button[value="success"]').waitFor();
  await desktop.screenshot({ path: join(root, 'docs/cashier.png') });
  const phone = await browser.newPage({ viewport: { width: 390, height: 760 }, colorScheme: 'dark', deviceScaleFactor: 2 });
  await phone.goto(`${sandbox.url}/openmidas/cashier?mode=redirect&env=test&pay_info=${encodeURIComponent(placed.pay_info)}`);
  await phone.screenshot({ path: join(root, 'docs/cashier-phone-dark.png') });
  console.log('wrote docs/cashier.png, docs/cashier-phone-dark.png');
} finally {
  await browser.close();
  shop.close();
  await sandbox.close();
}
