/**
 * `tacpay simulate notify --to <url> [--probes]`: the flag parsing and the printing around
 * flows/notify.ts, which builds, signs, sends and judges the notifications. Field flags are typed
 * here (amount and pay_scene whole numbers, ts unix seconds, sub_out_trade_no_list a JSON array);
 * Ctrl-C becomes the flow's abort signal. Nothing printed holds a secret.
 */
import type { Command } from 'commander';
import { inert } from '../../../core/inert.js';
import { UsageError } from '../../../errors.js';
import type { FieldValue, NotifyAttempt, NotifyHooks, NotifyOptions, NotifyRequest, NotifyResult, NotifyTarget, ProbesResult } from '../../../flows/notify.js';
import type { FlowEnv } from '../../../flows/env.js';
import type { ProbeResult } from '../../../sandbox/notify-probes.js';
import { flowEnvOf, type Ctx } from '../../context.js';
import { collect, dataOption, pairsOption, retryScaleOption, sandboxDir, targetUrl, timeoutOption, type DataOptions } from '../../flags.js';
import { action, examples, type App } from '../../kit.js';
import { table, writeJson } from '../../output.js';
import { onStopSignal } from '../../stop-signal.js';

export interface NotifyFlags extends DataOptions {
  to: string;
  order?: string;
  offerId?: string;
  outTradeNo?: string;
  amount?: string;
  userId?: string;
  payChannel?: string;
  payScene?: string;
  metadata?: string;
  field?: string[];
  retryScale?: string;
  retry: boolean;
  timeout: string;
  probes?: boolean;
}

const INT_FIELDS = new Set(['amount', 'pay_scene']);

function intFlag(text: string, name: string): number {
  if (!/^-?\d{1,12}$/.test(text)) throw new UsageError(`${name} must be a whole number, not "${inert(text, { singleLine: true })}"`, name === 'amount' ? 'amount is in fen: 100 = 1.00 CNY' : 'pay_scene: 1 Android, 2 iOS, 3 PC web, 4 H5, 5 mini program, 6 QR code');
  return Number(text);
}

/** The named field flags, then --field pairs, as typed values; ts apart. */
export function fieldOverrides(f: NotifyFlags): { fields: Array<[string, FieldValue]>; ts?: string } {
  const named: Array<[string, string | undefined]> = [
    ['out_trade_no', f.outTradeNo],
    ['amount', f.amount],
    ['user_id', f.userId],
    ['pay_channel', f.payChannel],
    ['pay_scene', f.payScene],
    ['metadata', f.metadata],
  ];
  const sets: Array<[string, string]> = [...named.filter((p): p is [string, string] => p[1] !== undefined), ...pairsOption(f.field, '--field')];
  const fields: Array<[string, FieldValue]> = [];
  let ts: string | undefined;
  for (const [k, v] of sets) {
    if (k === 'sign') throw new UsageError('--field sign=... is not accepted: the notification is always signed', 'to send forged ones, use --probes');
    if (k === 'ts') {
      if (!/^\d{1,12}$/.test(v)) throw new UsageError(`ts must be unix seconds, not "${inert(v, { singleLine: true })}"`);
      ts = v;
    } else if (INT_FIELDS.has(k)) fields.push([k, intFlag(v, k)]);
    else if (k === 'sub_out_trade_no_list') {
      let list: unknown;
      try {
        list = JSON.parse(v);
      } catch {
        list = undefined;
      }
      if (!Array.isArray(list)) throw new UsageError('sub_out_trade_no_list must be a JSON array', `e.g. --field 'sub_out_trade_no_list=[{"sub_out_trade_no":"s1","amount":50}]'`);
      fields.push([k, list]);
    } else fields.push([k, v]);
  }
  return { fields, ...(ts ? { ts } : {}) };
}

/** The flags as the flow's typed target (the URL and timeout first, as before, then the data dir, then the fields). */
async function parseTarget(f: NotifyFlags, ctx: Ctx, url = targetUrl(f.to)): Promise<NotifyTarget> {
  const timeoutMs = timeoutOption(f.timeout);
  const dataDir = await sandboxDir(ctx, f.data);
  return { url, timeoutMs, dataDir, ...(f.offerId !== undefined ? { offerId: f.offerId } : {}), ...(f.order !== undefined ? { order: f.order } : {}), ...fieldOverrides(f) };
}

/** Runs `fn` with SIGINT/SIGTERM as its abort signal. */
async function withStopSignal<T>(ctx: Ctx, fn: (env: FlowEnv) => Promise<T>): Promise<T> {
  const stop = onStopSignal();
  const ac = new AbortController();
  void stop.stopped.then((signal) => ac.abort(signal));
  try {
    return await fn(flowEnvOf(ctx, ac.signal));
  } finally {
    stop.dispose();
  }
}

export async function runNotify(f: NotifyFlags, ctx: Ctx, hooks: NotifyHooks = {}): Promise<NotifyResult> {
  // The flags in the order their errors have always come: the URL, the scale, then the rest.
  const url = targetUrl(f.to);
  const retryScale = await retryScaleOption(f.retryScale);
  const target = await parseTarget(f, ctx, url);
  const opts: NotifyOptions = { ...target, retry: f.retry, retryScale };
  const flow = await import('../../../flows/notify.js');
  const { scheduleNotice, waitNotice } = await import('./notify-schedule.js');
  return withStopSignal(ctx, (env) =>
    flow.runNotify(opts, env, {
      ...hooks,
      onRequest: (r) => {
        hooks.onRequest?.(r);
        ctx.note(scheduleNotice({ retry: opts.retry, retryScale, timeoutMs: opts.timeoutMs }));
      },
      // The wall clock, not ctx.now(): this says when the wait ends for the person watching.
      onWait: (next, inMs) => ctx.note(waitNotice(next, inMs, new Date())),
    }),
  );
}

export async function runNotifyProbes(f: NotifyFlags, ctx: Ctx, onResult?: (r: ProbeResult) => void): Promise<ProbesResult> {
  const target = await parseTarget(f, ctx);
  if (f.order === undefined && f.outTradeNo === undefined) {
    ctx.warn('probes need one genuine notification your handler accepts: pass --order <out_trade_no> of an order your backend knows (or --out-trade-no and --amount)');
  }
  const flow = await import('../../../flows/notify.js');
  return withStopSignal(ctx, (env) => flow.runNotifyProbes(target, env, onResult));
}

/** A reply as one safe line: untrusted text from the endpoint, made inert and cut. */
export function replyText(status: number | null | undefined, body: string | null | undefined, error: string | null | undefined): string {
  if (status === null || status === undefined) return `no reply: ${error ?? ''}`;
  const b = inert((body ?? '').trim(), { singleLine: true });
  return `HTTP ${status} ${b.length > 100 ? `${b.slice(0, 97)}...` : b || '(empty body)'}`;
}

export function renderRequest(r: NotifyRequest, ctx: Ctx): string {
  const c = ctx.color;
  return (
    `${c.bold('POST')} ${inert(r.url, { singleLine: true })}\n` +
    `${c.dim(`Content-Type: ${r.request.contentType}`)}\n` +
    `${inert(JSON.stringify(r.request.body, null, 2))}\n` +
    `${c.dim(`signed: ${r.signature.scheme}, key ${r.signature.platformKeyFingerprint}, offerKey of ${r.signature.offerId}`)}\n` +
    `${c.dim(`string-to-sign: ${inert(r.signedText, { singleLine: true })}`)}\n\n`
  );
}

export function attemptLine(a: NotifyAttempt, ctx: Ctx): string {
  const c = ctx.color;
  const mark = a.delivered ? c.green('✓ delivered') : c.red('✗ not delivered');
  const next = a.nextInMs !== null ? c.dim(`; next attempt in ${formatMs(a.nextInMs)}`) : '';
  return `attempt ${a.attempt}  ${replyText(a.status, a.reply, a.error)}  ${a.latencyMs.toFixed(1)}ms  ${mark}${a.delivered ? '' : `: ${inert(a.reason, { singleLine: true })}`}${next}\n`;
}

export function formatMs(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 6000) / 10} min` : ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

export function summaryLine(r: NotifyResult, ctx: Ctx): string {
  const c = ctx.color;
  const n = r.attempts.length;
  if (r.delivered) return `${c.green('✓')} delivered on attempt ${n}\n`;
  if (r.stopped) return `${c.yellow('!')} stopped after ${n} attempt${n === 1 ? '' : 's'}, not delivered\n`;
  return `${c.red('✗')} not delivered after ${n} attempt${n === 1 ? '' : 's'}: the handler must answer HTTP 2xx with {"ret":0,"msg":"ok"} (lowercase ok)\n`;
}

export function renderProbes(r: ProbesResult, ctx: Ctx): string {
  const c = ctx.color;
  const verdict = (p: ProbeResult): string => (p.verdict === 'ok' ? 'ok' : p.verdict === 'hole' ? 'HOLE' : 'warn');
  const body = r.probes.map((p) => [p.id, p.expect, p.replies.map((x) => replyText(x.status, x.body, x.error)).join(' / '), verdict(p)]);
  let out = table(['PROBE', 'EXPECT', 'REPLY', 'VERDICT'], body, (h) => c.bold(h));
  out += '\n';
  for (const p of r.probes) {
    const mark = p.verdict === 'ok' ? c.green('✓') : p.verdict === 'hole' ? c.red('✗') : c.yellow('!');
    out += `${mark} ${c.bold(p.id)}: ${p.sent}\n    ${inert(p.finding, { singleLine: true })}\n`;
  }
  out += `\n${r.holes ? c.red(`${r.holes} hole${r.holes === 1 ? '' : 's'} found`) : c.green('no holes found')}${r.warnings ? `, ${r.warnings} warning${r.warnings === 1 ? '' : 's'}` : ''} ${c.dim(`(${r.probes.length} probes against ${inert(r.url, { singleLine: true })}, order ${inert(r.outTradeNo, { singleLine: true })})`)}\n`;
  return out;
}

export function registerSimulateNotify(simulate: Command, app: App): void {
  const cmd = simulate
    .command('notify')
    .description('send a signed payment notification (§3.1) to a URL and judge the reply strictly; --probes sends forged ones')
    .requiredOption('--to <url>', 'the notify URL of your handler')
    .option('--order <out_trade_no>', 'notify about this sandbox order (its fields, as the sandbox would send them)')
    .option('--offer-id <id>', 'sandbox merchant whose offerKey signs (default: the default merchant)')
    .option('--out-trade-no <no>', 'out_trade_no')
    .option('--amount <fen>', 'amount in fen')
    .option('--user-id <id>', 'user_id')
    .option('--pay-channel <channel>', 'pay_channel: wechat, qqwallet or bank')
    .option('--pay-scene <n>', 'pay_scene: 1 Android, 2 iOS, 3 PC web, 4 H5, 5 mini program, 6 QR code')
    .option('--metadata <text>', 'metadata')
    .option('--field <k=v>', 'set any field (repeatable): amount=100, ts=1700000000, sub_out_trade_no_list=[...]', collect)
    .option('--retry-scale <factor>', 'multiply the retry schedule 15/15/30/180/1800/1800/1800/1800/3600 s (0 < factor <= 1)', '1')
    .option('--no-retry', 'one attempt only')
    .option('--timeout <ms>', 'per attempt: connection, request and reply', '5000')
    .option('--probes', 'send forged and abnormal notifications and judge each reply (exit 1 if one is acknowledged)');
  dataOption(cmd)
    .addHelpText(
      'after',
      `
Delivered means HTTP 2xx and the body {"ret":0,"msg":"ok"}: ret the number 0, msg exactly lowercase
"ok" (spec §3.1). Anything else is not delivered, with the reason, and is retried on the schedule
(scaled by --retry-scale) until accepted or ten attempts have failed: at scale 1 that is 3 h 4 min
of waits, said on stderr before the first attempt, and each wait as it starts. Ctrl-C stops (exit
130); --retry-scale 0.001 makes it 11 s; --no-retry sends once. Each attempt is signed afresh
with its own ts. Signing: SHA256withRSA over the sorted fields + the merchant's offerKey with the
sandbox platform key (assumed, spec §7 D2); verify with the platform public key (tacpay sandbox keys).

--probes: bad signature, signature by another key, amount changed after signing, sign missing,
stale ts, unknown out_trade_no, malformed JSON, wrong content type, a genuine notification twice
(must be accepted both times) and a replay of an old one. Exit 1 if the handler acknowledges a
forged, stale or unknown one, or refuses the genuine one.
Exit codes: 0 delivered (or no holes), 1 not delivered (or a hole), 2 usage, 130 stopped.`,
    )
    .action(
      action<NotifyFlags>(app, async (opts, ctx) => {
        if (opts.probes) {
          const r = await runNotifyProbes(opts, ctx, ctx.json ? undefined : (p) => ctx.note(`probe ${p.id}: ${p.verdict}`));
          if (ctx.json) writeJson(ctx.stdout, r);
          else ctx.stdout.write(renderProbes(r, ctx));
          return r.holes ? 1 : 0;
        }
        // Human output streams: the request, then each attempt as it happens (retries can take hours at scale 1).
        const hooks: NotifyHooks = ctx.json ? {} : { onRequest: (q) => ctx.stdout.write(renderRequest(q, ctx)), onAttempt: (a) => ctx.stdout.write(attemptLine(a, ctx)) };
        const r = await runNotify(opts, ctx, hooks);
        ctx.stdout.write(ctx.json ? JSON.stringify(r, null, 2) + '\n' : summaryLine(r, ctx));
        return r.delivered ? 0 : r.stopped ? 130 : 1;
      }),
    );
  examples(cmd, [
    'tacpay simulate notify --to http://127.0.0.1:3000/notify --order open_1700000000',
    'tacpay simulate notify --to http://127.0.0.1:3000/notify --amount 600 --retry-scale 0.001',
    'tacpay simulate notify --to http://127.0.0.1:3000/notify --no-retry --json | jq .attempts',
    'tacpay simulate notify --to http://127.0.0.1:3000/notify --order open_1700000000 --probes',
  ]);
}
