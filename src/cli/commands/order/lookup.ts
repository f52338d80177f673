/** `tacpay order query | close`: registration only; the calls are in order/lookup-run.ts. */
import type { Command } from 'commander';
import { action, examples, type App } from '../../kit.js';
import { addTargetOptions } from './common.js';
import type { RefOptions } from './refs.js';
import type { QueryOptions } from './lookup-run.js';

/** Registers `tacpay order query` and `tacpay order close`. */
export function registerOrderLookups(order: Command, app: App): void {
  const query = order
    .command('query')
    .description('query_order: one order (by out_trade_no or transaction_id), or a user\'s orders in a time range')
    .option('--out-trade-no <no>', 'the merchant order no. (wins over --transaction-id)')
    .option('--transaction-id <id>', 'the E-... id unified_order returned')
    .option('--user-id <id>', 'user_id (required by the API; the sandbox finds it from the order)')
    .option('--from <time>', 'by user: start (unix seconds, or an ISO date or time; without a zone, Beijing time)')
    .option('--to <time>', 'by user: end (unix seconds or ISO date; default now)')
    .option('--num <n>', 'by user: page size, 1-100 (default 20)')
    .option('--offset <n>', 'by user: page offset, from 0 (default 0)');
  addTargetOptions(query).action(action<QueryOptions>(app, async (o, ctx) => (await import('./lookup-run.js')).runOrderQuery(o, ctx)));
  examples(query, ['tacpay order query --out-trade-no tacpay_1764236400000a1b2c3d4', 'tacpay order query --user-id rickenwang --from 2026-11-01 --num 50 --json']);

  const close = order
    .command('close')
    .description('close_order: close an unpaid order so it can no longer be paid')
    .option('--out-trade-no <no>', 'the merchant order no.')
    .option('--transaction-id <id>', 'the E-... id')
    .option('--user-id <id>', 'user_id (the sandbox finds it from the order)');
  addTargetOptions(close).action(action<RefOptions>(app, async (o, ctx) => (await import('./lookup-run.js')).runOrderClose(o, ctx)));
  examples(close, ['tacpay order close --out-trade-no tacpay_1764236400000a1b2c3d4']);
}
