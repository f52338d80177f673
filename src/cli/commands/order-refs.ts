/** Naming an existing order or refund on the command line, shared by order query/close and refund. */
import type { Ctx } from '../context.js';
import { UsageError } from '../errors.js';
import { writeJson } from '../output.js';
import type { Target } from '../order-target.js';
import type { TargetOptions } from './order-common.js';

export interface RefOptions extends TargetOptions {
  userId?: string;
  outTradeNo?: string;
  transactionId?: string;
}

/** user_id from the flag, or (sandbox) from the order itself; production needs the flag. */
export function userIdFor(o: RefOptions & { refundId?: string }, target: Target): string {
  const found = o.userId ?? target.userIdOf?.({ ...(o.outTradeNo ? { outTradeNo: o.outTradeNo } : {}), ...(o.transactionId ? { transactionId: o.transactionId } : {}), ...(o.refundId ? { refundId: o.refundId } : {}) });
  if (!found) throw new UsageError('missing --user-id (the order API requires the user_id the order was placed with)', target.userIdOf ? 'the sandbox has no such order either: check the order no.' : undefined);
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

