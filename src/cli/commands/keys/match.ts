/** `tacpay keys match <private> <public>`: registration only; the comparison is in keys/match-run.ts. */
import type { Command } from 'commander';
import { TacpayError } from '../../../errors.js';
import { action, examples, type App } from '../../kit.js';
import { writeJson } from '../../output.js';

/** Registers `tacpay keys match`; the work (keys/match-run.ts) is imported when it runs. */
export function registerKeysMatch(keys: Command, app: App): void {
  const cmd = keys
    .command('match')
    .description('check that a private key and a public key (or certificate) form a pair: fingerprints and a real sign/verify')
    .argument('<private>', 'private key file, or - for stdin')
    .argument('<public>', 'public key or certificate file, or - for stdin')
    .action(
      action<Record<string, never>>(app, async (_opts, ctx, args) => {
        const { runMatch, renderMatch } = await import('./match-run.js');
        const result = await runMatch(args[0]!, args[1]!, ctx);
        if (ctx.json) {
          writeJson(ctx.stdout, result);
          return result.match ? 0 : 1;
        }
        ctx.stdout.write(renderMatch(result, ctx));
        // The verdict is on stdout; the reason and the remedy take the usual error path (exit 1).
        if (!result.match) throw new TacpayError(result.problem ?? 'the keys do not match', result.hint, 'keys.mismatch');
        return 0;
      }),
    );
  examples(cmd, [
    'tacpay keys match tacpay-merchant.key.pem tacpay-merchant.pub.pem',
    'tacpay keys match merchant.key.b64 server/merchant-public.pem --json',
    'pbpaste | tacpay keys match - merchant.pub.pem         private key from the clipboard',
  ]);
}
