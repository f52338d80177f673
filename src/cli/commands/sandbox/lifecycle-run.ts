/** The work of `tacpay sandbox status | stop | reset` (registered in sandbox/lifecycle.ts). */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Ctx } from '../../context.js';
import { EXIT } from '../../errors.js';
import { TacpayError, UsageError } from '../../../errors.js';
import { writableOf, writeJson } from '../../output.js';
import { sandboxDir, type DataOptions } from '../../flags.js';
import { shownDir, storeExists, withStore } from '../../../sandbox/index.js';

// The options live here, with the work; sandbox/lifecycle.ts (registration) imports them, never the reverse.
export interface StopOptions extends DataOptions {
  timeout?: string;
}

export interface ResetOptions extends DataOptions {
  all?: boolean;
  yes?: boolean;
}

interface Serving {
  url: string;
  pid: number;
  started: string;
  offerId: string;
}

/** The sandbox serving `dir`, checked twice over: the ready file's pid is alive, and the server at its URL says it is that pid. */
async function serving(dir: string): Promise<Serving | undefined> {
  const { findRunning } = await import('../../../sandbox/runtime.js');
  const info = await findRunning(dir);
  if (!info) return undefined;
  try {
    const health = (await (await fetch(`${info.url}/_sandbox/health`, { signal: AbortSignal.timeout(1000) })).json()) as { pid?: number };
    // An older sandbox does not say its pid; then the ready file's live pid is all there is.
    if (health.pid !== undefined && health.pid !== info.pid) return undefined;
  } catch {
    return undefined;
  }
  return { url: info.url, pid: info.pid, started: info.started, offerId: info.offerId };
}

export async function runStatus(opts: DataOptions, ctx: Ctx): Promise<number> {
  const dir = await sandboxDir(ctx, opts.data);
  const running = await serving(dir);
  const { readReady, pidAlive } = await import('../../../sandbox/runtime.js');
  const ready = readReady(dir);
  const stale = !running && ready ? { pid: ready.pid, url: ready.url, alive: pidAlive(ready.pid) } : undefined;
  const hasStore = await storeExists(dir);
  const counts = hasStore ? await withStore(dir, 'read', (s) => ({ merchants: s.merchants().length, orders: s.countOrders() })) : undefined;
  const doc = { dir, running: Boolean(running), ...(running ?? {}), ...(stale ? { staleReadyFile: stale } : {}), store: { exists: hasStore, ...(counts ?? {}) } };
  if (ctx.json) writeJson(ctx.stdout, doc);
  else {
    const c = ctx.color;
    if (running) ctx.stdout.write(`${c.green('●')} sandbox running at ${running.url} (pid ${running.pid}, since ${running.started}, default merchant ${running.offerId})\n`);
    else ctx.stdout.write(`${c.dim('○')} no sandbox is running on ${shownDir(dir)}\n`);
    ctx.stdout.write(`  data      ${shownDir(dir)}\n`);
    ctx.stdout.write(`  store     ${counts ? `${counts.merchants} merchant(s), ${counts.orders} order(s)` : 'none yet (made on first start)'}\n`);
    if (stale) ctx.stdout.write(`  ${c.yellow('stale')}     the ready file names pid ${stale.pid} at ${stale.url}, which ${stale.alive ? 'does not answer as a sandbox' : 'is no longer running'}; the next start replaces it\n`);
    if (!running) ctx.stderr.write(`${ctx.colorErr.dim(`start one with: tacpay sandbox start --sandbox-dir ${shownDir(dir)}`)}\n`);
  }
  return running ? EXIT.ok : EXIT.failed;
}

export async function runStop(opts: StopOptions, ctx: Ctx): Promise<number> {
  const dir = await sandboxDir(ctx, opts.data);
  const seconds = Number(opts.timeout ?? '10');
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) throw new UsageError(`--timeout must be a number of seconds from 0 to 3600, not ${JSON.stringify(opts.timeout)}`);
  const { readReady, clearReady, pidAlive } = await import('../../../sandbox/runtime.js');
  const running = await serving(dir);
  if (!running) {
    // A ready file left by a sandbox that died (kill -9) is cleared, so it misleads nobody.
    const ready = readReady(dir);
    const cleared = ready !== undefined && !pidAlive(ready.pid);
    if (cleared) clearReady(dir, ready.pid);
    if (ctx.json) writeJson(ctx.stdout, { dir, stopped: false, running: false, ...(cleared ? { clearedStaleReadyFile: true } : {}) });
    else ctx.stdout.write(`no sandbox is running on ${shownDir(dir)}: nothing to stop${cleared ? ' (removed the ready file a killed one left)' : ''}\n`);
    return EXIT.ok;
  }
  process.kill(running.pid, 'SIGTERM');
  const deadline = Date.now() + seconds * 1000;
  while (pidAlive(running.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (pidAlive(running.pid)) {
    throw new TacpayError(`the sandbox (pid ${running.pid}) is still running ${seconds} s after SIGTERM`, `it may be finishing long requests; wait, or end it with kill -9 ${running.pid} (committed data survives)`, 'still-running');
  }
  if (ctx.json) writeJson(ctx.stdout, { dir, stopped: true, running: false, pid: running.pid, url: running.url });
  else ctx.stdout.write(`${ctx.color.green('✓')} stopped the sandbox at ${running.url} (pid ${running.pid})\n`);
  return EXIT.ok;
}

export async function runReset(opts: ResetOptions, ctx: Ctx): Promise<number> {
  const dir = await sandboxDir(ctx, opts.data);
  const running = await serving(dir);
  if (running) throw new TacpayError(`a sandbox is serving ${shownDir(dir)} (pid ${running.pid}, ${running.url}): reset would pull its data from under it`, `stop it first: tacpay sandbox stop --sandbox-dir ${shownDir(dir)}`, 'running');
  if (!(await storeExists(dir))) {
    if (ctx.json) writeJson(ctx.stdout, { dir, reset: false, reason: 'no store' });
    else ctx.stdout.write(`nothing to reset: no sandbox data at ${shownDir(dir)}\n`);
    return EXIT.ok;
  }
  const what = opts.all ? `delete the whole sandbox store in ${shownDir(dir)}: merchants, their keys and offerKeys, the platform key, and every order` : `forget every order, refund, notification, hosted account and logged request in ${shownDir(dir)} (merchants and keys stay)`;
  let go = Boolean(opts.yes);
  if (!go && ctx.interactive) {
    const { default: confirm } = (await ctx.importModule('@inquirer/confirm')) as typeof import('@inquirer/confirm');
    go = await confirm({ message: `${what[0]!.toUpperCase()}${what.slice(1)}?`, default: false }, { input: ctx.stdin as NodeJS.ReadableStream, output: writableOf(ctx.stderr) });
    if (!go) throw new TacpayError('nothing was reset (not confirmed)', undefined, 'not-confirmed');
  }
  if (!go) throw new UsageError(`sandbox reset would ${what}, and there is no terminal to confirm on`, 'add --yes to reset without asking');
  if (opts.all) {
    const { DB_FILE } = await import('../../../sandbox/store.js');
    for (const f of [DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`]) rmSync(join(dir, f), { force: true });
    if (ctx.json) writeJson(ctx.stdout, { dir, reset: true, all: true });
    else ctx.stdout.write(`${ctx.color.green('✓')} deleted the sandbox store in ${shownDir(dir)}; the next command makes a new one with new keys (backends need them: tacpay sandbox keys)\n`);
    return EXIT.ok;
  }
  const removed = await withStore(dir, 'existing', (s) => s.clearActivity());
  if (ctx.json) writeJson(ctx.stdout, { dir, reset: true, all: false, removed });
  else ctx.stdout.write(`${ctx.color.green('✓')} reset ${shownDir(dir)}: ${removed.orders} order(s), ${removed.refunds} refund(s), ${removed.deliveries} notification(s), ${removed.requests} logged request(s) removed; merchants and keys kept\n`);
  return EXIT.ok;
}
