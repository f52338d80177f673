/** The work of `tacpay order query | close`: the calls that name an existing order. */
import { ORDER_STATES } from '../../../core/order-api.js';
import type { Ctx } from '../../context.js';
import { UsageError } from '../../../errors.js';
import { rows } from '../../output.js';
import { inert } from '../../../core/inert.js';
import { callApi, withTarget } from './call.js';
import { emit, orderRef, userIdFor, type RefOptions } from './refs.js';

export interface QueryOptions extends RefOptions {
  from?: string;
  to?: string;
  num?: string;
  offset?: string;
}

function orderRows(ctx: Ctx, o: Record<string, unknown>): string {
  const state = Number(o.order_state);
  const shown = ['out_trade_no', 'transaction_id', 'user_id', 'product_id', 'amount', 'refunded_amount', 'pay_channel', 'metadata', 'order_time', 'pay_time', 'callback_time', 'refund_time'];
  return rows([
    ['order_state', `${o.order_state} ${ctx.color.dim(ORDER_STATES[state] ?? 'unknown state')}`],
    ...shown.filter((k) => o[k] !== undefined && o[k] !== '').map((k) => [k, inert(String(o[k]), { singleLine: true })] as [string, string]),
  ]);
}

/**
 * Unix seconds from a number or an ISO date/time. A date or time without a zone is Beijing time
 * (UTC+8), the zone the order API prints its times in: `--from 2026-11-28` starts at that day's
 * 00:00 as the sandbox's order_time shows it, not at 08:00.
 */
export function unixSeconds(text: string, flag: string): string {
  if (/^\d+$/.test(text)) return text;
  const zoned = /^\d{4}-\d\d-\d\d$/.test(text) ? `${text}T00:00:00+08:00` : /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(text) ? `${text.replace(' ', 'T')}+08:00` : text;
  const ms = Date.parse(zoned);
  if (Number.isNaN(ms)) throw new UsageError(`${flag} ${JSON.stringify(text)} is neither unix seconds nor a date`, 'e.g. 1700000000 or 2026-11-27T10:00:00+08:00');
  return String(Math.floor(ms / 1000));
}

/** query_order by order (out_trade_no or transaction_id) or by user and time range; prints the answer. */
export async function runOrderQuery(o: QueryOptions, ctx: Ctx): Promise<void> {
  const byUser = o.from !== undefined;
  // Every check that needs no server runs before a sandbox is picked or started.
  const userParams = byUser ? byUserParams(o, ctx) : undefined;
  if (!byUser) {
    if (o.to !== undefined || o.num !== undefined || o.offset !== undefined) throw new UsageError('--to, --num and --offset list a user\'s orders, which needs --from (and --user-id)', 'e.g. tacpay order query --user-id rickenwang --from 2026-11-01 --num 50');
    orderRef(o);
  }
  await withTarget(ctx, o, async (target) => {
    const params: Record<string, string> = userParams ?? { type: 'by_order', ...orderRef(o), user_id: userIdFor(o, target) };
    const r = await callApi(ctx, target, o, 'query_order', params);
    emit(ctx, { target: { kind: target.kind, baseUrl: target.baseUrl, offerId: target.offerId }, response: r.body }, () => {
      if (!byUser) return orderRows(ctx, r.body);
      const list = Array.isArray(r.body.orders) ? (r.body.orders as Record<string, unknown>[]) : [];
      const head = `${r.body.total ?? list.length} order(s); showing ${list.length} from offset ${params.off_set}\n`;
      return head + list.map((x) => `\n${orderRows(ctx, x)}`).join('');
    });
  });
}

/** query_order by_user parameters, checked locally (usage errors, exit 2) before anything is sent. */
function byUserParams(o: QueryOptions, ctx: Ctx): Record<string, string> {
  if (!o.userId) throw new UsageError('a query by time range needs --user-id');
  const num = o.num ?? '20';
  const offset = o.offset ?? '0';
  if (!/^\d+$/.test(num) || Number(num) < 1 || Number(num) > 100) throw new UsageError(`--num must be a whole number from 1 to 100, not ${JSON.stringify(num)}`);
  if (!/^\d+$/.test(offset)) throw new UsageError(`--offset must be a whole number from 0, not ${JSON.stringify(offset)}`);
  return {
    type: 'by_user',
    user_id: o.userId,
    starttime: unixSeconds(o.from!, '--from'),
    endtime: o.to ? unixSeconds(o.to, '--to') : String(Math.floor(ctx.now().getTime() / 1000)),
    num,
    off_set: offset,
  };
}

/** close_order for one order; prints the answer. */
export async function runOrderClose(o: RefOptions, ctx: Ctx): Promise<void> {
  orderRef(o);
  await withTarget(ctx, o, async (target) => {
    const r = await callApi(ctx, target, o, 'close_order', { ...orderRef(o), user_id: userIdFor(o, target) });
    emit(ctx, { response: r.body }, () => `${ctx.color.green('✓')} order ${o.outTradeNo ?? o.transactionId} closed\n`);
  });
}
