/**
 * `tacpay sandbox pay <out_trade_no>`: marks an unpaid sandbox order paid, as a real payment would,
 * so refunds and paid-order paths can be tried without a phone. Writes the store directly (safe next
 * to a running sandbox: SQLite WAL and a busy timeout), through the same payOrder the server uses.
 */
import type { Command } from 'commander';
import { ORDER_STATES } from '../../core/order-api.js';
import { retHint } from '../../core/ret-codes.js';
import type { Ctx } from '../context.js';
import { ApiError } from '../errors.js';
import { action, examples, type App } from '../kit.js';
import { inert, rows, writeJson } from '../output.js';
import { dataOption, pickMerchant, sandboxDir, withStore, type DataOptions } from './sandbox-data.js';

export interface PayOptions extends DataOptions {
  offerId?: string;
}

/** payOrder's answer: ret 0, msg ("ok" or "already paid") and the order's query_order fields. */
export type PayResult = Record<string, unknown> & { ret: number; msg?: string };

export async function runPay(outTradeNo: string, opts: PayOptions, ctx: Ctx): Promise<PayResult> {
  const dir = await sandboxDir(ctx, opts.data);
  const { payOrder } = await import('../../sandbox/api.js');
  const reply = await withStore(dir, 'existing', (store) => payOrder(store, pickMerchant(store, dir, opts.offerId).offer_id, outTradeNo, ctx.now()));
  if (reply.ret !== 0) {
    const msg = reply.msg ?? `ret ${reply.ret}`;
    throw new ApiError(`cannot pay: ${inert(msg, { singleLine: true })}`, retHint(reply.ret), { ret: reply.ret, msg, outTradeNo });
  }
  return reply;
}

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

export function registerSandboxPay(sandbox: Command, app: App): void {
  const cmd = sandbox
    .command('pay')
    .description('mark an unpaid sandbox order paid (order_state 2), as a completed payment would')
    .argument('<out_trade_no>', 'the order to pay')
    .option('--offer-id <offerId>', 'the merchant the order belongs to (default: the default merchant)');
  dataOption(cmd).action(
    action<PayOptions>(app, async (opts, ctx, args) => {
      const result = await runPay(args[0]!, opts, ctx);
      if (ctx.json) writeJson(ctx.stdout, result);
      else ctx.stdout.write(renderPay(result, ctx));
    }),
  );
  examples(cmd, ['tacpay sandbox pay open_1700000000', 'tacpay sandbox pay order-42 --offer-id TC100008 --json']);
}
