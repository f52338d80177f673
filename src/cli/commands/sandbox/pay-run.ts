/** The work of `tacpay sandbox pay`: the same payOrder the server uses, on the store directly. */
import { ORDER_STATES } from '../../../core/order-api.js';
import { retHint } from '../../../core/ret-codes.js';
import type { Ctx } from '../../context.js';
import { ApiError } from '../../../errors.js';
import { rows } from '../../output.js';
import { inert } from '../../../core/inert.js';
import { sandboxDir, type DataOptions } from '../../flags.js';
import { pickMerchant, withStore } from '../../../sandbox/index.js';

export interface PayOptions extends DataOptions {
  offerId?: string;
}

/** payOrder's answer: ret 0, msg ("ok" or "already paid") and the order's query_order fields. */
export type PayResult = Record<string, unknown> & { ret: number; msg?: string };

/** Pays one unpaid order of a merchant (the default one unless --offer-id) in the store. */
export async function runPay(outTradeNo: string, opts: PayOptions, ctx: Ctx): Promise<PayResult> {
  const dir = await sandboxDir(ctx, opts.data);
  const { payOrder } = await import('../../../sandbox/api.js');
  const reply = await withStore(dir, 'existing', (store) => payOrder(store, pickMerchant(store, dir, opts.offerId).offer_id, outTradeNo, ctx.now()));
  if (reply.ret !== 0) {
    const msg = reply.msg ?? `ret ${reply.ret}`;
    throw new ApiError(`cannot pay: ${inert(msg, { singleLine: true })}`, retHint(reply.ret), { ret: reply.ret, msg, outTradeNo });
  }
  return reply;
}

/** Human form: the order as it now stands. */
export function renderPay(r: PayResult, ctx: Ctx): string {
  const c = ctx.color;
  const state = Number(r.order_state);
  const s = (v: unknown): string => inert(String(v ?? ''), { singleLine: true });
  return (
    `${r.msg === 'already paid' ? 'Order was already paid' : 'Order paid'}: ${c.bold(s(r.out_trade_no))}\n` +
    rows([
      ['order_state', `${state} (${ORDER_STATES[state] ?? 'unknown'})`],
      ['transaction_id', s(r.transaction_id)],
      ['amount', `${s(r.amount)} fen`],
      ['pay_time', s(r.pay_time)],
      ['offerId', s(r.appid)],
    ])
  );
}
