/**
 * `tacpay listen`: a local notify receiver, to watch what the sandbox sends before a backend
 * exists. Each notification is verified (§7 D2 with the sandbox platform key and the merchant's
 * offerKey, ts within ±300 s), printed, and answered {"ret":0,"msg":"ok"}, or refused with the
 * reason ({"ret":-1,...}; always with --fail, to watch the retries). It prints one ready line (one
 * JSON event with --json) once it listens, so scripts can wait on it, and stops cleanly on SIGINT or
 * SIGTERM. --register points the merchant's notify URL here while it runs, and puts back what it
 * replaced if the URL is still its own (listen/register.ts keeps the record); registrations left by
 * killed listens are found and reported at start. What arrives is untrusted: the receiver bounds
 * it (notify-receiver.ts), and the printout makes it inert (listen/render.ts).
 */
import type { Command } from 'commander';
import { isLoopbackHost } from '../../../client/encode.js';
import type { KeyObject } from 'node:crypto';
import type { Receiver, ReceiverOptions } from '../../../sandbox/notify-receiver.js';
import type { Store } from '../../../sandbox/store.js';
import type { Ctx } from '../../context.js';
import { Cancelled, TacpayError, UsageError } from '../../../errors.js';
import { action, examples, type App } from '../../kit.js';
import { inert } from '../../../core/inert.js';
import type { Registration, Release, StaleRegistration } from './register.js';
import { renderNotification, requestLine, shown, staleLine, toEvent } from './render.js';
import { dataOption, sandboxDir, type DataOptions } from '../../flags.js';
import { onStopSignal } from '../../stop-signal.js';
import { clientUrl, listenError, parsePort } from '../../listen-address.js';

export { renderNotification, toEvent, type NotificationEvent } from './render.js';

export interface ListenOptions extends DataOptions {
  port: string;
  host: string;
  fail?: boolean;
  register?: boolean;
  offerId?: string;
}

export interface ListenReady {
  event: 'ready';
  url: string;
  pid: number;
  dataDir: string;
  platformKeyFingerprint: string;
  /** The merchant whose notify URL now points here (--register). */
  registered: string | null;
  /** What --register replaced, and puts back on stop if the URL is still this listen's. */
  replaced: string | null;
  /** Registrations left by listens that are gone (repaired with --register). */
  stale: StaleRegistration[];
}

/** The last line with --json, once stopped by a signal. */
export interface ListenStopped {
  event: 'stopped';
  signal: NodeJS.Signals;
  notifications: number;
  register: Release | null;
}

/** How long a stale-registration probe waits for a listen's answer: it is on loopback, so a live one answers in milliseconds. */
const PROBE_MS = 1000;
/** Connections dropped over the cap are reported at most this often. */
const DROP_REPORT_MS = 10_000;

/**
 * A stderr warning about something that may come in floods (dropped connections, malformed
 * requests): the first at once, then at most one line per `everyMs`, counting what it stands for.
 */
function throttled(ctx: Ctx, everyMs: number): (line: (n: number) => string) => void {
  let pending = 0;
  let last = -Infinity;
  return (line) => {
    pending++;
    if (Date.now() - last < everyMs) return;
    last = Date.now();
    ctx.stderr.write(`${ctx.colorErr.yellow('warning:')} ${line(pending)}\n`);
    pending = 0;
  };
}

/** How the receiver verifies (the merchants read per notification), answers and reports, for this command's flags. */
function receiverOptions(opts: ListenOptions, ctx: Ctx, store: Store, platformPublicKey: KeyObject): Omit<ReceiverOptions, 'host' | 'port'> {
  const dropped = throttled(ctx, DROP_REPORT_MS);
  const malformed = throttled(ctx, DROP_REPORT_MS);
  return {
    now: () => ctx.now(),
    identify: true,
    // Only counted: a listen may run for days, and a flood must not fill its memory.
    retain: 0,
    // Merchants are read per notification: one added while listening is known at once.
    keysFor: (appid) => {
      const m = store.merchant(appid);
      return m ? { offerKey: m.offer_key, platformPublicKey } : undefined;
    },
    ...(opts.fail ? { replyTo: () => ({ ret: -1, msg: 'tacpay listen --fail: refusing on purpose' }) } : {}),
    onNotification: (r) => {
      const e = toEvent(r);
      ctx.stdout.write(ctx.json ? JSON.stringify(e) + '\n' : renderNotification(e, r.raw, ctx));
    },
    ...(ctx.verbose ? { onRequest: (r) => ctx.stderr.write(requestLine(r)) } : {}),
    onDropped: (cap) => dropped((n) => `closed ${n} connection${n === 1 ? '' : 's'} over the cap of ${cap} open at once (someone is flooding the port)`),
    onMalformed: (m) => malformed((n) => `refused ${n} malformed HTTP request${n === 1 ? '' : 's'} (the last from ${shown(m.remote, 64)}: ${m.status}, ${m.reason})`),
    onError: (err) => ctx.stderr.write(`${ctx.colorErr.yellow('warning:')} a request could not be handled in full: ${shown(String((err as Error)?.message ?? err), 200)}\n`),
  };
}

/** The host checked, the sandbox store opened (writable only to register), its platform key and the merchant to register. */
async function openListenStore(opts: ListenOptions, ctx: Ctx) {
  if (!opts.host) throw new UsageError('--host is empty', 'leave it out to listen on 127.0.0.1');
  if (!isLoopbackHost(opts.host)) {
    // The same warning as sandbox start --host: allowed when asked for, but the risk must be said.
    ctx.warn(`listening on ${inert(opts.host, { singleLine: true })}, beyond this machine: the receiver has no authentication, so anyone who can reach the port can send it requests (each is verified, and printed here); use it only on a network you trust`);
  }
  const { noSandboxData, openSandboxStore, pickMerchant, shownDir, storeExists } = await import('../../../sandbox/index.js');
  const dir = await sandboxDir(ctx, opts.data);
  if (!(await storeExists(dir))) throw noSandboxData(dir);
  const store = await openSandboxStore(dir, opts.register ? 'existing' : 'read');
  try {
    const publicPem = store.getMeta('platform_public_key');
    if (!publicPem) throw new TacpayError(`the sandbox at ${shownDir(dir)} has no platform key yet`, 'run tacpay sandbox start (or tacpay sandbox keys) once');
    const merchant = opts.register ? pickMerchant(store, dir, opts.offerId) : undefined;
    const { createPublicKey } = await import('node:crypto');
    return { dir, store, publicPem, merchant, platformPublicKey: createPublicKey(publicPem) };
  } catch (err) {
    store.close();
    throw err;
  }
}

/** What became of the merchant's notify URL when this listen stopped. */
function reportRelease(ctx: Ctx, mine: Registration, outcome: Release): void {
  const now = outcome.notifyUrl === null ? 'none' : shown(outcome.notifyUrl, 200);
  ctx.note(outcome.restored ? `notify URL of merchant ${mine.offerId} restored to ${now}` : `notify URL of merchant ${mine.offerId} left as it is (${now}): it was changed after this listen registered`);
}

/** The ready line (one JSON event with --json). */
function announce(opts: ListenOptions, ctx: Ctx, ready: ListenReady): void {
  if (ctx.json) ctx.stdout.write(JSON.stringify(ready) + '\n');
  else {
    ctx.stdout.write(`tacpay listen ready at ${ready.url} (verifying with the sandbox platform key ${ready.platformKeyFingerprint})\n`);
    ctx.note(opts.fail ? 'refusing every notification (--fail); Ctrl-C stops' : 'answering {"ret":0,"msg":"ok"} to verified notifications; Ctrl-C stops');
  }
}

export async function runListen(opts: ListenOptions, ctx: Ctx): Promise<number> {
  const { pemFingerprint } = await import('../../../sandbox/index.js');
  // Signals are caught from the start, so that a Ctrl-C at any moment finds the clean-up (and the
  // catch-all in main.ts, which would exit at once, stands aside). Before the ready line a signal
  // cancels (exit 130, one JSON error document with --json); after it, it is the normal end (exit
  // 0), as for sandbox start.
  const stop = onStopSignal();
  let signal: NodeJS.Signals | undefined;
  void stop.stopped.then((s) => (signal = s));
  const cancelled = (): void => {
    if (signal) throw new Cancelled(`cancelled (${signal})`);
  };
  let store: Store | undefined;
  let receiver: Receiver | undefined;
  let mine: Registration | undefined;
  let released = false;
  const reg = await import('./register.js');
  // process.exit() skips finally blocks (a closed stdout, a second Ctrl-C): the registration still
  // goes back, judged by pid alone (an exit handler cannot wait for a probe).
  const onExit = (): void => {
    if (!mine || released || !store) return;
    released = true;
    try {
      reg.release(store, mine, reg.findStaleNow(reg.readRegistrations(store)));
    } catch {
      // Exiting anyway: the next listen finds the registration stale and repairs it.
    }
  };
  try {
    const port = parsePort(opts.port);
    const opened = await openListenStore(opts, ctx);
    store = opened.store;
    const { dir, publicPem, merchant, platformPublicKey } = opened;
    const { startReceiver } = await import('../../../sandbox/notify-receiver.js');
    cancelled();
    try {
      receiver = await startReceiver({ host: opts.host, port, ...receiverOptions(opts, ctx, store, platformPublicKey) });
    } catch (err) {
      throw listenError(err as NodeJS.ErrnoException, opts.host, port) ?? err;
    }
    // A wildcard bind is reached on loopback: that is the URL to register and to show.
    const url = `${clientUrl(receiver.url)}/notify`;
    const found = await reg.findStale(reg.readRegistrations(store), { probe: true, timeoutMs: PROBE_MS });
    cancelled();
    let stale: StaleRegistration[];
    if (merchant) {
      const claimed = reg.claim(store, merchant.offer_id, url, found, ctx.now());
      mine = claimed.mine;
      stale = claimed.repaired;
      process.on('exit', onExit);
    } else stale = reg.describeStale(store, found);
    for (const x of stale) ctx.warn(staleLine(x));
    if (mine) ctx.note(`notify URL of merchant ${mine.offerId} set to ${url} until this stops (was ${mine.previous === null ? 'none' : shown(mine.previous, 200)})`);
    cancelled();

    announce(opts, ctx, { event: 'ready', url, pid: process.pid, dataDir: dir, platformKeyFingerprint: pemFingerprint(publicPem), registered: mine?.offerId ?? null, replaced: mine?.previous ?? null, stale });
    const got = await stop.stopped;
    const count = receiver.count;
    ctx.note(`${got}: stopping (${count} notification${count === 1 ? '' : 's'} received)`);
    let outcome: Release | null = null;
    if (mine && !released) {
      const before = await reg.findStale(reg.readRegistrations(store), { probe: true, timeoutMs: PROBE_MS / 2 });
      // The exit handler may have run meanwhile (a second signal): it gave the URL back already.
      if (!released) {
        released = true;
        outcome = reg.release(store, mine, before);
        reportRelease(ctx, mine, outcome);
      }
    }
    if (ctx.json) ctx.stdout.write(JSON.stringify({ event: 'stopped', signal: got, notifications: count, register: outcome } satisfies ListenStopped) + '\n');
    return 0;
  } finally {
    // Cancelled, or failed after registering: the URL goes back all the same.
    onExit();
    process.off('exit', onExit);
    stop.dispose();
    await receiver?.close();
    store?.close();
  }
}

export function registerListen(program: Command, app: App): void {
  const cmd = program
    .command('listen')
    .description('receive payment notifications locally: verify each (sandbox platform key), print it, answer ok (or refuse with --fail)')
    .option('--port <n>', 'port to listen on; 0 picks a free one', '4011')
    .option('--host <host>', 'address to listen on; anything but loopback lets others send it requests', '127.0.0.1')
    .option('--fail', 'refuse every notification ({"ret":-1,...}) to watch the sandbox retry')
    .option('--register', "point the merchant's notify URL here while listening (restored on stop)")
    .option('--offer-id <id>', 'the merchant for --register (default: the default merchant)');
  dataOption(cmd)
    .addHelpText(
      'after',
      `
Prints one line once it listens:
  tacpay listen ready at http://127.0.0.1:PORT/notify (verifying with the sandbox platform key SHA256:...)
With --json, one JSON line {"event":"ready","url":...} instead, then one {"event":"notification",...}
line per notification (NDJSON). Verification: signature (assumed scheme, spec §7 D2) with the sandbox
platform key and the merchant's offerKey, and ts within ±300 s. Bodies over 64 KB, nested deeper
than 8 levels, or slower than 10 s are refused with the reason. SIGINT / SIGTERM stop it (exit 0;
with --json a last {"event":"stopped",...} line says whether the notify URL went back); a signal
before the ready line cancels (exit 130). --verbose logs every request on stderr.`,
    )
    .action(action<ListenOptions>(app, (opts, ctx) => runListen(opts, ctx)));
  examples(cmd, [
    'tacpay listen --register                       the sandbox notifies here; watch what it sends',
    'tacpay listen --port 3999 --fail               refuse everything: watch the retry schedule',
    'tacpay listen --json | jq -c "select(.event==\\"notification\\") | .verified"',
  ]);
}
