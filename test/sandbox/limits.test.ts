// Input limits where parameters enter the sandbox, and an order stored before they existed: JSON
// nested thousands deep is refused with ret 1003 (it used to crash every later query of the
// order and block the notification queue), and out-of-range integers are ret 1003, not 1099.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RET } from '../../src/core/ret-codes.js';
import { orderParams, startHarness, type Harness } from './harness.js';

let h: Harness;
let receiver: Server;
const received: string[] = [];
beforeAll(async () => {
  h = await startHarness();
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d)).on('end', () => {
      received.push(JSON.parse(body).out_trade_no);
      res.end('{"ret":0,"msg":"ok"}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const port = (receiver.address() as { port: number }).port;
  h.store.setNotifyUrl(h.merchant.offer_id, `http://127.0.0.1:${port}/notify`);
});
afterAll(async () => {
  await h.close();
  await new Promise((r) => receiver.close(r));
});

const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

async function pay(outTradeNo: string): Promise<{ ret: number }> {
  const res = await fetch(`${h.sandbox.url}/_sandbox/pay?offer_id=${h.merchant.offer_id}&out_trade_no=${outTradeNo}`, { method: 'POST' });
  return JSON.parse(await res.text());
}

/** POSTs the parameters as a form body (room for 64 KB, where a request line has 32 KB). */
async function postForm(api: string, params: Record<string, string>): Promise<{ ret: number; msg: string }> {
  const res = await fetch(`${h.sandbox.url}/v1/r/${h.merchant.offer_id}/${api}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() });
  return JSON.parse(await res.text());
}

describe('sandbox input limits', () => {
  it('refuses a signed unified_order whose sub_out_trade_no_list nests 6,000 deep with ret 1003', async () => {
    const r = await postForm('unified_order', h.sign(orderParams('deep', { sub_out_trade_no_list: deep(6000) })));
    expect(r.ret).toBe(RET.invalidParam);
    expect(r.msg).toContain('sub_out_trade_no_list nests more than 8 levels deep');
    const long = await postForm('unified_order', h.sign(orderParams('long', { sub_out_trade_no_list: JSON.stringify(Array.from({ length: 600 }, (_, i) => ({ sub_out_trade_no: `s${i}`, amount: 1 }))) })));
    expect(long.ret).toBe(RET.invalidParam);
    expect(long.msg).toContain('at most 16384 are accepted');
  });

  it('answers a body over 64 KB with ret 1003 before closing the connection', async () => {
    const r = await postForm('unified_order', { ...orderParams('huge'), product_detail: 'x'.repeat(70 * 1024) });
    expect(r).toMatchObject({ ret: RET.invalidParam, msg: 'request body over 65536 bytes' });
  });

  it('takes a documented sub-order list', async () => {
    const r = await h.post('unified_order', h.sign(orderParams('subs', { sub_out_trade_no_list: '[{"sub_out_trade_no":"s1","amount":50},{"sub_out_trade_no":"s2","amount":50}]' })));
    expect(r.ret).toBe(0);
  });

  it('answers out-of-range integers with ret 1003, not an internal error', async () => {
    for (const [k, v] of [['starttime', '99999999999999999999'], ['off_set', '99999999999999999999'], ['num', '100000']] as const) {
      const p = { user_id: 'rickenwang', type: 'by_user', starttime: '1519669241', endtime: '1519669341', num: '10', off_set: '0', [k]: v };
      const r = await h.post('query_order', h.sign(p));
      expect(r.ret, k).toBe(RET.invalidParam);
      expect(r.msg, k).toContain(`${k} ${v.slice(0, 24)} is out of range`);
    }
  });

  it('an order stored before the limits (a 6,000-deep list) neither crashes its queries nor blocks other notifications', async () => {
    expect((await h.post('unified_order', h.sign(orderParams('poisoned')))).ret).toBe(0);
    expect((await h.post('unified_order', h.sign(orderParams('healthy')))).ret).toBe(0);
    h.store.db.prepare('UPDATE orders SET sub_out_trade_no_list = ? WHERE out_trade_no = ?').run(deep(6000), 'open_poisoned');
    const q = await h.post('query_order', h.sign({ user_id: 'rickenwang', type: 'by_order', out_trade_no: 'open_poisoned' }));
    expect(q.ret).toBe(0);
    expect((await pay('open_poisoned')).ret).toBe(0);
    expect((await pay('open_healthy')).ret).toBe(0);
    for (const deadline = Date.now() + 5000; !(received.includes('open_healthy') && received.includes('open_poisoned')); ) {
      if (Date.now() > deadline) throw new Error(`notifications received: ${received.join(', ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  });
});
