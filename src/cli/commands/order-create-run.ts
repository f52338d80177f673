/** The work of `tacpay order create`: a signed unified_order, and the pay_info it returns, decoded and checked. */
import type { CallResult } from '../../client/order-client.js';
import { checkPayInfo, type PayInfoCheck } from '../../core/payinfo-verify.js';
import type { Ctx } from '../context.js';
import { rows } from '../output.js';
import { inert } from '../../core/inert.js';
import { askMissing, type Ask } from '../prompt.js';
import type { Target } from '../order-target.js';
import { amountFen } from '../flags.js';
import { type TargetOptions } from './order-common.js';
import { callApi, withTarget } from './order-call.js';
import { newOrderNo, SANDBOX_ORDER_DEFAULTS } from '../../core/order-defaults.js';

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


const REQUIRED: readonly Ask[] = [
  { param: 'user_id', flag: '--user-id', message: 'user_id (5-255 letters and digits)' },
  { param: 'product_id', flag: '--product-id', message: 'product_id' },
  { param: 'product_name', flag: '--product-name', message: 'product_name' },
  { param: 'product_detail', flag: '--product-detail', message: 'product_detail' },
  { param: 'amount', flag: '--amount', message: 'amount in fen (100 = 1.00 CNY)' },
];

export interface CreateResult {
  target: { kind: Target['kind']; env: string; baseUrl: string; offerId: string };
  request: { api: string; method: string; url: string; params: Record<string, string>; attempts: number };
  response: Record<string, unknown>;
  defaultsUsed: string[];
  payInfo?: { valid: boolean; data?: Record<string, unknown>; issues: PayInfoCheck['parsed']['issues']; signature: PayInfoCheck['signature'] };
}

/** Builds the parameters, filling gaps (sandbox defaults, or prompts on a TTY), and places the order. */
export async function runOrderCreate(o: CreateOptions, ctx: Ctx): Promise<CreateResult> {
  const amount = amountFen(o);
  return withTarget(ctx, o, async (target) => {
    const given: Record<string, string | undefined> = {
      user_id: o.userId,
      product_id: o.productId,
      product_name: o.productName,
      product_detail: o.productDetail,
      amount,
    };
    const missing = REQUIRED.filter((a) => given[a.param] === undefined);
    const defaultsUsed: string[] = [];
    if (target.kind !== 'configured') {
      for (const a of missing) {
        given[a.param] = SANDBOX_ORDER_DEFAULTS[a.param];
        defaultsUsed.push(a.param);
      }
      if (defaultsUsed.length) ctx.note(`sandbox defaults for ${defaultsUsed.map((p) => `${p}=${SANDBOX_ORDER_DEFAULTS[p]}`).join(', ')}`);
    } else {
      Object.assign(given, await askMissing(ctx, missing));
    }
    const params: Record<string, string> = {
      out_trade_no: o.outTradeNo ?? newOrderNo('tacpay_', ctx.now()),
      currency_type: 'CNY',
      ...(Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Record<string, string>),
    };
    for (const [opt, param] of PASS_THROUGH) if (o[opt] !== undefined) params[param] = String(o[opt]);
    const result = await callApi(ctx, target, o, 'unified_order', params);
    return toResult(target, result, defaultsUsed);
  });
}

function toResult(target: Target, r: CallResult, defaultsUsed: string[]): CreateResult {
  const payInfo = typeof r.body.pay_info === 'string' ? r.body.pay_info : undefined;
  const check = payInfo
    ? checkPayInfo(payInfo, {
        expectAppid: target.offerId,
        ...(target.platformPublicKey ? { key: target.platformPublicKey } : {}),
      })
    : undefined;
  return {
    target: { kind: target.kind, env: target.env, baseUrl: target.baseUrl, offerId: target.offerId },
    request: { api: r.api, method: r.method, url: r.url, params: r.params, attempts: r.attempts },
    response: r.body,
    defaultsUsed,
    ...(check
      ? { payInfo: { valid: check.valid, ...(check.parsed.data ? { data: check.parsed.data } : {}), issues: check.parsed.issues, signature: check.signature } }
      : {}),
  };
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
