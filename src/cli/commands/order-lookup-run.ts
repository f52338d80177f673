/** The work of `tacpay order query | close`: the calls that name an existing order. */
import { ORDER_STATES } from '../../core/order-api.js';
import type { Ctx } from '../context.js';
import { UsageError } from '../errors.js';
import { inert, rows } from '../output.js';
import { callApi, withTarget } from './order-call.js';
import type { QueryOptions } from './order-lookup.js';
import { emit, orderRef, userIdFor, type RefOptions } from './order-refs.js';

function orderRows(ctx: Ctx, o: Record<string, unknown>): string {
  const state = Number(o.order_state);
  const shown = ['out_trade_no', 'transaction_id', 'user_id', 'product_id', 'amount', 'refunded_amount', 'pay_channel', 'metadata', 'order_time', 'pay_time', 'callback_time', 'refund_time'];
  return rows([
    ['order_state', `${o.order_state} ${ctx.color.dim(ORDER_STATES[state] ?? 'unknown state')}`],
    ...shown.filter((k) => o[k] !== undefined && o[k] !== '').map((k) => [k, inert(String(o[k]), { singleLine: true })] as [string, string]),
  ]);
}

/** Unix seconds from a number or an ISO date/time. */
function unixSeconds(text: string, flag: string): string {
  if (/^\d+$/.test(text)) return text;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new UsageError(`${flag} ${JSON.stringify(text)} is neither unix seconds nor a date`, 'e.g. 1700000000 or 2026-11-27T10:00:00+08:00');
  return String(Math.floor(ms / 1000));
}

/** query_order by order (out_trade_no or transaction_id) or by user and time range; prints the answer. */
export async function runOrderQuery(o: QueryOptions, ctx: Ctx): Promise<void> {
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
}

/** close_order for one order; prints the answer. */
export async function runOrderClose(o: RefOptions, ctx: Ctx): Promise<void> {
  await withTarget(ctx, o, async (target) => {
    const r = await callApi(ctx, target, o, 'close_order', { ...orderRef(o), user_id: userIdFor(o, target) });
    emit(ctx, { response: r.body }, () => `${ctx.color.green('✓')} order ${o.outTradeNo ?? o.transactionId} closed\n`);
  });
}
