/** `tacpay order query | close`: the calls that name an existing order. */
import type { Command } from 'commander';
import { ORDER_STATES } from '../../core/order-api.js';
import type { Ctx } from '../context.js';
import { UsageError } from '../errors.js';
import { action, examples, type App } from '../kit.js';
import { inert, rows } from '../output.js';
import { addTargetOptions, callApi, withTarget } from './order-common.js';
import { emit, orderRef, userIdFor, type RefOptions } from './order-refs.js';

function orderRows(ctx: Ctx, o: Record<string, unknown>): string {
  const state = Number(o.order_state);
  const shown = ['out_trade_no', 'transaction_id', 'user_id', 'product_id', 'amount', 'refunded_amount', 'pay_channel', 'metadata', 'order_time', 'pay_time', 'callback_time', 'refund_time'];
  return rows([
    ['order_state', `${o.order_state} ${ctx.color.dim(ORDER_STATES[state] ?? 'unknown state')}`],
    ...shown.filter((k) => o[k] !== undefined && o[k] !== '').map((k) => [k, inert(String(o[k]), { singleLine: true })] as [string, string]),
  ]);
}

interface QueryOptions extends RefOptions {
  from?: string;
  to?: string;
  num?: string;
  offset?: string;
}

/** Unix seconds from a number or an ISO date/time. */
function unixSeconds(text: string, flag: string): string {
  if (/^\d+$/.test(text)) return text;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new UsageError(`${flag} ${JSON.stringify(text)} is neither unix seconds nor a date`, 'e.g. 1700000000 or 2026-11-27T10:00:00+08:00');
  return String(Math.floor(ms / 1000));
}

export function registerOrderLookups(order: Command, app: App): void {
  const query = order
    .command('query')
    .description('query_order: one order (by out_trade_no or transaction_id), or a user\'s orders in a time range')
    .option('--out-trade-no <no>', 'the merchant order no. (wins over --transaction-id)')
    .option('--transaction-id <id>', 'the E-... id unified_order returned')
    .option('--user-id <id>', 'user_id (required by the API; the sandbox finds it from the order)')
    .option('--from <time>', 'by user: start (unix seconds or ISO date)')
    .option('--to <time>', 'by user: end (unix seconds or ISO date; default now)')
    .option('--num <n>', 'by user: page size', '20')
    .option('--offset <n>', 'by user: page offset, from 0', '0');
  addTargetOptions(query).action(
    action<QueryOptions>(app, async (o, ctx) => {
      const byUser = o.from !== undefined;
      await withTarget(ctx, o, async (target) => {
        const params: Record<string, string> = byUser
          ? {
              type: 'by_user',
              user_id: o.userId ?? '',
              starttime: unixSeconds(o.from!, '--from'),
              endtime: o.to ? unixSeconds(o.to, '--to') : String(Math.floor(ctx.now().getTime() / 1000)),
              num: o.num ?? '20',
              off_set: o.offset ?? '0',
            }
          : { type: 'by_order', ...orderRef(o), user_id: userIdFor(o, target) };
        if (byUser && !o.userId) throw new UsageError('a query by time range needs --user-id');
        const r = await callApi(ctx, target, o, 'query_order', params);
        emit(ctx, { target: { kind: target.kind, baseUrl: target.baseUrl, offerId: target.offerId }, response: r.body }, () => {
          if (!byUser) return orderRows(ctx, r.body);
          const list = Array.isArray(r.body.orders) ? (r.body.orders as Record<string, unknown>[]) : [];
          const head = `${r.body.total ?? list.length} order(s); showing ${list.length} from offset ${params.off_set}\n`;
          return head + list.map((x) => `\n${orderRows(ctx, x)}`).join('');
        });
      });
    }),
  );
  examples(query, ['tacpay order query --out-trade-no tacpay_1764236400000a1b2c3d4', 'tacpay order query --user-id rickenwang --from 2026-11-01 --num 50 --json']);

  const close = order
    .command('close')
    .description('close_order: close an unpaid order so it can no longer be paid')
    .option('--out-trade-no <no>', 'the merchant order no.')
    .option('--transaction-id <id>', 'the E-... id')
    .option('--user-id <id>', 'user_id (the sandbox finds it from the order)');
  addTargetOptions(close).action(
    action<RefOptions>(app, async (o, ctx) => {
      await withTarget(ctx, o, async (target) => {
        const r = await callApi(ctx, target, o, 'close_order', { ...orderRef(o), user_id: userIdFor(o, target) });
        emit(ctx, { response: r.body }, () => `${ctx.color.green('✓')} order ${o.outTradeNo ?? o.transactionId} closed\n`);
      });
    }),
  );
  examples(close, ['tacpay order close --out-trade-no tacpay_1764236400000a1b2c3d4']);
}

