import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseKey } from '../../src/core/keys.js';
import { parsePayInfo } from '../../src/core/payinfo.js';
import { verifyBytes } from '../../src/core/signature.js';
import { RET } from '../../src/core/ret-codes.js';
import { BEIJING_OFFSET_S } from '../../src/core/timestamp.js';
import { orderParams, rawRequest, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe('sandbox unified_order', () => {
  it('answers like production: HTTP 200, JSON labelled text/html, UUID and METRIC headers, E- + 18 digit id', async () => {
    const res = await fetch(`${h.sandbox.url}/v1/r/${h.merchant.offer_id}/unified_order?${new URLSearchParams(h.sign(orderParams(1)))}`.replace(/\+/g, '%20'), { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html;charset=utf-8');
    expect(res.headers.get('uuid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('metric')).toBe('1');
    const body = JSON.parse(await res.text());
    expect(body).toMatchObject({ ret: 0, out_trade_no: 'open_1' });
    expect(body.transaction_id).toMatch(/^E-\d{18}$/);
  });

  it('returns a pay_info signed with the platform key over the compact data JSON (§7 D1)', async () => {
    const r = await h.post('unified_order', h.sign(orderParams(2)));
    const parsed = parsePayInfo(r.pay_info, { expectAppid: h.merchant.offer_id });
    expect(parsed.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(parsed.data).toEqual({ appid: h.merchant.offer_id, user_id: 'rickenwang', out_trade_no: 'open_2', product_id: 'product_test', pay_method: 'wechat' });
    const platformPub = parseKey(h.store.getMeta('platform_public_key')!, 'public').value!;
    expect(verifyBytes(parsed.dataText!, parsed.signBytes!, platformPub.publicKey)).toBe(true);
  });

  it('is idempotent for a retry of an unpaid order, and refuses a changed retry', async () => {
    const a = await h.post('unified_order', h.sign(orderParams(3)));
    const b = await h.post('unified_order', h.sign(orderParams(3)));
    expect(b).toEqual(a);
    const c = await h.post('unified_order', h.sign(orderParams(3, { amount: '101' })));
    expect(c.ret).toBe(RET.outTradeNoConflict);
  });

  it('accepts the three wire forms (D6): POST query, GET with raw + / = as the demo sends, POST form body', async () => {
    const before = h.store.lastRequests(1)[0]?.id ?? 0;
    const p = h.sign(orderParams('get'));
    expect(p.sign).toMatch(/[+/]/);
    // The demo joins values unencoded; its HTTP library escapes only what a URL cannot carry (non-ASCII).
    const rawQuery = Object.entries(p).map(([k, v]) => `${k}=${v.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c))}`).join('&');
    expect(rawQuery).toContain(`sign=${p.sign}`);
    const get = await rawRequest(h.sandbox.url, `GET /v1/r/${h.merchant.offer_id}/unified_order?${rawQuery} HTTP/1.1`);
    expect(JSON.parse(get.body)).toMatchObject({ ret: 0, out_trade_no: 'open_get' });

    const f = h.sign(orderParams('form'));
    const form = await fetch(`${h.sandbox.url}/v1/r/${h.merchant.offer_id}/unified_order`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(f).toString(),
    });
    expect(JSON.parse(await form.text())).toMatchObject({ ret: 0, out_trade_no: 'open_form' });
    await h.loggedAfter(before, 2);
    const wires = h.store.requestsAfter(before, 10).map((r) => r.wire);
    expect(wires).toEqual(expect.arrayContaining(['get-query', 'post-form']));
  });
});

describe('sandbox ret codes (D3)', () => {
  it('1001 for a missing, malformed or wrong signature, naming the string-to-sign but never the offerKey', async () => {
    const { sign: _s, ...unsigned } = h.sign(orderParams(10));
    expect((await h.post('unified_order', unsigned)).ret).toBe(RET.badSignature);
    const wrong = { ...h.sign(orderParams(10)), amount: '999' };
    const r = await h.post('unified_order', wrong);
    expect(r.ret).toBe(RET.badSignature);
    expect(r.msg).toContain('amount=999&channel=wechat');
    expect(r.msg).not.toContain(h.merchant.offer_key);
    expect((await h.post('unified_order', { ...h.sign(orderParams(10)), sign: 'a b' })).msg).toMatch(/spaces/);
  });

  it('1002 for an unknown offerId', async () => {
    expect((await h.post('unified_order', h.sign(orderParams(11)), 'TC999')).ret).toBe(RET.unknownOffer);
  });

  it('1003 names the parameter and the rule', async () => {
    const r = await h.post('unified_order', h.sign(orderParams(12, { user_id: 'ab' })));
    expect(r.ret).toBe(RET.invalidParam);
    expect(r.msg).toMatch(/user_id "ab" is 2 characters; it must be 5–255/);
    const missing = orderParams(13);
    delete (missing as Record<string, string>).product_name;
    expect((await h.post('unified_order', h.sign(missing))).msg).toMatch(/product_name is required/);
  });

  it('1004 for ts outside ±300 s, accepting both readings inside it (D4)', async () => {
    const epoch = Math.floor(Date.now() / 1000);
    expect((await h.post('unified_order', h.sign({ ...orderParams(14), ts: String(epoch) }))).ret).toBe(0);
    expect((await h.post('unified_order', h.sign({ ...orderParams(15), ts: String(epoch - BEIJING_OFFSET_S) }))).ret).toBe(0);
    const late = await h.post('unified_order', h.sign({ ...orderParams(16), ts: String(epoch - 4000) }));
    expect(late.ret).toBe(RET.tsOutOfWindow);
    const readings = h.store.lastRequests(3).map((r) => r.ts_reading);
    expect(readings).toEqual(['epoch', 'beijing-naive', 'none']);
  });

  it('1005 for a paid or closed out_trade_no, 1006 for an unknown order, 1009 refunding unpaid', async () => {
    await h.post('unified_order', h.sign(orderParams(20)));
    expect((await h.post('close_order', h.sign({ user_id: 'rickenwang', out_trade_no: 'open_20' }))).ret).toBe(0);
    expect((await h.post('close_order', h.sign({ user_id: 'rickenwang', out_trade_no: 'open_20' }))).ret).toBe(0);
    expect((await h.post('unified_order', h.sign(orderParams(20)))).ret).toBe(RET.orderFinished);
    expect((await h.post('query_order', h.sign({ user_id: 'rickenwang', type: 'by_order', out_trade_no: 'nope' }))).ret).toBe(RET.orderNotFound);
    await h.post('unified_order', h.sign(orderParams(21)));
    expect((await h.post('refund', h.sign({ user_id: 'rickenwang', out_trade_no: 'open_21', refund_id: 'r21', amount: '1' }))).ret).toBe(RET.orderNotPaid);
  });

  it('refunds up to the paid amount, partial allowed, refund_id idempotent (1007, 1008)', async () => {
    await h.post('unified_order', h.sign(orderParams(30)));
    const paid = await fetch(`${h.sandbox.url}/_sandbox/pay?offer_id=${h.merchant.offer_id}&out_trade_no=open_30`, { method: 'POST' });
    expect(JSON.parse(await paid.text())).toMatchObject({ ret: 0, order_state: '2' });
    const refund = (id: string, amount: string) => h.post('refund', h.sign({ user_id: 'rickenwang', out_trade_no: 'open_30', refund_id: id, amount }));
    expect(await refund('r1', '60')).toMatchObject({ ret: 0, state: 2 });
    expect(await refund('r1', '60')).toMatchObject({ ret: 0, state: 2 });
    expect((await refund('r1', '10')).ret).toBe(RET.refundIdConflict);
    expect((await refund('r2', '41')).ret).toBe(RET.refundExceedsPaid);
    expect((await refund('r2', '40')).ret).toBe(0);
    const q = await h.post('query_order', h.sign({ user_id: 'rickenwang', type: 'by_order', out_trade_no: 'open_30' }));
    expect(q).toMatchObject({ ret: 0, amount: 100, refunded_amount: 100, order_state: '2' });
    expect(q.refund_time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(await h.post('query_refund', h.sign({ user_id: 'rickenwang', refund_id: 'r2' }))).toMatchObject({ ret: 0, state: 2, amount: 40 });
    expect((await h.post('unified_order', h.sign(orderParams(30)))).ret).toBe(RET.orderFinished);
  });

  it('keeps sub-orders and returns them', async () => {
    const subs = JSON.stringify([{ sub_out_trade_no: 'sub_1', amount: 60 }, { sub_out_trade_no: 'sub_2', amount: 40 }]);
    await h.post('unified_order', h.sign(orderParams(40, { sub_out_trade_no_list: subs })));
    const q = await h.post('query_order', h.sign({ user_id: 'rickenwang', type: 'by_order', out_trade_no: 'open_40' }));
    expect(q.sub_out_trade_no_list).toEqual(JSON.parse(subs));
  });

  it('queries by user with a time range and paging', async () => {
    const now = Math.floor(Date.now() / 1000);
    const base = { user_id: 'pageuser1', type: 'by_user', starttime: String(now - 60), endtime: String(now + 60) };
    for (const i of [1, 2, 3]) await h.post('unified_order', h.sign(orderParams(`p${i}`, { user_id: 'pageuser1' })));
    const page1 = await h.post('query_order', h.sign({ ...base, num: '2', off_set: '0' }));
    const page2 = await h.post('query_order', h.sign({ ...base, num: '2', off_set: '2' }));
    expect(page1.total).toBe(3);
    expect(page1.orders.map((o: any) => o.out_trade_no)).toEqual(['open_p1', 'open_p2']);
    expect(page2.orders.map((o: any) => o.out_trade_no)).toEqual(['open_p3']);
  });

  it('1011 for an unknown API and 404 for other paths; a JSON body is refused with a reason', async () => {
    expect((await h.post('get_balances', h.sign({ user_id: 'rickenwang' }))).ret).toBe(RET.unsupported);
    const res = await fetch(`${h.sandbox.url}/nope`);
    expect(res.status).toBe(404);
    const json = await fetch(`${h.sandbox.url}/v1/r/${h.merchant.offer_id}/unified_order`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(JSON.parse(await json.text())).toMatchObject({ ret: RET.invalidParam, msg: expect.stringMatching(/application\/json/) });
  });

  it('logs every request with its ret and latency', async () => {
    const before = h.store.lastRequests(1)[0]!.id;
    await h.post('unified_order', h.sign(orderParams(50)));
    await h.loggedAfter(before);
    const [row] = h.store.requestsAfter(before, 10);
    expect(row).toMatchObject({ method: 'POST', api: 'unified_order', ret: 0, wire: 'post-query', status: 200 });
    expect(row!.latency_ms).toBeGreaterThan(0);
    expect(JSON.parse(row!.params_json!).sign).toMatch(/…\(344\)$/);
  });
});

describe('two sandboxes on one data dir', () => {
  it('draw again when the other one already used the transaction_id (each numbers its orders itself)', async () => {
    const a = await startHarness();
    const b = await startHarness(a.dir);
    // The same random digits in both: their first orders get the same sequence and so the same id.
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.5);
    try {
      const first = await a.post('unified_order', a.sign(orderParams('twin_a')));
      const second = await b.post('unified_order', b.sign(orderParams('twin_b')));
      expect(first).toMatchObject({ ret: 0, transaction_id: expect.stringMatching(/^E-\d{18}$/) });
      expect(second).toMatchObject({ ret: 0, transaction_id: expect.stringMatching(/^E-\d{18}$/) });
      expect(second.transaction_id).not.toBe(first.transaction_id);
      expect(a.store.orderByTransactionId(a.merchant.offer_id, second.transaction_id)?.out_trade_no).toBe('open_twin_b');
    } finally {
      random.mockRestore();
      await b.close();
      await a.close();
    }
  });
});
