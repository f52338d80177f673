/** `tacpay refund create | query`. */
import type { Command } from 'commander';
import { REFUND_STATES } from '../../core/order-api.js';
import { UsageError } from '../errors.js';
import { action, examples, type App } from '../kit.js';
import { inert, rows } from '../output.js';
import { addTargetOptions, amountFen, callApi, newOrderNo, withTarget } from './order-common.js';
import { emit, orderRef, userIdFor, type RefOptions } from './order-refs.js';

interface RefundOptions extends RefOptions {
  refundId?: string;
  amount?: string;
  amountYuan?: string;
  subOutTradeNo?: string;
  platformIncome?: string;
  bussSettleAmount?: string;
  platformIncomeDetail?: string;
}

export function registerRefund(program: Command, app: App): void {
  const refund = program.command('refund').description('refund paid orders and query refunds');
  const create = refund
    .command('create')
    .description('refund: refund a paid order in full or in part (the same refund_id is the same refund)')
    .option('--out-trade-no <no>', 'the order to refund')
    .option('--transaction-id <id>', 'the order to refund, by E-... id')
    .option('--refund-id <id>', 'refund id (default: generated); reuse it to retry the same refund')
    .option('--amount <fen>', 'amount to refund in fen')
    .option('--amount-yuan <yuan>', 'amount to refund in yuan, e.g. 0.50')
    .option('--sub-out-trade-no <no>', 'refund one sub-order')
    .option('--platform-income <fen>', 'platform_income')
    .option('--buss-settle-amount <fen>', 'buss_settle_amount')
    .option('--platform-income-detail <json>', 'platform_income_detail, a JSON object')
    .option('--user-id <id>', 'user_id (the sandbox finds it from the order)');
  addTargetOptions(create).action(
    action<RefundOptions>(app, async (o, ctx) => {
      const amount = amountFen(o);
      if (amount === undefined) throw new UsageError('missing --amount (fen) or --amount-yuan');
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
    }),
  );
  examples(create, ['tacpay refund create --out-trade-no tacpay_1764236400000a1b2c3d4 --amount-yuan 0.50', 'tacpay refund create --transaction-id E-261127... --amount 100 --refund-id r_001 --json']);

  const query = refund
    .command('query')
    .description('query_refund: the state of a refund (1 refunding, 2 refunded, 3 failed)')
    .requiredOption('--refund-id <id>', 'the refund id')
    .option('--user-id <id>', 'user_id (the sandbox finds it from the refund)');
  addTargetOptions(query).action(
    action<RefundOptions>(app, async (o, ctx) => {
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
    }),
  );
  examples(query, ['tacpay refund query --refund-id r_001']);
}
