/**
 * The delivery log (`tacpay sandbox log --notifications`). Replies come from other people's
 * endpoints: they are printed inert. (Getting a just-paid order's notification sent is
 * flows/pay.ts deliverPaidOrder.)
 */
import type { DeliveryAttemptRow } from '../../../sandbox/store.js';
import type { Ctx } from '../../context.js';
import { UsageError } from '../../../errors.js';
import { writeJson } from '../../output.js';
import { inert } from '../../../core/inert.js';
import { sandboxDir, type DataOptions } from '../../flags.js';
import { onStopSignal } from '../../stop-signal.js';

export interface NotificationLogRecord {
  id: number;
  at: string;
  offerId: string;
  outTradeNo: string;
  attempt: number;
  url: string;
  httpStatus: number | null;
  reply: string | null;
  delivered: boolean;
  reason: string | null;
  latencyMs: number;
  orderState: number;
  nextAt: string | null;
  /** The delivery's state now: pending, delivered or failed. */
  deliveryStatus: string;
  /** The notification body as sent (--verbose, or in JSON). */
  body?: Record<string, unknown>;
}

type AttemptWithOrder = DeliveryAttemptRow & { out_trade_no: string; offer_id: string; status: string };

function toRecord(r: AttemptWithOrder): NotificationLogRecord {
  let body: Record<string, unknown> | undefined;
  try {
    body = r.body ? (JSON.parse(r.body) as Record<string, unknown>) : undefined;
  } catch {
    body = undefined;
  }
  return {
    id: r.id,
    at: r.at,
    offerId: r.offer_id,
    outTradeNo: r.out_trade_no,
    attempt: r.attempt,
    url: r.url,
    httpStatus: r.http_status,
    reply: r.reply,
    delivered: r.delivered === 1,
    reason: r.reason,
    latencyMs: Math.round(r.latency_ms * 10) / 10,
    orderState: r.order_state,
    nextAt: r.next_at,
    deliveryStatus: r.status,
    ...(body ? { body } : {}),
  };
}

/** One human line per attempt. */
export function notificationLine(r: NotificationLogRecord, ctx: Ctx): string {
  const c = ctx.color;
  const verdict = r.delivered ? c.green('delivered') : c.red('not delivered');
  const reply = r.httpStatus === null ? 'no reply' : `HTTP ${r.httpStatus} ${inert((r.reply ?? '').trim(), { singleLine: true }).slice(0, 80)}`;
  const why = r.delivered ? '' : `  ${inert(r.reason ?? '', { singleLine: true })}`;
  const next = r.nextAt ? c.dim(`  next ${r.nextAt}`) : '';
  const line = `${c.dim(r.at)}  ${inert(r.outTradeNo, { singleLine: true })}  #${r.attempt}  ${inert(r.url, { singleLine: true })}  ${reply}  ${verdict}${why}  state ${r.orderState}${next}`;
  const body = ctx.verbose && r.body ? `\n    ${c.dim(inert(JSON.stringify(r.body), { singleLine: true }))}` : '';
  return line + body + '\n';
}

function isMissingTable(err: unknown): boolean {
  return /no such table/.test(String((err as Error)?.message));
}

/** `tacpay sandbox log --notifications [--follow]`: delivery attempts, newest last. */
export async function runNotificationLog(opts: DataOptions & { follow?: boolean; limit: string }, ctx: Ctx): Promise<number> {
  const { openSandboxStore, shownDir } = await import('../../../sandbox/index.js');
  if (!/^\d{1,6}$/.test(opts.limit)) throw new UsageError(`--limit must be a whole number from 0 to 999999, not "${inert(opts.limit, { singleLine: true })}"`);
  const limit = Number(opts.limit);
  const dir = await sandboxDir(ctx, opts.data);
  const store = await openSandboxStore(dir, 'read');
  try {
    let backlog: NotificationLogRecord[] = [];
    let lastId = 0;
    try {
      lastId = store.lastAttemptId();
      backlog = limit === 0 ? [] : store.lastAttempts(limit, lastId).map(toRecord);
    } catch (err) {
      // A store no sandbox of this version has opened yet has no delivery tables: nothing delivered.
      if (!isMissingTable(err)) throw err;
    }
    if (!opts.follow) {
      if (ctx.json) writeJson(ctx.stdout, { notifications: backlog });
      else if (!backlog.length) ctx.note(`no notification deliveries in ${shownDir(dir)} yet (set a notify URL: tacpay sandbox merchant set-notify; pay an order: tacpay sandbox pay)`);
      else ctx.stdout.write(backlog.map((r) => notificationLine(r, ctx)).join(''));
      return 0;
    }
    const emit = (r: NotificationLogRecord): void => void ctx.stdout.write(ctx.json ? JSON.stringify(r) + '\n' : notificationLine(r, ctx));
    backlog.forEach(emit);
    if (!ctx.json) ctx.note('following notification deliveries; Ctrl-C stops');
    const stop = onStopSignal();
    let stopped = false;
    void stop.stopped.then(() => (stopped = true));
    try {
      while (!stopped) {
        try {
          for (const r of store.attemptsAfter(lastId, 500)) {
            emit(toRecord(r));
            lastId = r.id;
          }
        } catch (err) {
          if (!isMissingTable(err)) throw err;
        }
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([stop.stopped, new Promise<void>((r) => (timer = setTimeout(r, 250)))]);
        clearTimeout(timer);
      }
    } finally {
      stop.dispose();
    }
    return 0;
  } finally {
    store.close();
  }
}
