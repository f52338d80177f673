/** What the order and refund commands share: target flags, amounts, ids, and one call path with errors mapped. */
import { randomBytes } from 'node:crypto';
import { Option, type Command } from 'commander';
import type { CallResult } from '../../client/order-client.js';
import type { ApiName } from '../../core/order-api.js';
import { retHint } from '../../core/ret-codes.js';
import type { Ctx } from '../context.js';
import { ApiError, TacpayError, UsageError } from '../errors.js';
import { resolveTarget, type Target, type TargetFlags } from '../order-target.js';

export interface TargetOptions {
  env?: string;
  baseUrl?: string;
  offerId?: string;
  offerKey?: string;
  privateKey?: string;
  platformPublicKey?: string;
  tsMode?: string;
  sandboxDir?: string;
  wire?: 'post-query' | 'get-query' | 'post-form';
  timeout?: string;
  retries?: string;
}

/** Adds the flags every API command takes. */
export function addTargetOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--env <env>', 'sandbox (default) or production').choices(['sandbox', 'production']))
    .option('--base-url <url>', 'order API base URL (http only for loopback)')
    .option('--offer-id <id>', 'offerId (TC + digits); with the sandbox, picks a sandbox merchant')
    .option('--offer-key <key>', 'offerKey (prefer TACPAY_OFFER_KEY: command lines are visible to other users)')
    .option('--private-key <file|->', 'merchant RSA private key (file, - for stdin, or TACPAY_PRIVATE_KEY)')
    .option('--platform-public-key <file>', 'platform public key to verify the returned pay_info')
    .addOption(new Option('--ts-mode <mode>', 'ts as epoch-28800 like the official examples, or the true epoch').choices(['beijing-naive', 'epoch']))
    .option('--sandbox-dir <dir>', 'data dir of the built-in sandbox')
    .addOption(new Option('--wire <form>', 'how parameters travel (spec §1.2)').choices(['post-query', 'get-query', 'post-form']).default('post-query'))
    .option('--timeout <ms>', 'total time per attempt', '15000')
    .option('--retries <n>', 'retries on network errors and 5xx (every order API call is safe to repeat)', '2');
}

/** The config-table subset of the options (flag > env > file precedence is the resolver's). */
export function targetFlags(o: TargetOptions): TargetFlags {
  return {
    env: o.env,
    baseUrl: o.baseUrl,
    offerId: o.offerId,
    offerKey: o.offerKey,
    privateKey: o.privateKey,
    platformPublicKey: o.platformPublicKey,
    tsMode: o.tsMode,
    sandboxDir: o.sandboxDir,
  };
}

function wholeNumber(text: string | undefined, flag: string, min: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min) throw new UsageError(`${flag} must be a whole number of at least ${min}, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** Fen from --amount (fen) or --amount-yuan (decimal yuan, at most 2 places), computed without floating point. */
export function amountFen(o: { amount?: string; amountYuan?: string }, what = 'amount'): string | undefined {
  if (o.amount !== undefined && o.amountYuan !== undefined) throw new UsageError(`give --${what} (fen) or --${what}-yuan, not both`);
  if (o.amountYuan !== undefined) {
    const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(o.amountYuan.trim());
    if (!m) throw new UsageError(`--${what}-yuan ${JSON.stringify(o.amountYuan)} is not an amount in yuan`, 'e.g. --amount-yuan 1.00 (= 100 fen); at most two decimals');
    return String(Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0')));
  }
  if (o.amount !== undefined && !/^\d+$/.test(o.amount)) {
    const hint = /^\d*\.\d+$/.test(o.amount) ? `--${what} is in fen (whole numbers); for yuan use --${what}-yuan ${o.amount}` : `e.g. --${what} 100 for 1.00 CNY`;
    throw new UsageError(`--${what} ${JSON.stringify(o.amount)} is not a whole number of fen`, hint);
  }
  return o.amount;
}

/** A unique merchant order no.: 32 characters at most, of the allowed charset (§5.1). */
export function newOrderNo(prefix: string, now: Date): string {
  return `${prefix}${now.getTime()}${randomBytes(4).toString('hex')}`.slice(0, 32);
}

/** Resolves the target, runs `fn`, and always releases the target (an embedded sandbox stops). */
export async function withTarget<T>(ctx: Ctx, o: TargetOptions, fn: (t: Target) => Promise<T>): Promise<T> {
  const target = await resolveTarget(ctx, targetFlags(o));
  try {
    return await fn(target);
  } finally {
    await target.close();
  }
}

/** Makes one signed call; a transport failure or a ret != 0 becomes a one-line error with a hint. */
export async function callApi(ctx: Ctx, target: Target, o: TargetOptions, api: ApiName, params: Record<string, string>): Promise<CallResult> {
  const { OrderClient, TransportError } = await import('../../client/order-client.js');
  const client = new OrderClient({
    baseUrl: target.baseUrl,
    credentials: { offerId: target.offerId, offerKey: target.offerKey, privateKey: target.privateKey },
    tsMode: target.tsMode,
    now: () => ctx.now(),
    ...(o.wire ? { wire: o.wire } : {}),
    totalTimeoutMs: wholeNumber(o.timeout, '--timeout', 1) ?? 15000,
    retries: wholeNumber(o.retries, '--retries', 0) ?? 2,
    onRetry: (attempt, reason, delay) => ctx.note(`${api}: attempt ${attempt} failed (${reason}); retrying in ${delay} ms`),
  });
  try {
    const result = await client.call(api, params);
    const ret = Number(result.body.ret);
    if (ret !== 0) {
      const msg = typeof result.body.msg === 'string' ? result.body.msg : '';
      throw new ApiError(`${api} failed: ret ${result.body.ret}${msg ? `, ${msg}` : ''}`, hintFor(ret, target), {
        status: result.status,
        ret,
        msg,
        ...(result.headers.uuid ? { requestId: result.headers.uuid } : {}),
        ...(params.out_trade_no ? { outTradeNo: params.out_trade_no } : {}),
      });
    }
    return result;
  } catch (err) {
    if (err instanceof TransportError) throw new TacpayError(err.message, err.hint, 'network');
    throw err;
  } finally {
    await client.close();
  }
}

function hintFor(ret: number, target: Target): string {
  if (target.env === 'sandbox') return retHint(ret);
  // Production's codes are undocumented: name the checks for the two failures people hit most.
  return `production ret codes are undocumented; if msg mentions the signature, check offerKey and the private key (tacpay sign --verify); if it mentions time, check the clock or --ts-mode (now ${target.tsMode})`;
}
