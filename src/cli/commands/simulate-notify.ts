/**
 * `tacpay simulate notify --to <url> [--probes]`: the payment notification (spec §3.1) with every
 * field, from a sandbox order or from flags, signed as the sandbox signs it (§7 D2, assumed),
 * POSTed as JSON and judged strictly; retried on the documented schedule (scaled) until accepted.
 * With --probes, forged and abnormal notifications instead, and a verdict per probe (exit 1 when
 * the handler acknowledges one it must refuse). Nothing printed holds a secret: the offerKey shows
 * only as a placeholder at the end of the string-to-sign.
 */
import type { Command } from 'commander';
import type { NotificationFields } from '../../core/notification.js';
import type { DeliveryReport } from '../../sandbox/notify.js';
import type { ProbeResult } from '../../sandbox/notify-probes.js';
import type { SandboxKeys } from '../../sandbox/index.js';
import type { Ctx } from '../context.js';
import { TacpayError, UsageError } from '../../errors.js';
import { action, examples, type App } from '../kit.js';
import { writeJson } from '../output.js';
import { inert } from '../../core/inert.js';
import { dataOption, sandboxDir, type DataOptions } from '../flags.js';
import { table } from '../output.js';
import { onStopSignal } from '../stop-signal.js';
import { collect, pairsOption, retryScaleOption, targetUrl, timeoutOption } from '../flags.js';

export interface NotifyOptions extends DataOptions {
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

/** Shown instead of the offerKey wherever the string-to-sign is printed. */
export const OFFER_KEY_PLACEHOLDER = '<offerKey>';

export interface NotifyAttempt {
  attempt: number;
  at: string;
  status: number | null;
  reply: string | null;
  error: string | null;
  delivered: boolean;
  reason: string;
  latencyMs: number;
  nextInMs: number | null;
}

export interface NotifyResult {
  url: string;
  request: { method: 'POST'; contentType: string; body: Record<string, unknown> };
  /** The D2 string-to-sign of the first attempt, the offerKey replaced by a placeholder. */
  signedText: string;
  signature: { scheme: string; platformKeyFingerprint: string; offerId: string };
  delivered: boolean;
  stopped: boolean;
  attempts: NotifyAttempt[];
}

export interface ProbesResult {
  url: string;
  platformKeyFingerprint: string;
  offerId: string;
  outTradeNo: string;
  holes: number;
  warnings: number;
  probes: ProbeResult[];
}

const INT_FIELDS = new Set(['amount', 'pay_scene']);

function intFlag(text: string, name: string): number {
  if (!/^-?\d{1,12}$/.test(text)) throw new UsageError(`${name} must be a whole number, not "${inert(text, { singleLine: true })}"`, name === 'amount' ? 'amount is in fen: 100 = 1.00 CNY' : 'pay_scene: 1 Android, 2 iOS, 3 PC web, 4 H5, 5 mini program, 6 QR code');
  return Number(text);
}

/** The notification's fields (without ts) from a sandbox order or defaults, then flags, then --field overrides. */
async function baseFields(opts: NotifyOptions, ctx: Ctx, keys: SandboxKeys): Promise<{ base: Omit<NotificationFields, 'ts'>; ts?: string; extra: Record<string, unknown> }> {
  const { notificationBase } = await import('../../sandbox/deliveries.js');
  const { randomBytes } = await import('node:crypto');
  let base: Omit<NotificationFields, 'ts'>;
  if (opts.order !== undefined) {
    const order = keys.store.orderByOutTradeNo(keys.merchant.offer_id, opts.order);
    if (!order) throw new TacpayError(`no order ${inert(opts.order, { singleLine: true })} of merchant ${keys.merchant.offer_id} in the sandbox`, 'tacpay order create makes one; --offer-id picks another merchant');
    const d = keys.store.deliveryByOrder(order.id);
    // The sandbox's own delivery fixed pay_channel_orderid: send the same notification it sends.
    base = d ? (JSON.parse(d.fields_json) as Omit<NotificationFields, 'ts'>) : notificationBase(order, 1);
  } else {
    base = {
      appid: keys.merchant.offer_id,
      sub_appid: '',
      user_id: 'tacpayuser1',
      out_trade_no: `tacpay_${ctx.now().getTime()}`,
      product_id: 'product_test',
      currency_type: 'CNY',
      amount: 1,
      pay_channel: 'wechat',
      pay_scene: 1,
      pay_channel_orderid: `4200${BigInt('0x' + randomBytes(10).toString('hex')).toString().padStart(24, '0').slice(0, 24)}`,
      metadata: '',
      sub_out_trade_no_list: [],
    };
  }
  const named: Array<[string, string | undefined]> = [
    ['out_trade_no', opts.outTradeNo],
    ['amount', opts.amount],
    ['user_id', opts.userId],
    ['pay_channel', opts.payChannel],
    ['pay_scene', opts.payScene],
    ['metadata', opts.metadata],
  ];
  const sets: Array<[string, string]> = [...named.filter((p): p is [string, string] => p[1] !== undefined), ...pairsOption(opts.field, '--field')];
  const fields = base as unknown as Record<string, unknown>;
  const extra: Record<string, unknown> = {};
  let ts: string | undefined;
  const known = new Set(Object.keys(base));
  for (const [k, v] of sets) {
    if (k === 'sign') throw new UsageError('--field sign=... is not accepted: the notification is always signed', 'to send forged ones, use --probes');
    if (k === 'ts') {
      if (!/^\d{1,12}$/.test(v)) throw new UsageError(`ts must be unix seconds, not "${inert(v, { singleLine: true })}"`);
      ts = v;
    } else if (INT_FIELDS.has(k)) fields[k] = intFlag(v, k);
    else if (k === 'sub_out_trade_no_list') {
      let list: unknown;
      try {
        list = JSON.parse(v);
      } catch {
        list = undefined;
      }
      if (!Array.isArray(list)) throw new UsageError('sub_out_trade_no_list must be a JSON array', `e.g. --field 'sub_out_trade_no_list=[{"sub_out_trade_no":"s1","amount":50}]'`);
      fields[k] = list;
    } else if (known.has(k)) fields[k] = v;
    else {
      ctx.warn(`--field ${inert(k, { singleLine: true })} is not a §3.1 field; it is sent and signed anyway`);
      extra[k] = v;
    }
  }
  return { base, ...(ts ? { ts } : {}), extra };
}

function attemptOf(a: DeliveryReport['attempts'][number]): NotifyAttempt {
  return {
    attempt: a.attempt,
    at: a.at,
    status: a.status ?? null,
    reply: a.body ?? null,
    error: a.error ?? null,
    delivered: a.verdict.delivered,
    reason: a.verdict.reason,
    latencyMs: a.latencyMs,
    nextInMs: a.nextInMs ?? null,
  };
}

export type NotifyRequest = Pick<NotifyResult, 'url' | 'request' | 'signedText' | 'signature'>;

export interface NotifyHooks {
  /** Before the first attempt: what is about to be sent. */
  onRequest?: (r: NotifyRequest) => void;
  onAttempt?: (a: NotifyAttempt) => void;
}

export async function runNotify(opts: NotifyOptions, ctx: Ctx, hooks: NotifyHooks = {}): Promise<NotifyResult> {
  const { sandboxKeys } = await import('../../sandbox/index.js');
  const url = targetUrl(opts.to);
  const retryScale = await retryScaleOption(opts.retryScale);
  const timeoutMs = timeoutOption(opts.timeout);
  const dir = await sandboxDir(ctx, opts.data);
  const keys = await sandboxKeys(ctx, dir, opts.offerId);
  try {
    const { createPrivateKey } = await import('node:crypto');
    const { notificationCanonical, notificationJson, notificationTs, signNotification } = await import('../../core/notification.js');
    const { sendWithRetries, JSON_TYPE } = await import('../../sandbox/notify.js');
    const { base, ts, extra } = await baseFields(opts, ctx, keys);
    const key = createPrivateKey(keys.platformPrivatePem);
    const offerKey = keys.merchant.offer_key;
    // Every attempt is signed afresh with its own ts, as the sandbox does, unless --field ts= fixes it.
    const bodyOf = (): Record<string, unknown> => ({ ...signNotification({ ...base, ...extra, ts: ts ?? notificationTs(ctx.now()) } as NotificationFields, offerKey, key) });
    const first = bodyOf();
    const canonical = notificationCanonical(first, offerKey);
    const request: NotifyRequest = {
      url,
      request: { method: 'POST', contentType: JSON_TYPE, body: first },
      signedText: canonical.slice(0, canonical.length - offerKey.length) + OFFER_KEY_PLACEHOLDER,
      signature: { scheme: 'SHA256withRSA over the sorted fields + offerKey, sandbox platform key (assumed, spec §7 D2)', platformKeyFingerprint: keys.platformFingerprint, offerId: keys.merchant.offer_id },
    };
    hooks.onRequest?.(request);
    const { scheduleNotice, waitNotice } = await import('./simulate-notify-schedule.js');
    ctx.note(scheduleNotice({ retry: opts.retry, retryScale, timeoutMs }));
    const stop = onStopSignal();
    const ac = new AbortController();
    void stop.stopped.then(() => ac.abort());
    let report: DeliveryReport;
    try {
      report = await sendWithRetries(url, {
        retry: opts.retry,
        retryScale,
        timeoutMs,
        signal: ac.signal,
        now: () => ctx.now(),
        bodyFor: (n) => notificationJson(n === 1 ? first : bodyOf()),
        onAttempt: (a) => {
          hooks.onAttempt?.(attemptOf(a));
          // The wall clock, not ctx.now(): this says when the wait ends for the person watching.
          if (a.nextInMs !== undefined) ctx.note(waitNotice(a.attempt + 1, a.nextInMs, new Date()));
        },
      });
    } finally {
      stop.dispose();
    }
    return {
      ...request,
      delivered: report.delivered,
      stopped: report.stopped,
      attempts: report.attempts.map(attemptOf),
    };
  } finally {
    keys.store.close();
  }
}

export async function runNotifyProbes(opts: NotifyOptions, ctx: Ctx, onResult?: (r: ProbeResult) => void): Promise<ProbesResult> {
  const { sandboxKeys } = await import('../../sandbox/index.js');
  const url = targetUrl(opts.to);
  const timeoutMs = timeoutOption(opts.timeout);
  const dir = await sandboxDir(ctx, opts.data);
  const keys = await sandboxKeys(ctx, dir, opts.offerId);
  try {
    if (opts.order === undefined && opts.outTradeNo === undefined) {
      ctx.warn('probes need one genuine notification your handler accepts: pass --order <out_trade_no> of an order your backend knows (or --out-trade-no and --amount)');
    }
    const { createPrivateKey } = await import('node:crypto');
    const { buildProbes, runProbes } = await import('../../sandbox/notify-probes.js');
    const { base, extra } = await baseFields(opts, ctx, keys);
    const probes = buildProbes({ ...base, ...extra }, { offerKey: keys.merchant.offer_key, platformKey: createPrivateKey(keys.platformPrivatePem) }, ctx.now());
    const stop = onStopSignal();
    const ac = new AbortController();
    void stop.stopped.then(() => ac.abort());
    let results: ProbeResult[];
    try {
      results = await runProbes(url, probes, { timeoutMs, signal: ac.signal, ...(onResult ? { onResult } : {}) });
    } finally {
      stop.dispose();
    }
    return {
      url,
      platformKeyFingerprint: keys.platformFingerprint,
      offerId: keys.merchant.offer_id,
      outTradeNo: base.out_trade_no,
      holes: results.filter((r) => r.verdict === 'hole').length,
      warnings: results.filter((r) => r.verdict === 'warn').length,
      probes: results,
    };
  } finally {
    keys.store.close();
  }
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
      action<NotifyOptions>(app, async (opts, ctx) => {
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
