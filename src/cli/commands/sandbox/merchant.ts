/**
 * `tacpay sandbox merchant add|list|set-notify`: the sandbox's merchants. They work whether or not a
 * sandbox is running (the store is SQLite in WAL mode with a busy timeout; the server reads a
 * merchant per request, so changes apply at once). Nothing here prints an offerKey or a private key:
 * `tacpay sandbox keys` is the one place that does, on request.
 */
import type { Command } from 'commander';
import { action, examples, type App } from '../../kit.js';
import { writeJson } from '../../output.js';
import { inert } from '../../../core/inert.js';
import { dataOption, type DataOptions } from '../../flags.js';
import type { AddOptions } from './merchant-run.js';

/** Registers `tacpay sandbox merchant add|list|set-notify`; the work (sandbox/merchant-run.ts) is imported when they run. */
export function registerSandboxMerchant(sandbox: Command, app: App): void {
  const merchant = sandbox.command('merchant').description('add and list sandbox merchants (offerId, offerKey, RSA key pair), set their notify URL');
  examples(merchant, ['tacpay sandbox merchant add --notify-url http://127.0.0.1:3000/notify', 'tacpay sandbox merchant list', 'tacpay sandbox merchant set-notify TC100008 none']);

  const add = merchant
    .command('add')
    .description('register a merchant: generated offerId, offerKey and key pair unless given')
    .option('--offer-id <offerId>', 'offerId to use (TC + digits); default: a fresh TC + 6 digits')
    .option('--offer-key <key>', 'offerKey to use; default: 32 random letters and digits')
    .option('--public-key <file>', 'register this public key instead of generating a pair (the sandbox then cannot sign for the merchant)')
    .option('--notify-url <url>', 'where the sandbox POSTs payment notifications (http or https)')
    .option('--bits <n>', 'size of a generated key', '2048');
  dataOption(add).action(
    action<AddOptions>(app, async (opts, ctx) => {
      const { runMerchantAdd, renderAdded } = await import('./merchant-run.js');
      const result = await runMerchantAdd(opts, ctx);
      if (ctx.json) writeJson(ctx.stdout, result);
      else ctx.stdout.write(renderAdded(result, ctx));
    }),
  );
  examples(add, [
    'tacpay sandbox merchant add                                  fresh offerId, offerKey and RSA-2048 pair',
    'tacpay sandbox merchant add --offer-id TC100008 --notify-url http://127.0.0.1:3000/notify',
    'tacpay sandbox merchant add --public-key merchant.pub.pem    your own key pair (keep the private half yourself)',
  ]);

  const list = merchant.command('list').description('list the merchants: offerId, default, notify URL, key fingerprint, created (never a secret)');
  dataOption(list).action(
    action<DataOptions>(app, async (opts, ctx) => {
      const { runMerchantList, renderList } = await import('./merchant-run.js');
      const result = await runMerchantList(opts, ctx);
      if (ctx.json) writeJson(ctx.stdout, result);
      else ctx.stdout.write(renderList(result, ctx));
    }),
  );
  examples(list, ['tacpay sandbox merchant list', 'tacpay sandbox merchant list --json --sandbox-dir ./.sandbox']);

  const setNotify = merchant
    .command('set-notify')
    .description('set (or with "none", clear) the URL a merchant receives payment notifications at')
    .argument('<offerId>', 'the merchant (tacpay sandbox merchant list)')
    .argument('<url>', 'http(s) URL, or none');
  dataOption(setNotify).action(
    action<DataOptions>(app, async (opts, ctx, args) => {
      const { runSetNotify } = await import('./merchant-run.js');
      const result = await runSetNotify(args[0]!, args[1]!, opts, ctx);
      if (ctx.json) writeJson(ctx.stdout, result);
      else ctx.stdout.write(result.notifyUrl ? `notify URL of ${result.offerId} set to ${inert(result.notifyUrl, { singleLine: true })}\n` : `notify URL of ${result.offerId} cleared\n`);
    }),
  );
  examples(setNotify, ['tacpay sandbox merchant set-notify TC100008 http://127.0.0.1:3000/tacpay/notify', 'tacpay sandbox merchant set-notify TC100008 none']);
}
