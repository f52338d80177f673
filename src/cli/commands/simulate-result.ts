/**
 * `tacpay simulate result <result>`: what the app's completion callback receives, exactly as each
 * SDK shapes it (spec §4.1, §4.2, §4.6), for one of the five results (§4.3) or all of them (--all).
 * When the pay_info is one the sandbox issued, the result also drives that order: success pays it
 * and the sandbox's notification goes out (state 2, then 4 once delivered, 3 if that fails);
 * cancel and error leave it unpaid.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { ORDER_STATES } from '../../core/order-api.js';
import type { AndroidResult, IosResult, Platform, SdkResultInfo, WebResult } from '../../core/sdk-result.js';
import type { Ctx } from '../context.js';
import { UsageError } from '../../errors.js';
import { action, examples, type App } from '../kit.js';
import { rows, writeJson } from '../output.js';
import { inert } from '../../core/inert.js';
import { dataOption, sandboxDir, type DataOptions } from '../flags.js';
import { table } from '../output.js';
import { collect, pairsOption, retryScaleOption, timeoutOption } from '../flags.js';
import { deliverPaidOrder, type DeliveryOutcome } from './simulate-deliveries.js';

export interface ResultOptions extends DataOptions {
  payInfo?: string;
  platform?: Platform;
  appMetadata?: string[];
  all?: boolean;
  retryScale?: string;
  timeout: string;
}

export const EXAMPLES_NOTE = 'innerCode and resultMsg are examples: the SDKs publish no innerCode table (spec §4.3)';

export interface OrderEffect {
  offerId: string;
  outTradeNo: string;
  stateBefore: number;
  stateAfter: number;
  paid: boolean;
  /** What happened to the order, in words. */
  note: string;
  delivery?: DeliveryOutcome;
}

export interface ResultReport {
  result: { code: number; key: string; ios: string; android: string; meaning: string };
  note: string;
  payInfo?: { appid?: string; outTradeNo?: string; payMethod?: string };
  ios?: IosResult;
  android?: AndroidResult;
  web?: WebResult;
  order?: OrderEffect;
}

export interface AllReport {
  note: string;
  results: Array<{ code: number; key: string; ios: string; android: string; meaning: string; orderEffect: string }>;
}

function summary(r: SdkResultInfo): ResultReport['result'] {
  return { code: r.code, key: r.key, ios: r.ios, android: r.android, meaning: r.meaning };
}

export async function runAll(): Promise<AllReport> {
  const { SDK_RESULTS } = await import('../../core/sdk-result.js');
  return { note: EXAMPLES_NOTE, results: SDK_RESULTS.map((r) => ({ ...summary(r), orderEffect: r.orderEffect })) };
}

export async function runResult(name: string, opts: ResultOptions, ctx: Ctx): Promise<ResultReport> {
  const sdk = await import('../../core/sdk-result.js');
  const r = sdk.sdkResult(name);
  if (!r) throw new UsageError(`unknown result "${inert(name, { singleLine: true })}"`, `use one of: ${sdk.RESULT_NAMES.join(', ')}`);
  const metadata = pairsOption(opts.appMetadata, '--app-metadata');
  const meta = metadata.map(([k, v]) => `${k}=${v}`).join('&');
  if (meta.length > 255) ctx.warn(`appMetadata is ${meta.length} characters; the Web SDK documents at most 255`);
  const timeoutMs = timeoutOption(opts.timeout);
  const retryScale = await retryScaleOption(opts.retryScale);

  let payInfo: ResultReport['payInfo'];
  let callbackUrl: string | undefined;
  let order: OrderEffect | undefined;
  if (opts.payInfo !== undefined) {
    const { parsePayInfo } = await import('../../core/payinfo.js');
    const parsed = parsePayInfo(opts.payInfo);
    const data = parsed.data ?? {};
    const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
    payInfo = { ...(str(data.appid) ? { appid: str(data.appid) } : {}), ...(str(data.out_trade_no) ? { outTradeNo: str(data.out_trade_no) } : {}), ...(str(data.pay_method) ? { payMethod: str(data.pay_method) } : {}) };
    const bad = parsed.issues.find((i) => i.severity === 'error');
    if (bad) ctx.warn(`the pay_info has a problem (${inert(bad.message, { singleLine: true })}); a real SDK would likely answer -3 (param-error). tacpay decode explains it`);
    if (payInfo.appid && payInfo.outTradeNo) {
      const found = await driveOrder(r, opts.payInfo.trim(), payInfo.appid, payInfo.outTradeNo, { platform: opts.platform ?? 'android', retryScale, timeoutMs, data: opts.data }, ctx);
      order = found?.effect;
      callbackUrl = found?.callbackUrl;
    }
  }
  const input = { ...(payInfo?.payMethod ? { payMethod: payInfo.payMethod } : {}), metadata, ...(callbackUrl ? { callbackUrl } : {}) };
  const want = (p: Platform): boolean => opts.platform === undefined || opts.platform === p;
  return {
    result: summary(r),
    note: EXAMPLES_NOTE,
    ...(payInfo ? { payInfo } : {}),
    ...(want('ios') ? { ios: sdk.iosResult(r, input) } : {}),
    ...(want('android') ? { android: sdk.androidResult(r, input) } : {}),
    ...(want('web') ? { web: sdk.webResult(r, input) } : {}),
    ...(order ? { order } : {}),
  };
}

interface DriveOptions {
  platform: Platform;
  retryScale: number;
  timeoutMs: number;
  data: string | undefined;
}

/** Applies the result to the sandbox order the pay_info belongs to; undefined when it belongs to none. */
async function driveOrder(r: SdkResultInfo, payInfo: string, appid: string, outTradeNo: string, o: DriveOptions, ctx: Ctx): Promise<{ effect: OrderEffect; callbackUrl?: string } | undefined> {
  const { shownDir, storeExists } = await import('../../sandbox/index.js');
  const dir = await sandboxDir(ctx, o.data);
  if (!(await storeExists(dir))) {
    ctx.note(`no sandbox data at ${shownDir(dir)}: the pay_info is not a sandbox order, so only the SDK shapes are shown`);
    return undefined;
  }
  const { openSandboxStore } = await import('../../sandbox/index.js');
  const store = await openSandboxStore(dir, 'existing');
  try {
    const order = store.orderByOutTradeNo(appid, outTradeNo);
    if (!order) {
      ctx.note(`order ${inert(outTradeNo, { singleLine: true })} of ${inert(appid, { singleLine: true })} is not in the sandbox at ${shownDir(dir)}: only the SDK shapes are shown`);
      return undefined;
    }
    if (order.pay_info !== payInfo) {
      ctx.warn(`the pay_info names sandbox order ${order.out_trade_no} but is not the one the sandbox issued for it; the order is left alone`);
      return undefined;
    }
    const { applySdkResult, orderCallbackUrl } = await import('../../sandbox/index.js');
    const callbackUrl = orderCallbackUrl(order);
    const { payScene } = await import('../../core/sdk-result.js');
    const scene = payScene(o.platform);
    const e = applySdkResult(store, order, r, ctx.now(), { retryScale: o.retryScale, payScene: scene });
    const effect: OrderEffect = { offerId: e.offerId, outTradeNo: e.outTradeNo, stateBefore: e.stateBefore, stateAfter: e.stateAfter, paid: e.paid, note: e.note };
    if (e.alreadyPaid) ctx.warn('the order was already paid: a real SDK refuses a pay_info used twice (spec §2.2); nothing is sent again');
    if (e.paid && !e.alreadyPaid) {
      const delivery = await deliverPaidOrder(ctx, dir, store, order.id, { retryScale: o.retryScale, timeoutMs: o.timeoutMs, payScene: scene });
      effect.stateAfter = store.orderById(order.id)!.order_state;
      if (delivery) effect.delivery = delivery;
    }
    return { effect, ...(callbackUrl ? { callbackUrl } : {}) };
  } finally {
    store.close();
  }
}

const q = (s: string): string => JSON.stringify(s);
const example = (ctx: Ctx): string => ctx.color.dim('(example)');

export function renderResult(r: ResultReport, ctx: Ctx): string {
  const c = ctx.color;
  const s = (v: string): string => inert(v, { singleLine: true });
  let out = `${c.bold(`Result ${r.result.code} ${r.result.key}`)}: ${r.result.meaning}\n${c.dim(r.note)}\n`;
  if (r.ios) {
    const i = r.ios;
    out += `\n${c.bold('iOS')} ${c.dim('TACPaymentService pay:appMeataData:completation: → TACPaymentResult *result')}\n`;
    out += rows([
      ['resultCode', `${i.resultCode} (${i.resultCodeName})`],
      ['payMethod', q(s(i.payMethod)) + (i.payMethod ? '' : c.dim(' (from the pay_info; none given)'))],
      ['innerCode', `${q(i.innerCode)} ${example(ctx)}`],
      ['resultMsg', `${q(i.resultMsg)} ${example(ctx)}`],
      ['appMetadata', q(s(i.appMetadata))],
    ]);
  }
  if (r.android) {
    const a = r.android;
    out += `\n${c.bold('Android')} ${c.dim('TACPaymentCallback.onResult(int resultCode, PaymentResult result)')}\n`;
    out += rows([
      ['resultCode', `${a.resultCode} (${a.resultCodeName})`],
      ['result.getCode()', `${q(a.paymentResult.code)} ${example(ctx)}`],
      ['result.getMessage()', `${q(a.paymentResult.message)} ${example(ctx)}`],
      ['result.getMetaData()', s(JSON.stringify(a.paymentResult.metaData))],
    ]);
  }
  if (r.web) {
    const w = r.web;
    out += `\n${c.bold('Web')} ${c.dim('OpenMidas.pay(payInfo, callback, appMetadata) / redirect to callback_url')}\n`;
    out += rows([
      ['callback', `(${w.callbackArgs.map((x, i) => (i === 0 ? String(x) : q(s(String(x))))).join(', ')}) ${c.dim('(innerCode, resultMsg: examples)')}`],
      ['redirect', s(w.redirectUrl ?? `<callback_url>?${w.redirectQuery}`)],
    ]);
  }
  if (r.order) out += `\n${renderOrderEffect(r.order, ctx)}`;
  return out;
}

function stateText(n: number): string {
  return `${n} (${ORDER_STATES[n] ?? 'unknown'})`;
}

export function renderOrderEffect(o: OrderEffect, ctx: Ctx): string {
  const c = ctx.color;
  let out = `${c.bold('Sandbox order')} ${inert(o.outTradeNo, { singleLine: true })}: ${stateText(o.stateBefore)} → ${stateText(o.stateAfter)}; ${o.note}\n`;
  const d = o.delivery;
  if (d) out += `  notification: ${inert(d.summary, { singleLine: true })}\n`;
  return out;
}

export function renderAll(r: AllReport, ctx: Ctx): string {
  const c = ctx.color;
  const body = r.results.map((x) => [String(x.code), x.key, x.ios, x.android, x.orderEffect, x.meaning]);
  return table(['CODE', 'RESULT', 'iOS (TACPaymentErrorCode)', 'ANDROID', 'SANDBOX ORDER', 'MEANING'], body, (h) => c.bold(h)) + c.dim(`${r.note}\n`);
}

export function registerSimulateResult(simulate: Command, app: App): void {
  const cmd = simulate
    .command('result')
    .description('show what the SDK completion callback receives for a result, per platform; with a sandbox pay_info, drive that order')
    .argument('[result]', 'success | error | cancel | param-error | unknown | 0 | -1 | -2 | -3 | -4')
    .option('--pay-info <pay_info>', 'the pay_info the app passed to the SDK (payMethod comes from it; a sandbox order is driven)')
    .addOption(new Option('--platform <platform>', 'only this SDK (default: all three)').choices(['ios', 'android', 'web']))
    .option('--app-metadata <k=v>', 'app metadata passed to pay (repeatable)', collect)
    .option('--all', 'the table of all five results')
    .option('--retry-scale <factor>', "scale of the notification's retry schedule for a driven order (0 < factor <= 1)", '1')
    .option('--timeout <ms>', 'per notification attempt; also how long to wait for the first one', '5000');
  dataOption(cmd)
    .addHelpText(
      'after',
      `
With --pay-info of a sandbox order (tacpay order create prints one), success marks the order paid
(state 2) and the sandbox sends the payment notification to the merchant's notify URL (tacpay
sandbox merchant set-notify): state 4 once delivered, 3 if the attempt fails (retries follow, in a
running sandbox). cancel and error leave the order unpaid; unknown leaves it as it is.
The Web redirect goes to the order's callback_url when it has one.`,
    )
    .action(
      action<ResultOptions>(app, async (opts, ctx, args) => {
        const name = args[0];
        if (opts.all) {
          if (name !== undefined || opts.payInfo !== undefined) throw new UsageError('--all shows the whole table; leave out the result and --pay-info');
          const r = await runAll();
          if (ctx.json) writeJson(ctx.stdout, r);
          else ctx.stdout.write(renderAll(r, ctx));
          return 0;
        }
        if (name === undefined) throw new UsageError('which result? give one, or --all for the table', 'e.g. tacpay simulate result cancel');
        const r = await runResult(name, opts, ctx);
        if (ctx.json) writeJson(ctx.stdout, r);
        else ctx.stdout.write(renderResult(r, ctx));
        return 0;
      }),
    );
  examples(cmd, [
    'tacpay simulate result --all                          the five results on iOS and Android',
    'tacpay simulate result cancel --platform android --app-metadata order=42',
    'tacpay simulate result success --pay-info "$PAY_INFO"  pay a sandbox order; the notification goes out',
    'tacpay simulate result -2 --platform web --json',
  ]);
}
