/** `tacpay sandbox start|status|stop|reset|merchant|keys|log|pay`: a local OpenMidas-compatible order API and its data (spec §1, §3.2–3.5, §7). */
import type { Command } from 'commander';
import { examples, type App } from '../../kit.js';
import { registerSandboxKeys } from './keys.js';
import { registerSandboxLifecycle } from './lifecycle.js';
import { registerSandboxLog } from './log.js';
import { registerSandboxMerchant } from './merchant.js';
import { registerSandboxPay } from './pay.js';
import { registerSandboxStart } from './start.js';

export function registerSandbox(program: Command, app: App): void {
  const sandbox = program
    .command('sandbox')
    .description('run a local OpenMidas-compatible order API (signed pay_info, no credentials or network needed) and manage its merchants');
  registerSandboxStart(sandbox, app);
  registerSandboxLifecycle(sandbox, app);
  registerSandboxMerchant(sandbox, app);
  registerSandboxKeys(sandbox, app);
  registerSandboxLog(sandbox, app);
  registerSandboxPay(sandbox, app);
  sandbox.addHelpText(
    'after',
    '\nThe sandbox answers with its own ret codes (assumed, spec §7 D3) and signs pay_info with its own platform key (§7 D1).',
  );
  examples(sandbox, [
    'tacpay sandbox start                      serve http://127.0.0.1:4010 until Ctrl-C',
    'tacpay sandbox status                     is one running, where, with how many orders',
    'tacpay sandbox stop                       stop it from another shell',
    'tacpay sandbox keys --dotenv .env         credentials for your backend',
    'tacpay sandbox log --follow               watch requests arrive',
    'tacpay sandbox pay <out_trade_no>         pretend the user paid',
  ]);
}
