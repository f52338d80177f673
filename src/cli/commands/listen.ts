/**
 * `tacpay listen`: a local notify receiver, to watch what the sandbox sends before a backend
 * exists. Each notification is verified (§7 D2 with the sandbox platform key and the merchant's
 * offerKey, ts within ±300 s), printed, and answered {"ret":0,"msg":"ok"}, or refused with the
 * reason ({"ret":-1,...}; always with --fail, to watch the retries). It prints one ready line (one
 * JSON event with --json) once it listens, so scripts can wait on it, and stops cleanly on SIGINT or
 * SIGTERM. --register points the merchant's notify URL here while it runs, and puts the old one back.
 */
import type { Command } from 'commander';
import type { ReceivedNotification } from '../../sandbox/notify-receiver.js';
import type { Ctx } from '../context.js';
import { TacpayError } from '../errors.js';
import { action, examples, type App } from '../kit.js';
import { inert } from '../output.js';
import { dataOption, noSandboxData, openSandboxStore, pemFingerprint, pickMerchant, sandboxDir, shownDir, storeExists, type DataOptions } from './sandbox-data.js';
import { onStopSignal } from './sandbox-signals.js';
import { listenError, parsePort } from './sandbox-start.js';

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
  registered: string | null;
}

export interface NotificationEvent {
  event: 'notification';
  n: number;
  at: string;
  contentType: string | null;
  verified: boolean;
  issues: Array<{ code: string; severity: string; message: string }>;
  body: Record<string, unknown> | null;
  reply: { ret: number; msg: string };
}

export function toEvent(r: ReceivedNotification): NotificationEvent {
  return {
    event: 'notification',
    n: r.n,
    at: r.at,
    contentType: r.contentType,
    verified: r.check.ok,
    issues: r.check.issues.map((i) => ({ code: i.code, severity: i.severity, message: i.message })),
    body: r.check.body ?? null,
    reply: r.reply,
  };
}

/** A person's view of one notification: the verdict, the fields, what was answered. Every value came from the network: inert. */
export function renderNotification(e: NotificationEvent, raw: string, ctx: Ctx): string {
  const c = ctx.color;
  const s = (v: unknown): string => inert(typeof v === 'string' ? v : JSON.stringify(v), { singleLine: true });
  const head = e.verified ? c.green('✓ verified') : c.red('✗ refused');
  let out = `${c.bold(`#${e.n}`)} ${c.dim(e.at)} ${head}${e.body?.out_trade_no !== undefined ? ` ${s(e.body.out_trade_no)}` : ''}${e.body?.amount !== undefined ? ` ${s(e.body.amount)} fen` : ''}\n`;
  if (e.body) {
    const width = Math.max(...Object.keys(e.body).map((k) => k.length));
    for (const [k, v] of Object.entries(e.body)) {
      const shown = k === 'sign' && typeof v === 'string' && v.length > 24 ? `${v.slice(0, 20)}…(${v.length})` : s(v);
      out += `  ${inert(k, { singleLine: true }).padEnd(width)}  ${shown}\n`;
    }
  } else out += `  ${c.dim('body:')} ${s(raw.slice(0, 200))}\n`;
  for (const i of e.issues) out += `  ${i.severity === 'error' ? c.red('✗') : c.yellow('!')} ${s(i.message)}\n`;
  out += `  ${c.dim('replied')} ${JSON.stringify(e.reply)}\n`;
  return out;
}

export async function runListen(opts: ListenOptions, ctx: Ctx): Promise<number> {
  const port = parsePort(opts.port);
  const dir = await sandboxDir(ctx, opts.data);
  if (!(await storeExists(dir))) throw noSandboxData(dir);
  const store = await openSandboxStore(dir, opts.register ? 'existing' : 'read');
  const { createPublicKey } = await import('node:crypto');
  const { startReceiver } = await import('../../sandbox/notify-receiver.js');
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  let restore: (() => void) | undefined;
  try {
    const publicPem = store.getMeta('platform_public_key');
    if (!publicPem) throw new TacpayError(`the sandbox at ${shownDir(dir)} has no platform key yet`, 'run tacpay sandbox start (or tacpay sandbox keys) once');
    const platformPublicKey = createPublicKey(publicPem);
    try {
      receiver = await startReceiver({
        host: opts.host,
        port,
        now: () => ctx.now(),
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
      });
    } catch (err) {
      throw listenError(err as NodeJS.ErrnoException, opts.host, port) ?? err;
    }
    let registered: string | null = null;
    if (opts.register) {
      const m = pickMerchant(store, dir, opts.offerId);
      const previous = m.notify_url;
      store.setNotifyUrl(m.offer_id, receiver.url);
      registered = m.offer_id;
      restore = () => store.setNotifyUrl(m.offer_id, previous);
      ctx.note(`notify URL of merchant ${m.offer_id} set to ${receiver.url} until this stops (was ${previous ?? 'none'})`);
    }
    // Listeners first, then the ready line: a script may stop this as soon as it reads it.
    const stop = onStopSignal();
    const ready: ListenReady = { event: 'ready', url: receiver.url, pid: process.pid, dataDir: dir, platformKeyFingerprint: pemFingerprint(publicPem), registered };
    if (ctx.json) ctx.stdout.write(JSON.stringify(ready) + '\n');
    else {
      ctx.stdout.write(`tacpay listen ready at ${receiver.url} (verifying with the sandbox platform key ${ready.platformKeyFingerprint})\n`);
      ctx.note(opts.fail ? 'refusing every notification (--fail); Ctrl-C stops' : 'answering {"ret":0,"msg":"ok"} to verified notifications; Ctrl-C stops');
    }
    const signal = await stop.stopped;
    ctx.note(`${signal}: stopping (${receiver.received.length} notification${receiver.received.length === 1 ? '' : 's'} received)`);
    return 0;
  } finally {
    restore?.();
    await receiver?.close();
    store.close();
  }
}

export function registerListen(program: Command, app: App): void {
  const cmd = program
    .command('listen')
    .description('receive payment notifications locally: verify each (sandbox platform key), print it, answer ok (or refuse with --fail)')
    .option('--port <n>', 'port to listen on; 0 picks a free one', '4011')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
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
platform key and the merchant's offerKey, and ts within ±300 s. SIGINT / SIGTERM stop it (exit 0).`,
    )
    .action(action<ListenOptions>(app, (opts, ctx) => runListen(opts, ctx)));
  examples(cmd, [
    'tacpay listen --register                       the sandbox notifies here; watch what it sends',
    'tacpay listen --port 3999 --fail               refuse everything: watch the retry schedule',
    'tacpay listen --json | jq -c "select(.event==\\"notification\\") | .verified"',
  ]);
}
