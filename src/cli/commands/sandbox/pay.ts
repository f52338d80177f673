/**
 * `tacpay sandbox pay <out_trade_no>`: marks an unpaid sandbox order paid, as a real payment would,
 * so refunds and paid-order paths can be tried without a phone. Writes the store directly (safe next
 * to a running sandbox: SQLite WAL and a busy timeout), through the same payOrder the server uses.
 */
import type { Command } from 'commander';
import { action, examples, type App } from '../../kit.js';
import { writeJson } from '../../output.js';
import { dataOption } from '../../flags.js';
import type { PayOptions } from './pay-run.js';

/** Registers `tacpay sandbox pay`; the work (sandbox/pay-run.ts) is imported when it runs. */
export function registerSandboxPay(sandbox: Command, app: App): void {
  const cmd = sandbox
    .command('pay')
    .description('mark an unpaid sandbox order paid (order_state 2), as a completed payment would')
    .argument('<out_trade_no>', 'the order to pay')
    .option('--offer-id <offerId>', 'the merchant the order belongs to (default: the default merchant)');
  dataOption(cmd).action(
    action<PayOptions>(app, async (opts, ctx, args) => {
      const { runPay, renderPay } = await import('./pay-run.js');
      const result = await runPay(args[0]!, opts, ctx);
      if (ctx.json) writeJson(ctx.stdout, result);
      else ctx.stdout.write(renderPay(result, ctx));
    }),
  );
  examples(cmd, ['tacpay sandbox pay open_1700000000', 'tacpay sandbox pay order-42 --offer-id TC100008 --json']);
}
