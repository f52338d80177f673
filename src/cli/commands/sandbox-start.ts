/**
 * `tacpay sandbox start`: the local OpenMidas-compatible server in the foreground. It prints one
 * ready line (one JSON event with --json) once it listens and the ready file is written, so scripts
 * can wait on either; it runs until SIGINT or SIGTERM and then shuts down cleanly: the ready file
 * goes, in-flight requests finish, the database closes. Every committed order survives even a
 * kill -9 (WAL; see sandbox/store.ts).
 */
import type { Command } from 'commander';
import type { RequestLogRow } from '../../sandbox/store.js';
import { TacpayError, UsageError } from '../errors.js';
import { action, examples, type App } from '../kit.js';
import { inert } from '../output.js';
import { dataOption, type DataOptions } from './sandbox-data.js';

export const DEFAULT_PORT = 4010;

export interface StartOptions extends DataOptions {
  host: string;
  port: string;
  /** Scales the notification retry schedule (spec §3.1), e.g. 0.001 for tests. */
  retryScale?: string;
}

/** The event `--json` prints once, on one line, when the sandbox accepts requests. */
export interface ReadyEvent {
  event: 'ready';
  url: string;
  pid: number;
  offerId: string;
  dataDir: string;
  platformKeyFingerprint: string;
}

/** `--port` as a TCP port; 0 asks the system for a free one. */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d{1,5}$/.test(value) || n > 65535) {
    throw new UsageError(`--port must be a number from 0 to 65535, not "${inert(value, { singleLine: true })}"`, '--port 0 picks a free port (the ready line says which)');
  }
  return n;
}

/** Where clients reach a server bound to `url`: a wildcard bind is reachable on loopback, and only loopback URLs are trusted in the ready file. */
export function clientUrl(url: string): string {
  const u = new URL(url);
  if (u.hostname === '0.0.0.0') u.hostname = '127.0.0.1';
  else if (u.hostname === '[::]') u.hostname = '[::1]';
  return u.origin;
}

/** Binding failures as one line naming the address, with what to do instead. */
export function listenError(err: NodeJS.ErrnoException, host: string, port: number): TacpayError | undefined {
  const where = `${host}:${port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return new TacpayError(`port ${port} on ${host} is already in use`, 'another program (perhaps another sandbox) holds it: use --port 0 for a free port, or --port <another>', 'port-in-use');
    case 'EACCES':
    case 'EPERM':
      return new TacpayError(`no permission to listen on ${where}`, 'ports below 1024 need privileges: use --port 0 for a free port, or a port above 1023', 'port-denied');
    case 'EADDRNOTAVAIL':
      return new TacpayError(`cannot listen on ${where}: ${host} is not an address of this machine`, 'use --host 127.0.0.1 (the default)', 'bad-host');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new TacpayError(`cannot listen on ${where}: the host name ${host} does not resolve`, 'use --host 127.0.0.1 (the default) or an IP address of this machine', 'bad-host');
    default:
      return undefined;
  }
}

/** One stderr line per request for --verbose: method, path, api, ret, latency. */
export function requestLine(r: Omit<RequestLogRow, 'id'>): string {
  const time = r.at.slice(11, 23);
  const ret = r.ret === null ? `HTTP ${r.status}` : `ret ${r.ret}`;
  return `${time} ${r.method} ${inert(r.path, { singleLine: true })} ${r.api ?? '-'} ${ret} ${r.latency_ms.toFixed(1)}ms\n`;
}

/** Registers `tacpay sandbox start`; serving (sandbox-start-run.ts) is imported when it runs. */
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
    .action(action<StartOptions>(app, async (opts, ctx) => (await import('./sandbox-start-run.js')).runStart(opts, ctx)));
  examples(cmd, [
    'tacpay sandbox start                              http://127.0.0.1:4010, data in $XDG_DATA_HOME/tacpay/sandbox',
    'tacpay sandbox start --port 0 --json              a free port; wait for the ready event in scripts',
    'tacpay sandbox start --sandbox-dir ./.sandbox --verbose  project-local data; log requests to stderr',
  ]);
}
