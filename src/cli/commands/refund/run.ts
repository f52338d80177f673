/** The work of `tacpay refund create | query`. */
import { REFUND_STATES } from '../../../core/order-api.js';
import type { Ctx } from '../../context.js';
import { UsageError } from '../../../errors.js';
import { rows } from '../../output.js';
import { inert } from '../../../core/inert.js';
import { callApi, withTarget } from '../order/call.js';
import { newOrderNo } from '../../../core/order-defaults.js';
import { amountFen } from '../../flags.js';
import { emit, orderRef, userIdFor, type RefOptions } from '../order/refs.js';

export interface RefundOptions extends RefOptions {
  refundId?: string;
  amount?: string;
  amountYuan?: string;
  subOutTradeNo?: string;
  platformIncome?: string;
  bussSettleAmount?: string;
  platformIncomeDetail?: string;
}

/** refund: a full or partial refund of a paid order; prints the answer. */
export async function runRefundCreate(o: RefundOptions, ctx: Ctx): Promise<void> {
  const amount = amountFen(o);
  if (amount === undefined) throw new UsageError('missing --amount (fen) or --amount-yuan');
  orderRef(o); // a usage error now, before a sandbox is picked or started
  await withTarget(ctx, o, async (target) => {
    const params: Record<string, string> = { ...orderRef(o), user_id: userIdFor(o, target), refund_id: o.refundId ?? newOrderNo('refund_', ctx.now()), amount };
    if (o.subOutTradeNo) params.sub_out_trade_no = o.subOutTradeNo;
    if (o.platformIncome) params.platform_income = o.platformIncome;
    if (o.bussSettleAmount) params.buss_settle_amount = o.bussSettleAmount;
    if (o.platformIncomeDetail) params.platform_income_detail = o.platformIncomeDetail;
    const r = await callApi(ctx, target, o, 'refund', params);
    emit(ctx, { request: { refund_id: params.refund_id, amount: Number(amount) }, response: r.body }, () =>
      `${ctx.color.green('✓')} refund ${params.refund_id} of ${amount} fen: ${REFUND_STATES[Number(r.body.state)] ?? `state ${String(r.body.state)}`}\n`,
    );
  });
}

/** query_refund: the state of one refund; prints the answer. */
export async function runRefundQuery(o: RefundOptions, ctx: Ctx): Promise<void> {
  await withTarget(ctx, o, async (target) => {
    const r = await callApi(ctx, target, o, 'query_refund', { refund_id: o.refundId!, user_id: userIdFor(o, target) });
    emit(ctx, { response: r.body }, () =>
      rows([
        ['refund_id', inert(String(r.body.refund_id ?? ''), { singleLine: true })],
        ['state', `${String(r.body.state)} ${ctx.color.dim(REFUND_STATES[Number(r.body.state)] ?? 'unknown')}`],
        ...(['amount', 'out_trade_no', 'transaction_id'] as const).filter((k) => r.body[k] !== undefined).map((k) => [k, inert(String(r.body[k]), { singleLine: true })] as [string, string]),
      ]),
    );
  });
}
