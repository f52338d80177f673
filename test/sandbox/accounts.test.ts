// The hosted-account APIs (spec §3.6) over real HTTP, signed as the Android sample signs them,
// on an account id of the sandbox merchant (offerId + _005): balances, the gifted part spent first,
// billno idempotency and conflicts, insufficient balance, cancel_pay restoring, and a paid
// unified_order with type=save topping the account up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RET } from '../../src/core/ret-codes.js';
import { orderParams, startHarness, type Harness } from './harness.js';

let h: Harness;
let account: string;
beforeAll(async () => {
  h = await startHarness();
  account = `${h.merchant.offer_id}_005`;
});
afterAll(async () => {
  await h.close();
});

const call = (api: string, params: Record<string, string>) => h.post(api, h.sign({ user_id: 'acctuser1', ...params }), account);

describe('hosted accounts', () => {
  it('start empty, take save and present, and spend the gifted part first', async () => {
    expect(await call('get_balance', {})).toMatchObject({ ret: 0, balance: 0, gen_balance: 0, save_amt: 0 });
    expect(await call('save', { amt: '1000', billno: 'save1' })).toMatchObject({ ret: 0, billno: 'save1', balance: 1000, gen_balance: 0 });
    expect(await call('present', { amt: '200', billno: 'gift1' })).toMatchObject({ ret: 0, balance: 1200, gen_balance: 200 });
    expect(await call('pay', { amt: '300', billno: 'pay1' })).toMatchObject({ ret: 0, billno: 'pay1', balance: 900, gen_balance: 0, used_gen_amt: 200 });
    expect(await call('get_balance', {})).toMatchObject({ ret: 0, balance: 900, gen_balance: 0, save_amt: 1000 });
  });

  it('billno is idempotent; reused with other content it is ret 1013; too little balance is ret 1012 and changes nothing', async () => {
    expect(await call('pay', { amt: '300', billno: 'pay1' })).toMatchObject({ ret: 0, balance: 900, used_gen_amt: 200 });
    expect((await call('pay', { amt: '301', billno: 'pay1' })).ret).toBe(RET.billnoConflict);
    expect((await call('present', { amt: '300', billno: 'pay1' })).ret).toBe(RET.billnoConflict);
    const low = await call('pay', { amt: '5000', billno: 'pay2' });
    expect(low.ret).toBe(RET.insufficientBalance);
    expect(low.msg).toContain('balance 900');
    expect(await call('get_balance', {})).toMatchObject({ balance: 900 });
  });

  it('cancel_pay restores the pay, gifted part included, once', async () => {
    expect(await call('cancel_pay', { billno: 'pay1' })).toMatchObject({ ret: 0, billno: 'pay1', balance: 1200, gen_balance: 200 });
    expect(await call('cancel_pay', { billno: 'pay1' })).toMatchObject({ ret: 0, msg: 'already cancelled', balance: 1200 });
    expect((await call('cancel_pay', { billno: 'nope' })).ret).toBe(RET.orderNotFound);
  });

  it('a paid unified_order with type=save tops the account up', async () => {
    expect((await h.post('unified_order', h.sign(orderParams('topup', { user_id: 'acctuser1', type: 'save', amount: '500' })), account)).ret).toBe(0);
    const before = (await call('get_balance', {})).balance as number;
    const paid = await fetch(`${h.sandbox.url}/_sandbox/pay?offer_id=${account}&out_trade_no=open_topup`, { method: 'POST' });
    expect(JSON.parse(await paid.text()).ret).toBe(0);
    expect(await call('get_balance', {})).toMatchObject({ balance: before + 500, save_amt: 1500 });
  });

  it('checks parameters, the signature and the account id like the order API', async () => {
    expect((await call('pay', { amt: '0', billno: 'z' })).ret).toBe(RET.invalidParam);
    expect((await call('pay', { amt: '10', billno: 'x'.repeat(33) })).ret).toBe(RET.invalidParam);
    const bad = await h.post('get_balance', { ...h.sign({ user_id: 'acctuser1' }), user_id: 'acctuser2' }, account);
    expect(bad.ret).toBe(RET.badSignature);
    expect((await h.post('get_balance', h.sign({ user_id: 'acctuser1' }), 'TC999999_005')).ret).toBe(RET.unknownOffer);
  });
});
