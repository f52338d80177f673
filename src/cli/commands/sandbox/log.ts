/**
 * `tacpay sandbox log [--follow]`: the requests a sandbox has answered, from its store (time,
 * method, api, offerId, wire form, ret, msg, which ts reading matched, latency). It reads through a
 * read-only connection, so following a busy sandbox never takes its write lock. Logged parameters
 * hold no secrets (the offerKey is never sent; the sign is shortened), and this command prints no
 * merchant credentials.
 */
import type { Command } from 'commander';
import { API_NAMES } from '../../../core/order-api.js';
import type { RequestLogRow, Store } from '../../../sandbox/store.js';
import type { Ctx } from '../../context.js';
import { UsageError } from '../../../errors.js';
import { action, examples, type App } from '../../kit.js';
import { writeJson } from '../../output.js';
import { inert } from '../../../core/inert.js';
import { dataOption, sandboxDir, type DataOptions } from '../../flags.js';
import { onStopSignal } from '../../stop-signal.js';

/** How often --follow looks for new requests. */
export const FOLLOW_POLL_MS = 250;
/** Rows read per poll; more simply wait for the next one. */
const PAGE = 500;

export interface LogOptions extends DataOptions {
  follow?: boolean;
  limit: string;
  api?: string;
  ret?: string;
  notifications?: boolean;
}

export interface LogRecord {
  id: number;
  at: string;
  method: string;
  path: string;
  api: string | null;
  offerId: string | null;
  wire: string | null;
  ret: number | null;
  msg: string | null;
  tsReading: string | null;
  status: number;
  latencyMs: number;
  /** The parameters as received, sign shortened. */
  params: Record<string, string> | null;
}

export interface LogFilter {
  api?: string;
  ret?: number;
}

export function toRecord(r: RequestLogRow): LogRecord {
  let params: Record<string, string> | null = null;
  try {
    params = r.params_json ? (JSON.parse(r.params_json) as Record<string, string>) : null;
  } catch {
    params = null;
  }
  return {
    id: r.id,
    at: r.at,
    method: r.method,
    path: r.path,
    api: r.api,
    offerId: r.offer_id,
    wire: r.wire,
    ret: r.ret,
    msg: r.msg,
    tsReading: r.ts_reading,
    status: r.status,
    latencyMs: Math.round(r.latency_ms * 100) / 100,
    params,
  };
}

/** --limit, --api and --ret checked before anything is opened. */
export function parseLogOptions(opts: LogOptions): { limit: number; filter: LogFilter } {
  if (!/^\d{1,6}$/.test(opts.limit)) throw new UsageError(`--limit must be a whole number from 0 to 999999, not "${inert(opts.limit, { singleLine: true })}"`, '--limit 0 with --follow shows only new requests');
  if (opts.api !== undefined && !(API_NAMES as readonly string[]).includes(opts.api)) {
    throw new UsageError(`--api must be one of ${API_NAMES.join(', ')}, not "${inert(opts.api, { singleLine: true })}"`);
  }
  if (opts.ret !== undefined && !/^-?\d{1,9}$/.test(opts.ret)) throw new UsageError(`--ret must be a whole number, not "${inert(opts.ret, { singleLine: true })}"`, 'e.g. --ret 0 for successes, --ret 1001 for signature failures');
  return {
    limit: Number(opts.limit),
    filter: { ...(opts.api !== undefined ? { api: opts.api } : {}), ...(opts.ret !== undefined ? { ret: Number(opts.ret) } : {}) },
  };
}

function matches(r: RequestLogRow, f: LogFilter): boolean {
  return (f.api === undefined || r.api === f.api) && (f.ret === undefined || r.ret === f.ret);
}

/** One human line per request; msg and path are untrusted text (they echo what clients sent). */
export function logLine(r: LogRecord, ctx: Ctx): string {
  const c = ctx.color;
  const ret = r.ret === null ? `HTTP ${r.status}` : `ret ${r.ret}`;
  const retShown = r.ret === 0 ? c.green(ret.padEnd(8)) : c.red(ret.padEnd(8));
  const what = r.api ?? inert(r.path, { singleLine: true });
  const msg = r.msg ? inert(r.msg, { singleLine: true }) : '';
  const cut = !ctx.verbose && msg.length > 120 ? `${msg.slice(0, 117)}...` : msg;
  const line = [
    c.dim(r.at),
    r.method.padEnd(4),
    what.padEnd(13),
    (r.offerId ? inert(r.offerId, { singleLine: true }) : '-').padEnd(10),
    (r.wire ?? '-').padEnd(10),
    retShown,
    `${r.latencyMs.toFixed(1)}ms`.padStart(8),
    `ts ${r.tsReading ?? '-'}`.padEnd(16),
    cut,
  ].join('  ');
  const params = ctx.verbose && r.params ? `\n    ${c.dim(inert(JSON.stringify(r.params), { singleLine: true }))}` : '';
  return line.trimEnd() + params + '\n';
}

/** The newest `limit` matching requests (oldest first), and the id to follow from. */
export function readBacklog(store: Store, filter: LogFilter, limit: number): { records: LogRecord[]; lastId: number } {
  // The backlog and the starting point come from one read transaction, so --follow neither repeats nor skips a request.
  return store.read(() => {
    const lastId = store.lastRequestId();
    const rows = limit === 0 ? [] : store.requestsWhere({ ...filter, upTo: lastId }, limit);
    return { records: rows.map(toRecord), lastId };
  });
}

export async function runLog(opts: LogOptions, ctx: Ctx): Promise<number> {
  const { openSandboxStore } = await import('../../../sandbox/index.js');
  if (opts.notifications) {
    if (opts.api !== undefined || opts.ret !== undefined) throw new UsageError('--api and --ret filter requests; they do not apply to --notifications');
    const { runNotificationLog } = await import('../simulate/deliveries.js');
    return runNotificationLog(opts, ctx);
  }
  const { limit, filter } = parseLogOptions(opts);
  const dir = await sandboxDir(ctx, opts.data);
  const store = await openSandboxStore(dir, 'read');
  try {
    const { records, lastId } = readBacklog(store, filter, limit);
    if (!opts.follow) {
      if (ctx.json) writeJson(ctx.stdout, { requests: records });
      else if (!records.length) ctx.note('no requests logged yet');
      else ctx.stdout.write(records.map((r) => logLine(r, ctx)).join(''));
      return 0;
    }
    // A stream has no end at which to close one document, so --follow --json prints NDJSON.
    const emit = (r: LogRecord): void => void ctx.stdout.write(ctx.json ? JSON.stringify(r) + '\n' : logLine(r, ctx));
    records.forEach(emit);
    if (!ctx.json) ctx.note('following new requests; Ctrl-C stops');
    await follow(store, filter, lastId, emit);
    return 0;
  } finally {
    store.close();
  }
}

/** Polls for requests after `afterId` until SIGINT or SIGTERM (the normal way to end --follow). */
async function follow(store: Store, filter: LogFilter, afterId: number, emit: (r: LogRecord) => void): Promise<void> {
  const stop = onStopSignal();
  let stopped = false;
  void stop.stopped.then(() => (stopped = true));
  let last = afterId;
  try {
    while (!stopped) {
      for (;;) {
        const rows = store.requestsAfter(last, PAGE);
        for (const r of rows) if (matches(r, filter)) emit(toRecord(r));
        if (rows.length) last = rows[rows.length - 1]!.id;
        if (rows.length < PAGE) break;
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([stop.stopped, new Promise<void>((r) => (timer = setTimeout(r, FOLLOW_POLL_MS)))]);
      clearTimeout(timer);
    }
  } finally {
    stop.dispose();
  }
}

export function registerSandboxLog(sandbox: Command, app: App): void {
  const cmd = sandbox
    .command('log')
    .description('show the requests the sandbox answered: time, method, api, offerId, wire form, ret, msg, ts reading, latency')
    .option('-f, --follow', 'keep printing new requests until Ctrl-C')
    .option('--limit <n>', 'how many of the newest requests to show first', '20')
    .option('--api <name>', `only this API: ${API_NAMES.join(', ')}`)
    .option('--ret <n>', 'only answers with this ret code (0 ok; tacpay README lists the sandbox codes)')
    .option('--notifications', 'show payment notification deliveries instead: order, attempt, URL, reply, verdict, order state, next attempt');
  dataOption(cmd)
    .addHelpText(
      'after',
      `
--json prints one document {"requests":[...]}; with --follow it prints one JSON record per line
(NDJSON) instead, because a stream never ends to close a document. --verbose adds the parameters
each request carried (the sign shortened; the offerKey is never sent, so it is never logged).`,
    )
    .action(action<LogOptions>(app, (opts, ctx) => runLog(opts, ctx)));
  examples(cmd, [
    'tacpay sandbox log                                the last 20 requests',
    'tacpay sandbox log --follow --limit 0             only new requests, as they come',
    'tacpay sandbox log --api unified_order --ret 1001 signature failures of unified_order',
    'tacpay sandbox log --follow --json | jq .msg      NDJSON, one record per line',
    'tacpay sandbox log --notifications --follow       watch notification deliveries and retries',
  ]);
}
