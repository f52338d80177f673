/**
 * `tacpay sandbox status | stop | reset`: is a sandbox serving this data dir, stop it, start over.
 * A sandbox runs in the foreground of some terminal (or a CI step's background job); these let
 * another shell or a script manage it through the data dir's ready file, without hunting for a pid.
 */
import type { Command } from 'commander';
import { action, examples, type App } from '../../kit.js';
import { dataOption, type DataOptions } from '../../flags.js';
import type { ResetOptions, StopOptions } from './lifecycle-run.js';

export function registerSandboxLifecycle(sandbox: Command, app: App): void {
  const status = sandbox.command('status').description('is a sandbox serving the data dir: its URL, pid, merchant and how much it holds (exit 1 when none runs)');
  dataOption(status).action(
    action<DataOptions>(app, async (opts, ctx) => {
      const { runStatus } = await import('./lifecycle-run.js');
      return runStatus(opts, ctx);
    }),
  );
  examples(status, ['tacpay sandbox status', 'tacpay sandbox status --json --sandbox-dir ./.sandbox']);

  const stop = sandbox
    .command('stop')
    .description('stop the sandbox serving the data dir (SIGTERM, as Ctrl-C would), and wait until it is gone; nothing running is not an error')
    .option('--timeout <seconds>', 'how long to wait for it to finish requests in flight', '10');
  dataOption(stop).action(
    action<StopOptions>(app, async (opts, ctx) => {
      const { runStop } = await import('./lifecycle-run.js');
      return runStop(opts, ctx);
    }),
  );
  examples(stop, ['tacpay sandbox stop', 'tacpay sandbox stop --sandbox-dir ./.sandbox --json']);

  const reset = sandbox
    .command('reset')
    .description('forget every order, refund, notification, hosted account and logged request; merchants and keys stay (--all: delete the whole store)')
    .option('--all', 'also delete the merchants and the platform key: the next start makes new ones, so backends need the new keys')
    .option('-y, --yes', 'do not ask (needed without a terminal)');
  dataOption(reset).action(
    action<ResetOptions>(app, async (opts, ctx) => {
      const { runReset } = await import('./lifecycle-run.js');
      return runReset(opts, ctx);
    }),
  );
  examples(reset, ['tacpay sandbox reset --yes', 'tacpay sandbox reset --all --yes --sandbox-dir ./.sandbox']);
}
