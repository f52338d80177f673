/**
 * `tacpay simulate result <result>`: what the app's completion callback receives, exactly as each
 * SDK shapes it, for one of the five results or all of them (--all); with a sandbox pay_info, what
 * the result does to that order. The work is flows/pay.ts; this file parses and renders.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { ORDER_STATES } from '../../../core/order-api.js';
import type { Platform } from '../../../core/sdk-result.js';
import type { AllReport, OrderEffect, ResultReport } from '../../../flows/pay.js';
import { flowEnvOf, type Ctx } from '../../context.js';
import { UsageError } from '../../../errors.js';
import { action, examples, type App } from '../../kit.js';
import { rows, writeJson } from '../../output.js';
import { inert } from '../../../core/inert.js';
import { dataOption, sandboxDir, type DataOptions } from '../../flags.js';
import { table } from '../../output.js';
import { collect, pairsOption, retryScaleOption, timeoutOption } from '../../flags.js';

export interface ResultOptions extends DataOptions {
  payInfo?: string;
  platform?: Platform;
  appMetadata?: string[];
  all?: boolean;
  retryScale?: string;
  timeout: string;
}

/** The result's name and the flags as the flow's input (usage errors here), then the flow. */
export async function runResult(name: string, opts: ResultOptions, ctx: Ctx): Promise<ResultReport> {
  const sdk = await import('../../../core/sdk-result.js');
  const result = sdk.sdkResult(name);
  if (!result) throw new UsageError(`unknown result "${inert(name, { singleLine: true })}"`, `use one of: ${sdk.RESULT_NAMES.join(', ')}`);
  const metadata = pairsOption(opts.appMetadata, '--app-metadata');
  const timeoutMs = timeoutOption(opts.timeout);
  const retryScale = await retryScaleOption(opts.retryScale);
  // The data dir only matters for a pay_info (and resolving it reads the configuration).
  const dataDir = opts.payInfo !== undefined ? await sandboxDir(ctx, opts.data) : '';
  const { simulateResult } = await import('../../../flows/pay.js');
  return simulateResult({ result, payInfo: opts.payInfo, platform: opts.platform, metadata, dataDir, retryScale, timeoutMs }, flowEnvOf(ctx));
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
          const { allResults } = await import('../../../flows/pay.js');
          const r = await allResults();
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
