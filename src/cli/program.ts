/** The commander program: global options, help style, and every command registered. */
import { Command, Option } from 'commander';
import { examples, type App } from './kit.js';
import { colorLevel } from './output.js';
import { VERSION } from './version.js';
import { commandNamed, registerAll } from './commands/index.js';

/**
 * Builds the program; with `argv`, only the command it names is registered, and for none a shallow
 * list of them all (see registerAll).
 * Output goes through `app.io`, never process.* directly.
 */
export function buildProgram(app: App, argv?: readonly string[]): Command {
  const program = new Command('tacpay')
    .description('Developer toolkit for Tencent Cloud mobile payment (TACPaymentService / OpenMidas):\ndecode pay_info, sign requests, check keys, and more.')
    .version(VERSION, '-V, --version', 'print the version')
    .option('--json', 'print exactly one JSON document on stdout')
    .option('--no-color', 'no colour (also: NO_COLOR=1)')
    .option('-v, --verbose', 'show more detail (secrets stay redacted)')
    .addOption(new Option('--profile <name>', 'use profiles.<name> from the config files').env('TACPAY_PROFILE'))
    .option('--config <file>', 'config file to use instead of the nearest tacpay.config.json')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => app.quietHelp || app.io.stdout.write(s),
      writeErr: (s) => app.quietHelp || app.io.stderr.write(s),
      // Commander's defaults ask process.stdout and process.stderr, which creates them (~2 ms of start-up):
      // the width and colour of our own streams answer the same questions.
      getOutHelpWidth: () => app.io.stdout.columns ?? 80,
      getErrHelpWidth: () => app.io.stderr.columns ?? 80,
      getOutHasColors: () => colorLevel(app.io.env, Boolean(app.io.stdout.isTTY), {}) > 0,
      getErrHasColors: () => colorLevel(app.io.env, Boolean(app.io.stderr.isTTY), {}) > 0,
      // Parse errors are rendered by main.ts (JSON-aware); commander must not print them itself.
      outputError: () => {},
    });
  const named = argv ? commandNamed(argv) : undefined;
  // A run that names no command (root help, --version) lists the commands without their subcommands.
  registerAll(program, app, named, argv !== undefined && named === undefined);
  examples(program, [
    'tacpay decode "data=%7B...%7D&sign=..."      what is inside a pay_info, and does its signature hold',
    'tacpay sign --param amount=1 --param ...     the canonical string-to-sign and its signature',
    'tacpay keys generate --out merchant          a new RSA-2048 key pair',
    'tacpay completion bash >> ~/.bashrc          shell completion',
  ]);
  program.addHelpText('after', '\nExit codes: 0 ok, 1 failed or invalid, 2 usage error, 130 cancelled.\nSections cited as §x (e.g. §7 D1): docs/protocol.md in the tacpay package (npm root -g shows where).\nDocs: https://cloud.tencent.com/document/product/666\n');
  return program;
}
