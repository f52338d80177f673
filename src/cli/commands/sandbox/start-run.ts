/** The work of `tacpay sandbox start`: serve in the foreground until a stop signal, then shut down cleanly. */
import { existsSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { isLoopbackHost } from '../../../client/encode.js';
import type { RequestLogRow } from '../../../sandbox/store.js';
import type { Ctx } from '../../context.js';
import { TacpayError, UsageError } from '../../../errors.js';
import { inert } from '../../../core/inert.js';
import { sandboxDir, type DataOptions } from '../../flags.js';
import { openSandboxStore, pemFingerprint, shownDir } from '../../../sandbox/index.js';
import { onStopSignal } from '../../stop-signal.js';
import { clientUrl, listenError, parsePort, requestLine } from '../../listen-address.js';

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
  /** The dashboard (orders, requests, notifications; the Web SDK cashier is under /openmidas/). */
  dashboardUrl: string;
}

/** How long in-flight requests get to finish after a stop signal before their connections are cut. */
const DRAIN_MS = 3000;

/**
 * The sandbox signs every pay_info on libuv's thread pool, 4 threads by default whatever the
 * machine. It gets one thread per core (at least 2) instead: on two cores the extra pool threads
 * only took turns with the HTTP thread (the bench measured the cores 85-87% busy with four, 93-94%
 * with two, and more orders a second), and on a bigger machine four would leave cores idle. libuv
 * reads UV_THREADPOOL_SIZE when the pool first starts (the first signature, later than this; nothing
 * before this point uses the pool); a value the user set is kept.
 */
function signingThreadsPerCore(): void {
  if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = String(Math.max(2, availableParallelism()));
}

/** The outermost directory of `dir`'s path that does not exist yet (what creating `dir` creates), if any. */
function topMissing(dir: string): string | undefined {
  let missing: string | undefined;
  for (let d = dir; !existsSync(d); d = dirname(d)) {
    missing = d;
    if (dirname(d) === d) break;
  }
  return missing;
}

/** Starts the sandbox and serves until a stop signal; resolves with the exit code (0: a stop is the normal end). */
export async function runStart(opts: StartOptions, ctx: Ctx): Promise<number> {
  signingThreadsPerCore();
  const port = parsePort(opts.port);
  const host = opts.host;
  if (!host) throw new UsageError('--host is empty', 'leave it out to listen on 127.0.0.1');
  if (!isLoopbackHost(host)) {
    // Asked for explicitly (the default is loopback): allowed, but the risk must be said.
    ctx.warn(`listening on ${inert(host, { singleLine: true })}, beyond this machine: the sandbox has no authentication, so anyone who can reach the port can create and pay orders as its merchants; use it only on a network you trust`);
  }
  const dir = await sandboxDir(ctx, opts.data);
  const runtime = await import('../../../sandbox/runtime.js');
  const other = await runtime.findRunning(dir);
  if (other) ctx.warn(`another sandbox (pid ${other.pid}, ${other.url}) is already serving ${shownDir(dir)}; both will share its data; the ready file points here until this one stops, then back at it`);

  const { retryScaleOption } = await import('../../flags.js');
  const retryScale = await retryScaleOption(opts.retryScale);
  // A data dir this run creates goes again if the sandbox cannot start (a busy port, say): a failed
  // start must not leave a fresh store with new keys behind. An existing one is never touched.
  const createdDir = topMissing(dir);
  const store = await openSandboxStore(dir, 'create');
  const { startSandbox } = await import('../../../sandbox/server.js');
  const { ensurePlatformKeys } = await import('../../../sandbox/merchants.js');
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  try {
    sandbox = await startSandbox({
      store,
      host,
      port,
      now: () => ctx.now(),
      notify: { retryScale },
      ...(ctx.verbose ? { onRequest: (r: Omit<RequestLogRow, 'id'>) => ctx.stderr.write(requestLine(r)) } : {}),
    });
  } catch (err) {
    store.close();
    if (createdDir) rmSync(createdDir, { recursive: true, force: true });
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
    dashboardUrl: `${url}/`,
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
  if (!ctx.json) ctx.note(`Dashboard: ${url}/ (Web SDK: ${url}/openmidas/jsapi/openMidas.js). Ctrl-C stops it. Credentials: tacpay sandbox keys; requests: tacpay sandbox log --follow`);

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
