/** `tacpay keys generate`: registration only; generating and writing the pair is in keys/generate-run.ts. */
import type { Command } from 'commander';
import { action, examples, type App } from '../../kit.js';
import { writeJson } from '../../output.js';
import { DEFAULT_PREFIX, KEY_SIZES, type GenerateOptions } from './generate-options.js';

/** Registers `tacpay keys generate`; the work (keys/generate-run.ts) is imported when it runs. */
export function registerKeysGenerate(keys: Command, app: App): void {
  const cmd = keys
    .command('generate')
    .description('generate an RSA key pair: <prefix>.key.pem, <prefix>.key.b64 (private, mode 0600) and <prefix>.pub.pem')
    .option('--bits <n>', `key size: ${KEY_SIZES.join(', ')}`, '2048')
    .option('--out <prefix>', `path prefix of the files (a directory gets ${DEFAULT_PREFIX}.* inside it)`, DEFAULT_PREFIX)
    .option('--force', 'replace existing files (the old private key is lost)')
    .action(
      action<GenerateOptions>(app, async (opts, ctx) => {
        const { runGenerate, renderGenerate } = await import('./generate-run.js');
        const result = await runGenerate(opts, ctx);
        if (ctx.json) writeJson(ctx.stdout, result);
        else ctx.stdout.write(renderGenerate(result, ctx));
      }),
    );
  examples(cmd, [
    'tacpay keys generate                              tacpay-merchant.{key.pem,key.b64,pub.pem} here',
    'tacpay keys generate --out keys/shop --bits 3072  keys/shop.key.pem, ...',
    'tacpay keys generate --bits 512                   the size the official demo uses (weak)',
    'tacpay keys generate --force --json               replace existing files; machine-readable',
  ]);
}
