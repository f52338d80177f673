/** `tacpay refund create | query`: registration only; the calls are in refund/run.ts. */
import type { Command } from 'commander';
import { action, examples, type App } from '../../kit.js';
import { addTargetOptions } from '../order/common.js';
import type { RefundOptions } from './run.js';

/** Registers `tacpay refund create` and `tacpay refund query`. */
export function registerRefund(program: Command, app: App): void {
  const refund = program.command('refund').description('refund paid orders and query refunds');
  examples(refund, ['tacpay refund create --out-trade-no open_1764237000 --amount-yuan 0.50', 'tacpay refund query --refund-id rf_001']);
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
  addTargetOptions(create).action(action<RefundOptions>(app, async (o, ctx) => (await import('./run.js')).runRefundCreate(o, ctx)));
  examples(create, ['tacpay refund create --out-trade-no tacpay_1764236400000a1b2c3d4 --amount-yuan 0.50', 'tacpay refund create --transaction-id E-261127... --amount 100 --refund-id r_001 --json']);

  const query = refund
    .command('query')
    .description('query_refund: the state of a refund (1 refunding, 2 refunded, 3 failed)')
    .requiredOption('--refund-id <id>', 'the refund id')
    .option('--user-id <id>', 'user_id (the sandbox finds it from the refund)');
  addTargetOptions(query).action(action<RefundOptions>(app, async (o, ctx) => (await import('./run.js')).runRefundQuery(o, ctx)));
  examples(query, ['tacpay refund query --refund-id r_001']);
}
