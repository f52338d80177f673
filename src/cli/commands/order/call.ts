/**
 * The order, refund and account commands' way to the API: their flags resolved to a target
 * (cli/order-target.ts), opened and released by flows/target.ts; each call made by flows/orders.ts
 * with a spinner while it waits and, with --verbose, the wire on stderr.
 */
import type { CallResult, SentRequest } from '../../../client/order-client.js';
import type { AccountApi } from '../../../core/account-api.js';
import type { ApiName } from '../../../core/order-api.js';
import { inert } from '../../../core/inert.js';
import { UsageError } from '../../../errors.js';
import type { CallHooks, CallOptions } from '../../../flows/orders.js';
import type { Target } from '../../../flows/target.js';
import { flowEnvOf, type Ctx } from '../../context.js';
import { resolveTarget } from '../../order-target.js';
import { startWaiting } from '../../wait-spinner.js';
import { targetFlags, type TargetOptions } from './common.js';

function wholeNumber(text: string | undefined, flag: string, min: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min) throw new UsageError(`${flag} must be a whole number of at least ${min}, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** --wire, --timeout and --retries as the flow's call options. */
export function callOptions(o: TargetOptions): CallOptions {
  return { ...(o.wire ? { wire: o.wire } : {}), timeoutMs: wholeNumber(o.timeout, '--timeout', 1) ?? 15000, retries: wholeNumber(o.retries, '--retries', 0) ?? 2 };
}

/** The spinner while a call waits, retries said on stderr, and with --verbose the request and answer. */
export function callHooks(ctx: Ctx): CallHooks {
  return {
    onWait: (label) => {
      const w = startWaiting(ctx, label);
      return () => w.stop();
    },
    onRetry: (api, attempt, reason, delay) => ctx.note(`${api}: attempt ${attempt} failed: ${reason}; retrying in ${delay} ms`),
    ...(ctx.verbose ? { onSend: (sent: SentRequest) => verboseSent(ctx, sent), onAnswer: (r: CallResult) => verboseAnswer(ctx, r) } : {}),
  };
}

/** Resolves and opens the target, runs `fn`, and always releases the target (an embedded sandbox stops). */
export async function withTarget<T>(ctx: Ctx, o: TargetOptions, fn: (t: Target) => Promise<T>): Promise<T> {
  const cfg = await resolveTarget(ctx, targetFlags(o));
  const { withTarget: withOpened } = await import('../../../flows/target.js');
  return withOpened(cfg, flowEnvOf(ctx), fn);
}

/** Makes one signed call; a transport failure or a ret != 0 becomes a one-line error with a hint. */
export async function callApi(ctx: Ctx, target: Target, o: TargetOptions, api: ApiName | AccountApi, params: Record<string, string>, pathId?: string): Promise<CallResult> {
  const { callOrderApi } = await import('../../../flows/orders.js');
  return callOrderApi(target, api, params, callOptions(o), flowEnvOf(ctx), callHooks(ctx), pathId);
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
