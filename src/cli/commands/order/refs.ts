/** Naming an existing order or refund on the command line, shared by order query/close and refund. */
import type { Ctx } from '../../context.js';
import { TacpayError, UsageError } from '../../../errors.js';
import { writeJson } from '../../output.js';
import type { Target } from '../../../flows/target.js';
import type { TargetOptions } from './common.js';

export interface RefOptions extends TargetOptions {
  userId?: string;
  outTradeNo?: string;
  transactionId?: string;
}

/**
 * user_id from the flag, or (sandbox) from the order itself; production needs the flag. A sandbox
 * that has no such order is a failure (exit 1, "not found"), not a usage error: the command line
 * was complete, since the sandbox would have supplied the user_id.
 */
export function userIdFor(o: RefOptions & { refundId?: string }, target: Target): string {
  if (o.userId) return o.userId;
  if (!target.userIdOf) throw new UsageError('missing --user-id (the order API requires the user_id the order was placed with)', 'add --user-id <the user_id given to order create>');
  const found = target.userIdOf({ ...(o.outTradeNo ? { outTradeNo: o.outTradeNo } : {}), ...(o.transactionId ? { transactionId: o.transactionId } : {}), ...(o.refundId ? { refundId: o.refundId } : {}) });
  if (!found) {
    const what = o.refundId ? `refund ${o.refundId}` : o.outTradeNo ? `order ${o.outTradeNo}` : `order with transaction_id ${o.transactionId}`;
    throw new TacpayError(`${what} not found in the sandbox (merchant ${target.offerId}, data ${target.sandboxDir ?? 'unknown'})`, 'check the number; `tacpay sandbox log` lists the requests it answered, and --sandbox-dir picks another data dir', 'not_found');
  }
  return found;
}

export function orderRef(o: RefOptions): Record<string, string> {
  if (!o.outTradeNo && !o.transactionId) throw new UsageError('give --out-trade-no or --transaction-id');
  return { ...(o.outTradeNo ? { out_trade_no: o.outTradeNo } : {}), ...(o.transactionId ? { transaction_id: o.transactionId } : {}) };
}

export function emit(ctx: Ctx, doc: Record<string, unknown>, human: () => string): void {
  if (ctx.json) writeJson(ctx.stdout, doc);
  else ctx.stdout.write(human());
}

