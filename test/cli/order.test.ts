import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { parsePayInfo } from '../../src/core/payinfo.js';
import { payOrder } from '../../src/sandbox/api.js';
import { openStore } from '../../src/sandbox/store.js';
import { cleanEnv, json, runCli, tempDir } from '../helpers/cli.js';
import { startHarness, type Harness } from '../sandbox/harness.js';

const dir = tempDir('tacpay-order-');
const sb = ['--sandbox-dir', dir];
const env = cleanEnv();

describe('order create against the embedded sandbox (no credentials)', () => {
  it('places an order with sandbox defaults and decodes a verified pay_info', async () => {
    const r = await runCli(['--json', 'order', 'create', ...sb], { env });
    expect(r.code).toBe(0);
    const doc = json(r);
    expect(doc.target.kind).toBe('sandbox-embedded');
    expect(doc.response.ret).toBe(0);
    expect(doc.response.transaction_id).toMatch(/^E-\d{18}$/);
    expect(doc.defaultsUsed).toEqual(['user_id', 'product_id', 'product_name', 'product_detail', 'amount']);
    expect(doc.payInfo.valid).toBe(true);
    expect(doc.payInfo.signature.status).toBe('verified');
    expect(doc.payInfo.data.appid).toBe(doc.target.offerId);
    expect(r.stderr).toMatch(/using the built-in sandbox/);
  });

  it('human output shows the pay_info and the decoded fields; stdout carries no notes', async () => {
    const r = await runCli(['order', 'create', ...sb, '--amount-yuan', '6.50', '--channel', 'qqwallet', '--user-id', 'rickenwang'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/order placed/);
    expect(r.stdout).toMatch(/amount\s+650 fen/);
    expect(r.stdout).toMatch(/pay_method\s+qqwallet/);
    expect(r.stdout).toMatch(/signature\s+verified/);
    expect(r.stdout).not.toMatch(/built-in sandbox/);
  });

  it('a retry with the same out_trade_no returns the same order; a changed one is refused with ret and hint', async () => {
    const a = json(await runCli(['--json', 'order', 'create', ...sb, '--out-trade-no', 'retry_1'], { env }));
    const b = json(await runCli(['--json', 'order', 'create', ...sb, '--out-trade-no', 'retry_1'], { env }));
    expect(b.response.transaction_id).toBe(a.response.transaction_id);
    const c = await runCli(['--json', 'order', 'create', ...sb, '--out-trade-no', 'retry_1', '--amount', '2'], { env });
    expect(c.code).toBe(1);
    expect(json(c).error).toMatchObject({ code: 'api', ret: 1010, hint: expect.stringMatching(/same parameters/) });
  });

  it('validates before sending: bad amounts are usage errors, bad params come back as ret 1003 naming the rule', async () => {
    const y = await runCli(['order', 'create', ...sb, '--amount', '1.5'], { env });
    expect(y.code).toBe(2);
    expect(y.stderr).toMatch(/--amount-yuan 1.5/);
    const u = await runCli(['order', 'create', ...sb, '--user-id', 'bad id!'], { env });
    expect(u.code).toBe(1);
    expect(u.stderr).toMatch(/ret 1003.*user_id/);
    expect(u.stderr).not.toMatch(/\n\s+at /);
  });

  it('query, close and refund through the same sandbox, finding user_id from the order', async () => {
    const created = json(await runCli(['--json', 'order', 'create', ...sb, '--user-id', 'queryuser1', '--amount', '100'], { env }));
    const no = created.response.out_trade_no;
    const q = json(await runCli(['--json', 'order', 'query', ...sb, '--out-trade-no', no], { env }));
    expect(q.response).toMatchObject({ ret: 0, user_id: 'queryuser1', amount: 100, order_state: '0' });
    const byUser = json(await runCli(['--json', 'order', 'query', ...sb, '--user-id', 'queryuser1', '--from', '0'], { env }));
    expect(byUser.response.orders.map((o: any) => o.out_trade_no)).toContain(no);

    const unpaid = await runCli(['refund', 'create', ...sb, '--out-trade-no', no, '--amount', '10'], { env });
    expect(unpaid.code).toBe(1);
    expect(unpaid.stderr).toMatch(/ret 1009/);

    const store = openStore(dir);
    expect(payOrder(store, created.target.offerId, no, new Date()).ret).toBe(0);
    store.close();
    const r1 = json(await runCli(['--json', 'refund', 'create', ...sb, '--out-trade-no', no, '--amount-yuan', '0.60', '--refund-id', 'rf_1'], { env }));
    expect(r1.response).toMatchObject({ ret: 0, state: 2 });
    const over = await runCli(['refund', 'create', ...sb, '--out-trade-no', no, '--amount', '41'], { env });
    expect(over.stderr).toMatch(/ret 1007/);
    const rq = await runCli(['refund', 'query', ...sb, '--refund-id', 'rf_1'], { env });
    expect(rq.stdout).toMatch(/state\s+2 refunded/);

    const other = json(await runCli(['--json', 'order', 'create', ...sb], { env }));
    const closed = await runCli(['order', 'close', ...sb, '--out-trade-no', other.response.out_trade_no], { env });
    expect(closed.code).toBe(0);
    const again = await runCli(['--json', 'order', 'create', ...sb, '--out-trade-no', other.response.out_trade_no], { env });
    expect(json(again).error.ret).toBe(1005);
  });
});

describe('configured targets and production safety', () => {
  let h: Harness;
  let keyFile: string;
  beforeAll(async () => {
    h = await startHarness();
    keyFile = h.merchantKeyFile();
  });
  afterAll(async () => {
    await h.close();
  });

  it('talks to a configured base URL with explicit credentials, in every wire form', async () => {
    for (const wire of ['post-query', 'get-query', 'post-form']) {
      const r = await runCli(['--json', 'order', 'create', '--base-url', h.sandbox.url, '--offer-id', h.merchant.offer_id, '--private-key', keyFile, '--wire', wire, '--user-id', 'rickenwang', '--product-id', 'p1', '--product-name', '金元宝', '--product-detail', 'a b+c', '--amount', '1'], {
        env: cleanEnv({ TACPAY_OFFER_KEY: h.merchant.offer_key }),
      });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(json(r).target.kind).toBe('configured');
    }
    expect(h.store.lastRequests(3).map((x) => x.wire)).toEqual(['post-query', 'get-query', 'post-form']);
  });

  it('never prompts without a TTY: a usage error names the missing flags', async () => {
    const r = await runCli(['order', 'create', '--base-url', h.sandbox.url, '--offer-id', h.merchant.offer_id, '--private-key', keyFile], { env: cleanEnv({ TACPAY_OFFER_KEY: h.merchant.offer_key }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing --user-id, --product-id, --product-name, --product-detail, --amount/);
  });

  it('production needs explicit credentials and refuses plain http to non-loopback hosts', async () => {
    const none = await runCli(['order', 'create', '--env', 'production'], { env });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/missing: --offer-id \/ TACPAY_OFFER_ID, TACPAY_OFFER_KEY/);
    const http = await runCli(['order', 'create', '--env', 'production', '--base-url', 'http://example.com', '--offer-id', 'TC1', '--private-key', keyFile], { env: cleanEnv({ TACPAY_OFFER_KEY: 'x'.repeat(32) }) });
    expect(http.code).toBe(2);
    expect(http.stderr).toMatch(/refusing plain http to example.com/);
  });

  it('a signature mismatch comes back as ret 1001 with a hint, and the offerKey is never printed', async () => {
    const wrongKey = 'W'.repeat(32);
    const r = await runCli(['--json', 'order', 'create', '--base-url', h.sandbox.url, '--offer-id', h.merchant.offer_id, '--private-key', keyFile, '--offer-key', wrongKey, '--user-id', 'rickenwang', '--product-id', 'p1', '--product-name', 'n', '--product-detail', 'd', '--amount', '1'], { env });
    expect(r.code).toBe(1);
    expect(json(r).error).toMatchObject({ ret: 1001, hint: expect.stringMatching(/tacpay sign --verify/) });
    expect(r.stdout + r.stderr).not.toContain(wrongKey);
    expect(r.stdout + r.stderr).not.toContain(h.merchant.offer_key);
  });

  it('a network failure is a one-line error after the retries, not a stack trace', async () => {
    const r = await runCli(['order', 'create', '--base-url', 'http://127.0.0.1:1', '--offer-id', h.merchant.offer_id, '--private-key', keyFile, '--retries', '1', '--user-id', 'rickenwang', '--product-id', 'p1', '--product-name', 'n', '--product-detail', 'd', '--amount', '1'], {
      env: cleanEnv({ TACPAY_OFFER_KEY: h.merchant.offer_key }),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/attempt 1 failed: connection refused: nothing listens there \(ECONNREFUSED\); retrying in 200 ms/);
    expect(r.stderr).toMatch(/error: nothing is listening at http:\/\/127.0.0.1:1 after 2 attempts/);
  });

  it('the pay_info returned is the one the sandbox stored', async () => {
    const r = json(await runCli(['--json', 'order', 'create', '--base-url', h.sandbox.url, '--offer-id', h.merchant.offer_id, '--private-key', keyFile, '--user-id', 'rickenwang', '--product-id', 'p1', '--product-name', 'n', '--product-detail', 'd', '--amount', '1'], { env: cleanEnv({ TACPAY_OFFER_KEY: h.merchant.offer_key }) }));
    const stored = h.store.orderByOutTradeNo(h.merchant.offer_id, r.response.out_trade_no)!;
    expect(stored.pay_info).toBe(r.response.pay_info);
    expect(parsePayInfo(stored.pay_info).data?.out_trade_no).toBe(r.response.out_trade_no);
    // Without a platform key configured, the signature is reported as not checked rather than guessed.
    expect(r.payInfo.signature.status).toBe('not-checked');
  });
});

describe('order query and close: arguments checked before any sandbox is touched', () => {
  it('reads a date without a zone as Beijing midnight, the zone order_time is shown in', async () => {
    const { unixSeconds } = await import('../../src/cli/commands/order/lookup-run.js');
    expect(unixSeconds('2026-11-28', '--from')).toBe(String(Date.parse('2026-11-28T00:00:00+08:00') / 1000));
    expect(unixSeconds('2026-11-28 08:30', '--from')).toBe(String(Date.parse('2026-11-28T08:30:00+08:00') / 1000));
    expect(unixSeconds('2026-11-28T00:00:00Z', '--from')).toBe(String(Date.parse('2026-11-28T00:00:00Z') / 1000));
    expect(unixSeconds('1700000000', '--from')).toBe('1700000000');
  });

  it('page flags without --from, bad --num and a missing order ref are usage errors, with no sandbox started', async () => {
    const fresh = tempDir('tacpay-order-args-');
    for (const args of [
      ['order', 'query', '--user-id', 'user1', '--num', '50'],
      ['order', 'query', '--user-id', 'user1', '--from', '0', '--num', 'abc'],
      ['order', 'query', '--user-id', 'user1', '--from', '0', '--offset', '-1'],
      ['order', 'close'],
      ['refund', 'create', '--amount', '1'],
    ]) {
      const r = await runCli([...args, '--sandbox-dir', fresh], { env });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).not.toMatch(/built-in sandbox/);
    }
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(fresh, 'sandbox.db'))).toBe(false);
    expect((await runCli(['order', 'query', '--user-id', 'user1', '--num', '50', ...sb], { env })).stderr).toMatch(/needs --from/);
  });

  it('lists a user\'s orders of a day given as a bare date', async () => {
    const created = json(await runCli(['--json', 'order', 'create', ...sb, '--user-id', 'dayuser1'], { env }));
    const day = created.response ? new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10) : '';
    const r = json(await runCli(['--json', 'order', 'query', ...sb, '--user-id', 'dayuser1', '--from', day], { env }));
    expect(r.response.orders.map((o: any) => o.out_trade_no)).toContain(created.response.out_trade_no);
  });
});

describe('hints that fit the call', () => {
  it('closing a paid order points at a refund, not at a new out_trade_no', async () => {
    const created = json(await runCli(['--json', 'order', 'create', ...sb, '--user-id', 'closeuser1'], { env }));
    const store = openStore(dir);
    expect(payOrder(store, created.target.offerId, created.response.out_trade_no, new Date()).ret).toBe(0);
    store.close();
    const r = await runCli(['--json', 'order', 'close', ...sb, '--out-trade-no', created.response.out_trade_no], { env });
    expect(r.code).toBe(1);
    expect(json(r).error).toMatchObject({ ret: 1005, hint: expect.stringMatching(/refund it instead/) });
  });
});
