/**
 * `tacpay decode <pay_info | ->`: registration only. The work (decode/run.ts) and its rendering
 * (decode/render.ts) are imported when the command runs: `tacpay --help` must not pay for the
 * pay_info parser, and a key-less decode must not pay for node:crypto.
 */
import type { Command } from 'commander';
import { action, examples, type App } from '../../kit.js';
import type { DecodeOptions } from './run.js';

export function registerDecode(program: Command, app: App): void {
  const cmd = program
    .command('decode')
    .description('show what a pay_info holds, judge every part, and check its signature (scheme assumed, §7 D1)')
    .argument('[pay_info]', 'the pay_info string (data=...&sign=...), or - to read one from stdin')
    .option('--public-key <file|->', 'platform public key that verifies the sign (default: platformPublicKey from config)')
    .option('--expect-appid <offerId>', 'data.appid must equal this offerId (default: the offerId setting, only when one is set)')
    .option('--expect-fingerprint <SHA256:...>', 'fingerprint of the key that should have signed: shown next to the key given when the check fails')
    .option('--file <file>', 'batch: judge one pay_info per line of <file> (- for stdin); NDJSON out')
    .option('--batch', 'batch: judge one pay_info per line of stdin; NDJSON out')
    .option('--workers <n>', 'batch: worker threads (0 = main thread only; default: one per core but one, at once for a file over 1 MB, after 2,000 lines for a stream; the main thread judges too)')
    .action(action<DecodeOptions>(app, async (opts, ctx, args) => (await import('./run.js')).runDecodeCommand(opts, ctx, args[0])));
  examples(cmd, [
    'tacpay decode "data=%7B...%7D&sign=..."                 fields, issues, signature status',
    'pbpaste | tacpay decode - --public-key platform.pem      one pay_info from stdin',
    'tacpay decode --json "$PAY_INFO" | jq .valid',
    'tacpay decode --file pay_infos.txt --public-key platform.pem > report.ndjson',
  ]);
  cmd.addHelpText(
    'after',
    `With -, exactly one trailing newline ends the input; other whitespace or quotes are judged.
--expect-appid falls back to the offerId setting (TACPAY_OFFER_ID or a config file) only when one is
set; with neither, appid is checked for form (TC + digits) only.
Batch output is NDJSON on stdout, one record per input line, in input order:
  {"line":1,"valid":true,"out_trade_no":"...","issues":[...],"signature":{"status":"verified",...}}
The summary goes to stderr. A line longer than 64 KiB gets a line.too-long record.
Exit codes: 0 valid, 1 invalid (an error issue, or the signature failed), 2 usage error.
`,
  );
}
