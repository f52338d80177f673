/**
 * flows/pay.ts with typed input: a real sandbox order (placed through the signed API), a real
 * handler on 127.0.0.1, and each SDK result's effect on the order.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkResult } from '../../src/core/sdk-result.js';
import { flowEnv } from '../../src/flows/env.js';
import { placeOrder } from '../../src/flows/orders.js';
import { allResults, simulateResult } from '../../src/flows/pay.js';
import { withTarget } from '../../src/flows/target.js';
import { openStore } from '../../src/sandbox/store.js';

let dir: string;
let server: Server;
let received = 0;

async function order(outTradeNo: string): Promise<string> {
  const env = flowEnv();
  const r = await withTarget({ kind: 'sandbox', dir, tsMode: 'beijing-naive' }, env, (t) => placeOrder(t, { required: {}, outTradeNo, optional: {} }, { timeoutMs: 5000, retries: 0 }, env));
  return String(r.response.pay_info);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tacpay-flow-pay-'));
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ret":0,"msg":"ok"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  await order('o_setup');
  const store = openStore(dir);
  store.setNotifyUrl(store.defaultMerchant()!.offer_id, `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`);
  store.close();
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const base = { metadata: [] as Array<[string, string]>, retryScale: 0.001, timeoutMs: 3000 };

describe('simulateResult', () => {
  it('success on a sandbox pay_info pays the order and its notification is delivered (state 4)', async () => {
    const payInfo = await order('o_pay_ok');
    const before = received;
    const r = await simulateResult({ ...base, result: sdkResult('success')!, payInfo, platform: 'ios', dataDir: dir }, flowEnv());
    expect(r.result.code).toBe(0);
    expect(Object.keys(r).filter((k) => ['ios', 'android', 'web'].includes(k))).toEqual(['ios']);
    expect(r.payInfo).toMatchObject({ outTradeNo: 'o_pay_ok' });
    expect(r.order).toMatchObject({ outTradeNo: 'o_pay_ok', stateBefore: 0, stateAfter: 4, paid: true });
    expect(r.order?.delivery).toMatchObject({ status: 'delivered', attempts: 1, sender: 'this-command' });
    expect(received).toBe(before + 1);
  });

  it('cancel leaves the order unpaid; paying twice warns and sends nothing again', async () => {
    const payInfo = await order('o_cancel');
    const r = await simulateResult({ ...base, result: sdkResult('cancel')!, payInfo, dataDir: dir }, flowEnv());
    expect(r.result.code).toBe(-2);
    expect(r.order).toMatchObject({ paid: false, stateAfter: r.order!.stateBefore });
    expect(r.web?.callbackArgs[0]).toBe(-2);
    await simulateResult({ ...base, result: sdkResult('success')!, payInfo, dataDir: dir }, flowEnv());
    const warnings: string[] = [];
    const before = received;
    const again = await simulateResult({ ...base, result: sdkResult('success')!, payInfo, dataDir: dir }, flowEnv({ warn: (m) => warnings.push(m) }));
    expect(warnings.join('\n')).toMatch(/already paid/);
    expect(again.order?.delivery).toBeUndefined();
    expect(received).toBe(before);
  });

  it('a pay_info the sandbox did not issue (tampered) drives no order and says so', async () => {
    const payInfo = await order('o_tampered');
    const tampered = payInfo.replace(/sign=[A-Za-z0-9%]{4}/, 'sign=AAAA');
    expect(tampered).not.toBe(payInfo);
    const warnings: string[] = [];
    const r = await simulateResult({ ...base, result: sdkResult('success')!, payInfo: tampered, dataDir: dir }, flowEnv({ warn: (m) => warnings.push(m) }));
    expect(r.order).toBeUndefined();
    expect(warnings.join('\n')).toMatch(/not the one the sandbox issued/);
    const store = openStore(dir);
    try {
      expect(store.orderByOutTradeNo(store.defaultMerchant()!.offer_id, 'o_tampered')!.order_state).toBe(0);
    } finally {
      store.close();
    }
  });

  it('without sandbox data only the SDK shapes are shown; appMetadata over 255 characters warns', async () => {
    const notes: string[] = [];
    const warnings: string[] = [];
    const payInfo = await order('o_elsewhere');
    const r = await simulateResult({ ...base, metadata: [['k', 'v'.repeat(300)]], result: sdkResult('-1')!, payInfo, dataDir: join(dir, 'none') }, flowEnv({ note: (m) => notes.push(m), warn: (m) => warnings.push(m) }));
    expect(r.order).toBeUndefined();
    expect(r.android?.resultCode).toBe(-1);
    expect(notes.join('\n')).toMatch(/no sandbox data/);
    expect(warnings.join('\n')).toMatch(/at most 255/);
  });

  it('allResults lists the five codes', async () => {
    expect((await allResults()).results.map((x) => x.code)).toEqual([0, -1, -2, -3, -4]);
  });
});
