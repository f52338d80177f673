/** What the order and refund commands do when they run: one signed call to a resolved target, errors mapped. */
import type { CallResult, SentRequest } from '../../client/order-client.js';
import type { AccountApi } from '../../core/account-api.js';
import type { ApiName } from '../../core/order-api.js';
import { retHint } from '../../core/ret-codes.js';
import type { Ctx } from '../context.js';
import { ApiError, TacpayError, UsageError } from '../../errors.js';
import { inert } from '../../core/inert.js';
import { startWaiting } from '../wait-spinner.js';
import { resolveTarget, type Target } from '../order-target.js';
import { targetFlags, type TargetOptions } from './order-common.js';

/** A unique merchant order no.: 32 characters at most, of the allowed charset (§5.1). */
function wholeNumber(text: string | undefined, flag: string, min: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min) throw new UsageError(`${flag} must be a whole number of at least ${min}, got ${JSON.stringify(text)}`);
  return Number(text);
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
export async function callApi(ctx: Ctx, target: Target, o: TargetOptions, api: ApiName | AccountApi, params: Record<string, string>, pathId?: string): Promise<CallResult> {
  const { OrderClient, TransportError } = await import('../../client/order-client.js');
  const host = new URL(target.baseUrl).host;
  const waiting = startWaiting(ctx, `waiting for ${host} (${api})`);
  const client = new OrderClient({
    baseUrl: target.baseUrl,
    credentials: { offerId: target.offerId, offerKey: target.offerKey, privateKey: target.privateKey },
    tsMode: target.tsMode,
    now: () => ctx.now(),
    ...(o.wire ? { wire: o.wire } : {}),
    totalTimeoutMs: wholeNumber(o.timeout, '--timeout', 1) ?? 15000,
    retries: wholeNumber(o.retries, '--retries', 0) ?? 2,
    onRetry: (attempt, reason, delay) => {
      waiting.stop();
      ctx.note(`${api}: attempt ${attempt} failed: ${reason}; retrying in ${delay} ms`);
    },
    ...(ctx.verbose ? { onSend: (sent) => verboseSent(ctx, sent) } : {}),
  });
  try {
    const result = await client.call(api, params, pathId).finally(() => waiting.stop());
    if (ctx.verbose) verboseAnswer(ctx, result);
    const ret = Number(result.body.ret);
    if (ret !== 0) {
      const msg = typeof result.body.msg === 'string' ? result.body.msg : '';
      throw new ApiError(`${api} failed: ret ${result.body.ret}${msg ? `, ${msg}` : ''}`, hintFor(ret, target, api), {
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

/** --verbose: the request as sent, and what was signed (the offerKey is appended where the string ends; it is never shown). */
function verboseSent(ctx: Ctx, sent: SentRequest): void {
  ctx.note(`> ${sent.method} ${inert(sent.url, { singleLine: true })}${sent.attempt > 1 ? ` (attempt ${sent.attempt})` : ''}`);
  if (sent.body !== undefined) ctx.note(`> body ${inert(sent.body, { singleLine: true })}`);
  ctx.note(`> string-to-sign ${inert(sent.stringToSignWithoutKey, { singleLine: true })}<offerKey>`);
}

function verboseAnswer(ctx: Ctx, r: CallResult): void {
  const tries = r.attempts > 1 ? ` after ${r.attempts} attempts` : '';
  ctx.note(`< HTTP ${r.status} in ${r.durationMs} ms${tries}${r.headers.uuid ? `, request id ${inert(r.headers.uuid, { singleLine: true })}` : ''}`);
  ctx.note(`< ${inert(JSON.stringify(r.body), { singleLine: true })}`);
}

function hintFor(ret: number, target: Target, api: ApiName | AccountApi): string {
  // 1005 on close means the order was paid: the general hint (a new out_trade_no) would mislead.
  if (target.env === 'sandbox' && api === 'close_order' && ret === 1005) return 'a paid order cannot be closed: refund it instead (tacpay refund create)';
  if (target.env === 'sandbox') return retHint(ret);
  // Production's codes are undocumented: name the checks for the two failures people hit most.
  return `production ret codes are undocumented; if msg mentions the signature, check offerKey and the private key (tacpay sign --verify); if it mentions time, check the clock or --ts-mode (now ${target.tsMode})`;
}
