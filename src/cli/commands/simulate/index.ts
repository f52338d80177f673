/** `tacpay simulate result|notify|scenario`: SDK results, signed payment notifications and handler probes, CI scenarios (spec §3.1, §4.3, §4.6, §7 D2). */
import type { Command } from 'commander';
import { examples, type App } from '../../kit.js';
import { registerSimulateNotify } from './notify.js';
import { registerSimulateResult } from './result.js';
import { registerSimulateScenario } from './scenario.js';

export function registerSimulate(program: Command, app: App): void {
  const simulate = program
    .command('simulate')
    .description('see every SDK result, send signed payment notifications (and forged ones) to your handler, run CI scenarios against the sandbox');
  registerSimulateResult(simulate, app);
  registerSimulateNotify(simulate, app);
  registerSimulateScenario(simulate, app);
  simulate.addHelpText(
    'after',
    '\nNotifications are signed as the sandbox signs them (assumed, spec §7 D2): verify them with the sandbox platform key (tacpay sandbox keys).',
  );
  examples(simulate, [
    'tacpay simulate result --all                                   the five SDK results per platform',
    'tacpay simulate notify --to http://127.0.0.1:3000/notify --order <out_trade_no>',
    'tacpay simulate notify --to http://127.0.0.1:3000/notify --order <out_trade_no> --probes',
    'tacpay simulate scenario happy-path --junit smoke.xml          CI smoke test',
  ]);
}
