/**
 * flows/target.ts and flows/orders.ts with typed input: an embedded sandbox in a temp dir, orders
 * placed, paid and closed through the signed API, and a configured target pointed at a real server
 * on 127.0.0.1 that fails before it answers.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, TacpayError } from '../../src/errors.js';
import { flowEnv } from '../../src/flows/env.js';
import { callOrderApi, placeOrder } from '../../src/flows/orders.js';
import { openTarget, withTarget, type Target } from '../../src/flows/target.js';
import { payOrder } from '../../src/sandbox/api.js';
import { openStore } from '../../src/sandbox/store.js';

let dir: string;
const call = { timeoutMs: 5000, retries: 0 };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tacpay-flow-orders-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a sandbox target', () => {
  it('starts an embedded sandbox, fills the required parameters with defaults, and the pay_info verifies', async () => {
    const notes: string[] = [];
    const env = flowEnv({ note: (m) => notes.push(m) });
    const r = await withTarget({ kind: 'sandbox', dir: join(dir, 'a'), tsMode: 'beijing-naive' }, env, (t) => placeOrder(t, { required: { amount: '250' }, optional: { metadata: 'cart-7' } }, call, env));
    expect(r.target.kind).toBe('sandbox-embedded');
    expect(r.defaultsUsed).toEqual(['user_id', 'product_id', 'product_name', 'product_detail']);
    expect(r.request.params).toMatchObject({ amount: '250', metadata: 'cart-7', currency_type: 'CNY' });
    expect(r.request.params.out_trade_no).toMatch(/^tacpay_/);
    expect(r.response.ret).toBe(0);
    expect(r.payInfo?.valid).toBe(true);
    expect(r.payInfo?.signature.status).toBe('verified');
    expect(notes.join('\n')).toMatch(/built-in sandbox/);
    expect(notes.join('\n')).toMatch(/sandbox defaults for user_id=/);
  });

  it('closing a paid order is an ApiError whose hint says to refund, and the user_id comes from the sandbox', async () => {
    const env = flowEnv();
    const t: Target = await openTarget({ kind: 'sandbox', dir: join(dir, 'b'), tsMode: 'beijing-naive' }, env);
    try {
      const placed = await placeOrder(t, { required: { user_id: 'buyer0001' }, outTradeNo: 'o_close_paid', optional: {} }, call, env);
      expect(placed.response.ret).toBe(0);
      const store = openStore(join(dir, 'b'));
      try {
        expect(payOrder(store, t.offerId, 'o_close_paid', new Date()).ret).toBe(0);
      } finally {
        store.close();
      }
      expect(t.userIdOf?.({ outTradeNo: 'o_close_paid' })).toBe('buyer0001');
      const err = await callOrderApi(t, 'close_order', { out_trade_no: 'o_close_paid', user_id: 'buyer0001' }, call, env).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).details).toMatchObject({ ret: 1005, outTradeNo: 'o_close_paid' });
      expect((err as ApiError).hint).toMatch(/refund/);
    } finally {
      await t.close();
    }
  });

  it('a merchant the sandbox does not have is a not_found TacpayError, and nothing keeps running', async () => {
    const err = await openTarget({ kind: 'sandbox', dir: join(dir, 'c'), offerId: 'TC999', tsMode: 'beijing-naive' }, flowEnv()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TacpayError);
    expect((err as TacpayError).code).toBe('not_found');
    expect(existsSync(join(dir, 'c'))).toBe(true);
  });
});

describe('a configured target', () => {
  let server: Server;
  let url: string;
  let hits = 0;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  beforeAll(async () => {
    // Fails once with 503, then answers as an order API does.
    server = createServer((req, res) => {
      hits++;
      req.resume();
      req.on('end', () => {
        if (hits === 1) {
          res.writeHead(503).end('busy');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json', uuid: 'req-42' }).end(JSON.stringify({ ret: 1018, msg: 'sign error' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('retries a 503 (reported through onRetry), then a ret != 0 is an ApiError with the request id and a production hint', async () => {
    const t = await openTarget({ kind: 'configured', env: 'production', baseUrl: url, offerId: 'TC100008', offerKey: 'k'.repeat(32), privateKey, tsMode: 'epoch' }, flowEnv());
    const retries: string[] = [];
    let waits = 0;
    const err = await callOrderApi(t, 'query_order', { type: 'by_order', out_trade_no: 'o1', user_id: 'user01' }, { timeoutMs: 5000, retries: 2 }, flowEnv(), {
      onWait: () => {
        waits++;
        return () => {};
      },
      onRetry: (api, attempt, reason) => retries.push(`${api}#${attempt}:${reason}`),
    }).catch((e: unknown) => e);
    expect(hits).toBe(2);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatch(/^query_order#1:.*503/);
    expect(waits).toBe(1);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).details).toMatchObject({ ret: 1018, requestId: 'req-42' });
    expect((err as ApiError).hint).toMatch(/--ts-mode \(now epoch\)/);
  });

  it('placing an order with parameters missing and no one to ask is a TacpayError naming them, before anything is sent', async () => {
    const before = hits;
    const t = await openTarget({ kind: 'configured', env: 'production', baseUrl: url, offerId: 'TC100008', offerKey: 'k'.repeat(32), privateKey, tsMode: 'epoch' }, flowEnv());
    await expect(placeOrder(t, { required: { user_id: 'user01' }, optional: {} }, call, flowEnv())).rejects.toThrow(/unified_order needs product_id, product_name, product_detail, amount/);
    expect(hits).toBe(before);
  });
});
