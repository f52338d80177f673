/** The work of `tacpay account ...`: one signed hosted-account call, its answer shown. */
import type { AccountApi } from '../../../core/account-api.js';
import type { Ctx } from '../../context.js';
import { UsageError } from '../../../errors.js';
import { rows } from '../../output.js';
import { inert } from '../../../core/inert.js';
import { callApi, withTarget } from '../order/call.js';
import { newOrderNo } from '../../../core/order-defaults.js';
import type { TargetOptions } from '../order/common.js';
import { emit } from '../order/refs.js';

export interface AccountOptions extends TargetOptions {
  account?: string;
  userId?: string;
  amt?: string;
  billno?: string;
}

export async function runAccount(api: AccountApi, o: AccountOptions, ctx: Ctx): Promise<void> {
  if (o.account !== undefined && !/^TC\d+(_\d+)?$/.test(o.account)) throw new UsageError(`--account ${JSON.stringify(o.account).slice(0, 40)} is not an account id`, 'an account id is the offerId plus _digits, e.g. TC100008_005');
  if (o.amt !== undefined && !/^[1-9]\d*$/.test(o.amt)) throw new UsageError(`--amt must be a whole number of fen, at least 1, not ${JSON.stringify(o.amt).slice(0, 40)}`);
  await withTarget(ctx, o, async (target) => {
    if (!o.account && target.env !== 'sandbox') throw new UsageError('--account is required against production', 'give the account id from the console, e.g. --account TC100008_005');
    const accountId = o.account ?? `${target.offerId}_001`;
    const params: Record<string, string> = { user_id: o.userId! };
    if (o.amt !== undefined) params.amt = o.amt;
    if (api !== 'get_balance') params.billno = o.billno ?? newOrderNo('bill', ctx.now());
    const r = await callApi(ctx, target, o, api, params, accountId);
    const b = r.body;
    emit(ctx, { target: { kind: target.kind, baseUrl: target.baseUrl, offerId: target.offerId }, account: accountId, request: params, response: b }, () => {
      const done = api === 'get_balance' ? 'balance' : `${api} ${params.billno}`;
      const lines: Array<[string, string]> = [
        ['account', inert(accountId, { singleLine: true })],
        ['user_id', inert(params.user_id!, { singleLine: true })],
        ['balance', `${b.balance} fen`],
        ['gen_balance', `${b.gen_balance} fen (gifted)`],
      ];
      if (b.save_amt !== undefined) lines.push(['save_amt', `${b.save_amt} fen (topped up in all)`]);
      if (b.used_gen_amt !== undefined) lines.push(['used_gen_amt', `${b.used_gen_amt} fen of the gifted part spent`]);
      return `${ctx.color.green('✓')} ${done}${b.msg && b.msg !== 'ok' ? ` (${inert(String(b.msg), { singleLine: true })})` : ''}\n${rows(lines)}`;
    });
  });
}
