/**
 * `tacpay account balance | pay | cancel-pay | present | save`: the hosted-account (托管账户) APIs
 * of spec §3.6, signed like the order API, against the sandbox (default) or production.
 * Registration only; the calls are in account/run.ts.
 */
import type { Command } from 'commander';
import { action, examples, type App } from '../../kit.js';
import { addTargetOptions } from '../order/common.js';
import type { AccountOptions } from './run.js';

const VERBS = [
  ['balance', 'get_balance', "get_balance: the user's balance, its gifted part and the total topped up"],
  ['pay', 'pay', 'pay: spend from the balance (billno makes a retry safe)'],
  ['cancel-pay', 'cancel_pay', 'cancel_pay: undo a pay by its billno'],
  ['present', 'present', 'present: give the user an amount (the gifted part)'],
  ['save', 'save', 'save: top the balance up'],
] as const;

const EXAMPLES: Readonly<Record<(typeof VERBS)[number][1], string>> = {
  get_balance: 'tacpay account balance --user-id rickenwang --account TC100008_005 --json',
  pay: 'tacpay account pay --user-id rickenwang --amt 300 --billno bill_20261203_1',
  cancel_pay: 'tacpay account cancel-pay --user-id rickenwang --billno bill_20261203_1',
  present: 'tacpay account present --user-id rickenwang --amt 100',
  save: 'tacpay account save --user-id rickenwang --amt 1000',
};

export function registerAccount(program: Command, app: App): void {
  const account = program.command('account').description('hosted accounts (托管账户): balance, pay, cancel-pay, present, save');
  for (const [verb, api, description] of VERBS) {
    const cmd = account
      .command(verb)
      .description(description)
      .option('--account <id>', 'the account id: offerId + _digits, e.g. TC100008_005 (sandbox default: <offerId>_001)')
      .requiredOption('--user-id <id>', 'the user whose account it is');
    if (api === 'pay' || api === 'present' || api === 'save') cmd.requiredOption('--amt <fen>', 'the amount in fen').option('--billno <no>', 'up to 32 of letters, digits, _ . - (default: a new one; give it again to retry safely)');
    if (api === 'cancel_pay') cmd.requiredOption('--billno <no>', 'the billno of the pay to undo');
    addTargetOptions(cmd).action(action<AccountOptions>(app, async (o, ctx) => (await import('./run.js')).runAccount(api, o, ctx)));
    examples(cmd, [EXAMPLES[api]]);
  }
  examples(account, [
    'tacpay account save --user-id rickenwang --amt 1000',
    'tacpay account pay --user-id rickenwang --amt 300 --billno bill_20261203_1',
    'tacpay account balance --user-id rickenwang --account TC100008_005 --json',
  ]);
}
