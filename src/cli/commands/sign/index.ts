/**
 * `tacpay sign`: the order API's string-to-sign (spec §1.4) built from `--param`, `--query` or
 * `--params-file`, signed with the merchant private key; or a given signature checked. Registration
 * only: the work (sign/run.ts) needs node:crypto, which `tacpay --help` must not load.
 */
import type { Command } from 'commander';
import { configOption } from '../../flags.js';
import { action, examples, type App } from '../../kit.js';
import type { Ordered, SignOptions } from './run.js';

const HELP_NOTES = `
Parameters:
  --param, --query and --params-file can be combined and repeated. When two of
  them give the same name, the one later on the command line wins (a note says
  which). A "sign" parameter in the input is left out of the string-to-sign.
  --query decodes percent-escapes as UTF-8 and keeps "+" as a plus, as the
  sandbox reads a query string (write %20 for a space); what was decoded is shown. In a JSON file,
  numbers and booleans are signed as written by JSON, arrays and objects as
  compact JSON, and null values are left out.

Secrets:
  The offerKey and private key are never printed. The string-to-sign ends in
  <offerKey: N chars>; its SHA-256 (offerKey included) lets you compare with
  your own implementation. Prefer TACPAY_OFFER_KEY and TACPAY_PRIVATE_KEY, or
  tacpay.config.json, to flags: command lines show in process lists.

Verifying:
  --verify <sign> checks a signature with --public-key (or the private key's
  public half). When it fails, tacpay rebuilds the string the ways
  implementations commonly get it wrong (encoded values, "&" or "&key=" before
  the offerKey, wrong sort, sign included, SHA-1, ...) and names the one that
  matches. A sign whose "+" became spaces, or that is URL-safe or
  percent-encoded, is repaired first (and you are told).

Exit codes: 0 signed or verified, 1 does not verify or invalid input, 2 usage error.
`;

/** Registers `tacpay sign`; the work is in sign/run.ts, imported when the command runs. */
export function registerSign(program: Command, app: App): void {
  // Position on the command line of each input flag, so that the later of two sources wins.
  let seq = 0;
  const collect = (value: string, previous: Ordered[] | undefined): Ordered[] => [...(previous ?? []), { seq: seq++, value }];
  const cmd = program
    .command('sign')
    .description('build the string-to-sign of an order API request, sign it, or check a signature (and say what went wrong)')
    .option('--param <name=value>', 'a parameter (repeatable); split at the first "=", the value may be empty', collect)
    .option('--query <string>', 'parameters as a query string, e.g. "amount=1&user_id=abc" ("+" is a plus, as the sandbox reads it)', collect)
    .option('--params-file <file>', 'parameters as a JSON object in a file, or - for stdin', collect);
  // The config-backed two spelled from the option table (config/options.ts).
  configOption(cmd, 'offerKey', { description: 'the offerKey appended to the string (prefer TACPAY_OFFER_KEY)' });
  configOption(cmd, 'privateKey', { placeholder: 'file|-|key', description: 'merchant RSA private key: file, - for stdin, or the key (prefer TACPAY_PRIVATE_KEY)' });
  cmd
    .option('--verify <sign>', 'check this signature instead of (or as well as) signing')
    .option('--public-key <file|->', 'public key that checks --verify (default: the private key\'s public half)')
    .addHelpText('after', HELP_NOTES)
    .action(action<SignOptions>(app, async (opts, ctx) => (await import('./run.js')).runSignCommand(opts, ctx)));
  examples(cmd, [
    'export TACPAY_OFFER_KEY=... TACPAY_PRIVATE_KEY=merchant.key',
    'tacpay sign --param amount=1 --param user_id=rickenwang --param ts=1519669241',
    'tacpay sign --params-file order.json --json',
    'tacpay sign --query "amount=1&user_id=rickenwang&ts=1519669241" --private-key merchant.key',
    'tacpay sign --params-file order.json --verify "Pfxjsp...==" --public-key merchant.pub.pem',
  ]);
}
