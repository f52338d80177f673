/**
 * `tacpay sandbox start`: the local OpenMidas-compatible server in the foreground. It prints one
 * ready line (one JSON event with --json) once it listens and the ready file is written, so scripts
 * can wait on either; it runs until SIGINT or SIGTERM and then shuts down cleanly: the ready file
 * goes, in-flight requests finish, the database closes. Every committed order survives even a
 * kill -9 (WAL; see sandbox/store.ts).
 */
import type { Command } from 'commander';
import { isLoopbackHost } from '../../client/encode.js';
import type { RequestLogRow } from '../../sandbox/store.js';
import type { Ctx } from '../context.js';
import { TacpayError, UsageError } from '../errors.js';
import { action, examples, type App } from '../kit.js';
import { inert } from '../output.js';
import { dataOption, openSandboxStore, pemFingerprint, sandboxDir, shownDir, type DataOptions } from './sandbox-data.js';
import { onStopSignal } from './sandbox-signals.js';

export const DEFAULT_PORT = 4010;
/** How long in-flight requests get to finish after a stop signal before their connections are cut. */
const DRAIN_MS = 3000;

export interface StartOptions extends DataOptions {
  host: string;
  port: string;
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

/** Starts the sandbox and serves until a stop signal; resolves with the exit code (0: a stop is the normal end). */
export async function runStart(opts: StartOptions, ctx: Ctx): Promise<number> {
  const port = parsePort(opts.port);
  const host = opts.host;
  if (!host) throw new UsageError('--host is empty', 'leave it out to listen on 127.0.0.1');
  if (!isLoopbackHost(host)) {
    // Asked for explicitly (the default is loopback): allowed, but the risk must be said.
    ctx.warn(`listening on ${inert(host, { singleLine: true })}, beyond this machine: the sandbox has no authentication, so anyone who can reach the port can create and pay orders as its merchants; use it only on a network you trust`);
  }
  const dir = await sandboxDir(ctx, opts.data);
  const runtime = await import('../../sandbox/runtime.js');
  const other = await runtime.findRunning(dir);
  if (other) ctx.warn(`another sandbox (pid ${other.pid}, ${other.url}) is already serving ${shownDir(dir)}; both will share its data, and the ready file will point here`);

  const store = await openSandboxStore(dir, 'create');
  const { startSandbox } = await import('../../sandbox/server.js');
  const { ensurePlatformKeys } = await import('../../sandbox/merchants.js');
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  try {
    sandbox = await startSandbox({
      store,
      host,
      port,
      now: () => ctx.now(),
      ...(ctx.verbose ? { onRequest: (r: Omit<RequestLogRow, 'id'>) => ctx.stderr.write(requestLine(r)) } : {}),
    });
  } catch (err) {
    store.close();
    throw listenError(err as NodeJS.ErrnoException, host, port) ?? err;
  }

  // The signal listeners go on before the ready line: a script may stop the sandbox as soon as it sees it.
  const stop = onStopSignal();
  const url = clientUrl(sandbox.url);
  const merchant = store.defaultMerchant()!;
  const ready: ReadyEvent = {
    event: 'ready',
    url,
    pid: process.pid,
    offerId: merchant.offer_id,
    dataDir: dir,
    platformKeyFingerprint: pemFingerprint(ensurePlatformKeys(store).publicPem),
  };
  try {
    runtime.writeReady(dir, { url, pid: ready.pid, started: ctx.now().toISOString(), offerId: ready.offerId });
  } catch (err) {
    stop.dispose();
    await sandbox.close();
    store.close();
    throw new TacpayError(`cannot write the ready file in ${shownDir(dir)}: ${(err as Error).message}`, 'check that the data dir is writable and has space');
  }

  // Node writes to pipes and files synchronously on POSIX, so this line has left the process when
  // write() returns: a script reading stdout sees it at once, there is no buffer to flush.
  if (ctx.json) ctx.stdout.write(JSON.stringify(ready) + '\n');
  else ctx.stdout.write(`tacpay sandbox ready at ${url} (merchant ${ready.offerId}, data ${shownDir(dir)})\n`);
  if (!ctx.json) ctx.note('Ctrl-C stops it. Credentials: tacpay sandbox keys; requests: tacpay sandbox log --follow');

  const signal = await stop.stopped;
  ctx.note(`${signal}: stopping the sandbox (finishing requests in flight)`);
  // The ready file goes first, so nobody discovers a sandbox that is about to refuse connections.
  runtime.clearReady(dir, process.pid);
  // Keep-alive clients that never let go must not hold shutdown hostage for long.
  const drain = setTimeout(() => sandbox.server.closeAllConnections(), DRAIN_MS);
  drain.unref();
  await sandbox.close();
  clearTimeout(drain);
  store.close();
  ctx.note('sandbox stopped');
  // Stopped by Ctrl-C or SIGTERM is how a foreground server normally ends: exit 0, not 130.
  return 0;
}

export function registerSandboxStart(sandbox: Command, app: App): void {
  const cmd = sandbox
    .command('start')
    .description('run the local sandbox order API in the foreground until Ctrl-C (creates the default merchant on first start)')
    .option('--host <host>', 'address to listen on; anything but loopback exposes an unauthenticated server', '127.0.0.1')
    .option('--port <n>', `port to listen on; 0 picks a free one`, String(DEFAULT_PORT));
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
    .action(action<StartOptions>(app, (opts, ctx) => runStart(opts, ctx)));
  examples(cmd, [
    'tacpay sandbox start                              http://127.0.0.1:4010, data in $XDG_DATA_HOME/tacpay/sandbox',
    'tacpay sandbox start --port 0 --json              a free port; wait for the ready event in scripts',
    'tacpay sandbox start --data ./.sandbox --verbose  project-local data; log requests to stderr',
  ]);
}
