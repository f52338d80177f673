/**
 * `tacpay sandbox start`: the local OpenMidas-compatible server in the foreground. It prints one
 * ready line (one JSON event with --json) once it listens and the ready file is written, so scripts
 * can wait on either; it runs until SIGINT or SIGTERM and then shuts down cleanly: the ready file
 * goes, in-flight requests finish, the database closes. Every committed order survives even a
 * kill -9 (WAL; see sandbox/store.ts).
 */
import type { Command } from 'commander';
import { action, examples, type App } from '../../kit.js';
import { dataOption } from '../../flags.js';
import { DEFAULT_PORT } from '../../listen-address.js';
import type { StartOptions } from './start-run.js';

/** Registers `tacpay sandbox start`; serving (sandbox/start-run.ts) is imported when it runs. */
export function registerSandboxStart(sandbox: Command, app: App): void {
  const cmd = sandbox
    .command('start')
    .description('run the local sandbox order API in the foreground until Ctrl-C (creates the default merchant on first start)')
    .option('--host <host>', 'address to listen on; anything but loopback exposes an unauthenticated server', '127.0.0.1')
    .option('--port <n>', `port to listen on; 0 picks a free one`, String(DEFAULT_PORT))
    .option('--retry-scale <factor>', 'scale the notification retry schedule 15/15/30/180/1800... s (0.001: 15 ms first retry)');
  dataOption(cmd)
    .addHelpText(
      'after',
      `
Prints one line once it accepts requests:
  tacpay sandbox ready at http://127.0.0.1:4010 (merchant TC..., data DIR)
With --json, exactly one JSON line instead, and nothing else on stdout:
  {"event":"ready","url":...,"pid":...,"offerId":...,"dataDir":...,"platformKeyFingerprint":...}
--verbose prints one line per request on stderr (method, path, api, ret, latency).
SIGINT / SIGTERM stop it cleanly (exit 0); committed data survives even kill -9.`,
    )
    .action(action<StartOptions>(app, async (opts, ctx) => (await import('./start-run.js')).runStart(opts, ctx)));
  examples(cmd, [
    'tacpay sandbox start                              http://127.0.0.1:4010, data in $XDG_DATA_HOME/tacpay/sandbox',
    'tacpay sandbox start --port 0 --json              a free port; wait for the ready event in scripts',
    'tacpay sandbox start --sandbox-dir ./.sandbox --verbose  project-local data; log requests to stderr',
  ]);
}
