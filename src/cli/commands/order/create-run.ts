/** `tacpay order create`'s flags as the flow's input, and its human rendering (the flow: flows/orders.ts placeOrder). */
import type { CreateResult, PlaceOrderInput } from '../../../flows/orders.js';
import { flowEnvOf, type Ctx } from '../../context.js';
import { rows } from '../../output.js';
import { inert } from '../../../core/inert.js';
import { askMissing } from '../../prompt.js';
import { amountFen } from '../../flags.js';
import { type TargetOptions } from './common.js';
import { callHooks, callOptions, withTarget } from './call.js';

export type { CreateResult } from '../../../flows/orders.js';

export interface CreateOptions extends TargetOptions {
  userId?: string;
  outTradeNo?: string;
  productId?: string;
  productName?: string;
  productDetail?: string;
  currencyType?: string;
  amount?: string;
  amountYuan?: string;
  originalAmount?: string;
  channel?: string;
  subAppid?: string;
  type?: string;
  metadata?: string;
  num?: string;
  callbackUrl?: string;
  wxOpenid?: string;
  platformIncome?: string;
  bussSettleAmount?: string;
  platformIncomeDetail?: string;
  subOutTradeNoList?: string;
  orderValidTime?: string;
}

/** Flag -> wire parameter for the optional unified_order parameters passed through as given. */
const PASS_THROUGH: ReadonlyArray<readonly [keyof CreateOptions, string]> = [
  ['currencyType', 'currency_type'],
  ['channel', 'channel'],
  ['subAppid', 'sub_appid'],
  ['type', 'type'],
  ['metadata', 'metadata'],
  ['num', 'num'],
  ['callbackUrl', 'callback_url'],
  ['wxOpenid', 'wx_openid'],
  ['platformIncome', 'platform_income'],
  ['bussSettleAmount', 'buss_settle_amount'],
  ['platformIncomeDetail', 'platform_income_detail'],
  ['subOutTradeNoList', 'sub_out_trade_no_list'],
  ['orderValidTime', 'order_valid_time'],
  ['originalAmount', 'original_amount'],
];


/** The flags as unified_order's parameters; the target and the call are the flow's (flows/orders.ts placeOrder). */
export async function runOrderCreate(o: CreateOptions, ctx: Ctx): Promise<CreateResult> {
  const amount = amountFen(o);
  const optional: Record<string, string> = {};
  for (const [opt, param] of PASS_THROUGH) if (o[opt] !== undefined) optional[param] = String(o[opt]);
  const input: PlaceOrderInput = {
    required: { user_id: o.userId, product_id: o.productId, product_name: o.productName, product_detail: o.productDetail, amount },
    outTradeNo: o.outTradeNo,
    optional,
  };
  const options = callOptions(o);
  const { placeOrder } = await import('../../../flows/orders.js');
  return withTarget(ctx, o, (target) => placeOrder(target, input, options, flowEnvOf(ctx), { ...callHooks(ctx), fillMissing: (missing) => askMissing(ctx, missing) }));
}

/** Human rendering: the order, the pay_info to hand to the SDK, and what is inside it. */
export function renderOrderCreate(r: CreateResult, ctx: Pick<Ctx, 'color'>): string {
  const c = ctx.color;
  const b = r.response;
  let out = `${c.green('✓')} order placed ${c.dim(`(${r.target.kind === 'configured' ? r.target.baseUrl : `sandbox ${r.target.baseUrl}`}, offerId ${r.target.offerId})`)}\n`;
  out += rows([
    ['transaction_id', inert(String(b.transaction_id ?? ''), { singleLine: true })],
    ['out_trade_no', inert(String(b.out_trade_no ?? ''), { singleLine: true })],
    ['amount', `${r.request.params.amount} fen`],
    ['channel', r.request.params.channel ?? 'wechat (default)'],
  ]);
  out += `\n${c.bold('pay_info')} ${c.dim('(pass it to TACPaymentService as is; one launch per order)')}\n${inert(String(b.pay_info ?? ''), { singleLine: true })}\n`;
  if (r.payInfo) {
    const p = r.payInfo;
    const s = p.signature;
    const sig =
      s.status === 'verified'
        ? `${c.green('verified')} ${c.dim(`(${s.hash} over ${s.candidate}, platform key ${s.keyFingerprint}; scheme assumed, spec §7 D1)`)}`
        : s.status === 'failed'
          ? `${c.red('FAILED')} ${s.causes?.[0]?.message ?? ''}`
          : c.dim(`not checked (${s.reason ?? 'no platform public key'})`);
    out += `\n${c.bold('decoded')}\n`;
    out += rows([...Object.entries(p.data ?? {}).map(([k, v]) => [k, inert(String(v), { singleLine: true })] as [string, string]), ['signature', sig]]);
    for (const i of p.issues.filter((x) => x.severity !== 'info')) out += `  ${i.severity === 'error' ? c.red('✗') : c.yellow('!')} ${inert(i.message)}\n`;
  }
  return out;
}
