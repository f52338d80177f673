/**
 * Sending a payment notification over HTTP (spec §3.1: POST, JSON body) and judging the reply, one
 * attempt or the documented retry schedule. node:http(s) rather than undici: the sandbox sends
 * these, and it must control the exact bytes and headers (probes send malformed JSON and wrong
 * content types on purpose). Notifications go direct, never through HTTP(S)_PROXY: in development
 * the receiver is nearly always on this machine or a tunnel to it.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { judgeReply, retryDelayMs, type ReplySeen, type ReplyVerdict } from '../core/notification.js';

/** The longest reply kept: a handler's answer is two short fields; anything long is cut for the log. */
export const MAX_REPLY_BYTES = 16 * 1024;
/** Per-attempt timeout when none is given: connection, request and reply together. */
export const DEFAULT_TIMEOUT_MS = 5000;
export const JSON_TYPE = 'application/json; charset=utf-8';

export interface PostOptions {
  timeoutMs?: number;
  contentType?: string;
  signal?: AbortSignal;
}

export interface PostOutcome extends ReplySeen {
  latencyMs: number;
  /** The reply's Content-Type, when there was a reply. */
  contentType?: string;
  /** The reply body was longer than MAX_REPLY_BYTES and was cut. */
  truncated?: boolean;
  timedOut?: boolean;
}

/** POSTs `body` to `url` once. Never rejects: a failure is an outcome with `error` and no status. */
export function postNotification(url: string, body: string, opts: PostOptions = {}): Promise<PostOutcome> {
  const started = performance.now();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const elapsed = (): number => Math.round((performance.now() - started) * 10) / 10;
  return new Promise((resolve) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      resolve({ error: `not a URL: ${url}`, latencyMs: 0 });
      return;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      resolve({ error: `only http and https URLs can be notified, not ${u.protocol}`, latencyMs: 0 });
      return;
    }
    let settled = false;
    const finish = (o: Omit<PostOutcome, 'latencyMs'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ ...o, latencyMs: elapsed() });
    };
    const payload = Buffer.from(body, 'utf8');
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, {
      method: 'POST',
      headers: {
        'Content-Type': opts.contentType ?? JSON_TYPE,
        'Content-Length': payload.length,
        'User-Agent': 'tacpay-sandbox-notify',
        Connection: 'close',
      },
      agent: false,
    });
    const timer = setTimeout(() => {
      req.destroy();
      finish({ error: `no reply within ${timeoutMs} ms`, timedOut: true });
    }, timeoutMs);
    const onAbort = (): void => {
      req.destroy();
      finish({ error: 'stopped' });
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err: NodeJS.ErrnoException) => finish({ error: networkError(err, u) }));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      res.on('data', (c: Buffer) => {
        if (size < MAX_REPLY_BYTES) chunks.push(c.subarray(0, MAX_REPLY_BYTES - size));
        else truncated = true;
        size += c.length;
        if (size > MAX_REPLY_BYTES) truncated = true;
      });
      res.on('end', () =>
        finish({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          ...(res.headers['content-type'] ? { contentType: res.headers['content-type'] } : {}),
          ...(truncated ? { truncated } : {}),
        }),
      );
      res.on('error', (err: NodeJS.ErrnoException) => finish({ error: networkError(err, u) }));
    });
    req.end(payload);
  });
}

function networkError(err: NodeJS.ErrnoException, u: URL): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return `connection refused: nothing listens at ${u.host}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve ${u.hostname}`;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'the connection was closed before a reply';
    default:
      return `${err.message}${err.code ? ` (${err.code})` : ''}`;
  }
}

export interface AttemptReport extends PostOutcome {
  attempt: number;
  at: string;
  verdict: ReplyVerdict;
  /** Milliseconds until the next attempt, when one follows. */
  nextInMs?: number;
}

export interface RetryOptions extends PostOptions {
  /** Multiplies the §3.1 schedule (1 = the documented 15 s ... 3600 s). */
  retryScale: number;
  /** false: one attempt only. */
  retry: boolean;
  /** Builds the body of attempt n (1-based): each attempt may be signed afresh with its own ts. */
  bodyFor: (attempt: number) => string;
  onAttempt?: (a: AttemptReport) => void;
  now: () => Date;
}

export interface DeliveryReport {
  delivered: boolean;
  attempts: AttemptReport[];
  /** Stopped by the signal before the schedule ran out. */
  stopped: boolean;
}

/** Sends until delivered, the schedule runs out, or the signal stops it. */
export async function sendWithRetries(url: string, opts: RetryOptions): Promise<DeliveryReport> {
  const attempts: AttemptReport[] = [];
  for (let n = 1; ; n++) {
    if (opts.signal?.aborted) return { delivered: false, attempts, stopped: true };
    const at = opts.now().toISOString();
    const outcome = await postNotification(url, opts.bodyFor(n), opts);
    if (opts.signal?.aborted && outcome.error === 'stopped') return { delivered: false, attempts, stopped: true };
    const verdict = judgeReply(outcome);
    const next = verdict.delivered || !opts.retry ? undefined : retryDelayMs(n, opts.retryScale);
    const report: AttemptReport = { ...outcome, attempt: n, at, verdict, ...(next !== undefined ? { nextInMs: next } : {}) };
    attempts.push(report);
    opts.onAttempt?.(report);
    if (verdict.delivered) return { delivered: true, attempts, stopped: false };
    if (next === undefined) return { delivered: false, attempts, stopped: false };
    const stopped = await sleep(next, opts.signal);
    if (stopped) return { delivered: false, attempts, stopped: true };
  }
}

/** Waits `ms`; resolves true if the signal fired first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(true);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(false);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      resolve(true);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
