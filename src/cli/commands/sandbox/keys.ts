/**
 * `tacpay sandbox keys`: the platform public key and one merchant's credentials (offerId, offerKey,
 * private key). This is the one command that prints secrets, on explicit request and after a
 * warning; `--dotenv` writes them as a `.env` a backend can load (mode 0600, never over an
 * existing file without --force). They are sandbox secrets, worthless outside the sandbox, but a
 * habit of printing keys is not one to teach, hence the warning every time.
 *
 * The flag is `--dotenv`, not `--env-file`: Node takes `--env-file <path>` from anywhere on its
 * command line, even after the script (nodejs/node#54232), and exits 9 before tacpay runs when the
 * file does not exist yet, which is exactly when one asks for it to be written.
 */
import type { Command } from 'commander';
import { UsageError } from '../../../errors.js';
import { action, examples, type App } from '../../kit.js';
import { writeJson } from '../../output.js';
import { dataOption } from '../../flags.js';
import type { KeysOptions } from './keys-run.js';

/** Registers `tacpay sandbox keys`; the work (sandbox/keys-run.ts) is imported when it runs. */
export function registerSandboxKeys(sandbox: Command, app: App): void {
  const cmd = sandbox
    .command('keys')
    .description("print the platform public key and a merchant's credentials (offerId, offerKey, private key): the one command that shows secrets")
    .option('--offer-id <offerId>', 'which merchant (default: the default merchant, created if the sandbox is new)')
    .option('--dotenv [path]', 'write TACPAY_* variables as a .env file (mode 0600; default path .env); - prints it instead')
    .option('--force', 'let --dotenv replace an existing file')
    .option('--format <form>', 'how keys are printed: pem (default) or base64 (bare PKCS#8/SPKI, as the documents and the Java/PHP demos take them); --json has both')
    .addHelpText('after', '\n--dotenv, not --env-file: Node itself takes --env-file from any command line (nodejs/node#54232).');
  dataOption(cmd).action(
    action<KeysOptions>(app, async (opts, ctx) => {
      const format = opts.format ?? 'pem';
      if (format !== 'pem' && format !== 'base64') throw new UsageError(`--format ${JSON.stringify(format).slice(0, 40)}: use pem or base64`, 'tacpay sandbox keys --format base64 prints the bare Base64 keys the demos load');
      const { runKeys, renderKeys, SECRETS_WARNING } = await import('./keys-run.js');
      ctx.warn(SECRETS_WARNING);
      const result = await runKeys(opts, ctx);
      if (ctx.json) writeJson(ctx.stdout, result);
      else ctx.stdout.write(renderKeys(result, ctx, format));
    }),
  );
  examples(cmd, [
    'tacpay sandbox keys                               platform key and the default merchant\'s credentials',
    'tacpay sandbox keys --dotenv .env                 TACPAY_OFFER_ID, _OFFER_KEY, _PRIVATE_KEY, _PLATFORM_PUBLIC_KEY, _BASE_URL',
    'tacpay sandbox keys --offer-id TC100008 --dotenv - > backend/.env',
    'tacpay sandbox keys --json | jq -r .merchant.offerKey',
    'tacpay sandbox keys --format base64               the bare Base64 keys the Java and PHP demos load',
  ]);
}
