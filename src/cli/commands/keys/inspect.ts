/** `tacpay keys inspect <file | ->`: registration only; reading and describing the key is in keys/inspect-run.ts. */
import type { Command } from 'commander';
import { action, examples, type App } from '../../kit.js';
import { writeJson } from '../../output.js';

/** Registers `tacpay keys inspect`; the work (keys/inspect-run.ts) is imported when it runs. */
export function registerKeysInspect(keys: Command, app: App): void {
  const cmd = keys
    .command('inspect')
    .description('show what a key file holds: kind, format, size, fingerprint and its public half (never the private key)')
    .argument('<file>', 'key file (PEM, bare Base64, DER or certificate), or - to read stdin')
    .action(
      action<Record<string, never>>(app, async (_opts, ctx, args) => {
        const { runInspect, renderInspect } = await import('./inspect-run.js');
        const result = await runInspect(args[0]!, ctx);
        if (ctx.json) writeJson(ctx.stdout, result);
        else ctx.stdout.write(renderInspect(result, ctx));
      }),
    );
  examples(cmd, [
    'tacpay keys inspect tacpay-merchant.key.pem      kind, size, fingerprint, public half',
    'pbpaste | tacpay keys inspect -                  a key copied from the console',
    'tacpay keys inspect merchant.pub.pem --json      machine-readable',
  ]);
}
