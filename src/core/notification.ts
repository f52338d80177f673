/**
 * The payment notification (spec §3.1): the JSON body the platform POSTs to the merchant's notify
 * URL, its signature (§7 D2, assumed: the public material never says how the callback is signed),
 * the retry schedule, and the strict judgement of the merchant's reply. Pure: node:crypto only for
 * signing with keys the caller hands in; no IO, never prints.
 */
import { createSign, type KeyObject } from 'node:crypto';
import { joinParams, type Params } from './canonical.js';
import { parseBoundedJson } from './json-limits.js';
import { issue, type Issue } from './issues.js';
import { isStrictBase64, verifyBytes } from './signature.js';
import { readTs, TS_WINDOW_S, type TsMode } from './timestamp.js';

/** Largest notification body read (the receiver's and the library's cap): a real one is about 1 KB, 17 KB with the longest sub_out_trade_no_list the sandbox accepts. */
export const MAX_NOTIFY_BYTES = 64 * 1024;

/** The §3.1 fields, in the documented order (sign last). */
export const NOTIFY_FIELDS = [
  'appid',
  'sub_appid',
  'user_id',
  'out_trade_no',
  'product_id',
  'currency_type',
  'amount',
  'pay_channel',
  'pay_scene',
  'pay_channel_orderid',
  'metadata',
  'sub_out_trade_no_list',
  'ts',
  'sign',
] as const;

/** Seconds between attempts when no success reply arrives (spec §3.1): ten attempts in all. */
export const RETRY_SCHEDULE_S: readonly number[] = [15, 15, 30, 180, 1800, 1800, 1800, 1800, 3600];

/** The one reply that means "delivered" (spec §3.1): ret 0 and lowercase "ok". */
export const OK_REPLY = { ret: 0, msg: 'ok' } as const;

/** pay_scene values (spec §3.1). */
export const PAY_SCENES: Readonly<Record<number, string>> = {
  1: 'Android app',
  2: 'iOS app',
  3: 'PC web',
  4: 'H5 / WeChat official account',
  5: 'mini program',
  6: 'QR code',
};

/** A notification before signing: every §3.1 field but sign. */
export interface NotificationFields {
  appid: string;
  sub_appid: string;
  user_id: string;
  out_trade_no: string;
  product_id: string;
  currency_type: string;
  amount: number;
  pay_channel: string;
  pay_scene: number;
  pay_channel_orderid: string;
  metadata: string;
  sub_out_trade_no_list: unknown[];
  ts: string;
}

export type Notification = NotificationFields & { sign: string };

/**
 * The notification's ts: the true unix epoch in seconds. §3.1 says "unix timestamp (seconds)" and,
 * unlike requests (§1.4.4), no callback example shows the epoch-28800 reading; receivers should
 * still accept either (readTs), as the sandbox does for requests.
 */
export function notificationTs(now: Date): string {
  return String(Math.floor(now.getTime() / 1000));
}

/** Parses sub_out_trade_no_list as stored (JSON text) into the array the body carries; [] when absent or unreadable. */
export function subOrderList(text: string | null | undefined): unknown[] {
  if (!text) return [];
  // Bounded: a list stored before the limits existed must not overflow the stack when signed.
  const v = parseBoundedJson(text);
  return Array.isArray(v) ? v : [];
}

/**
 * The D2 string-to-sign: the top-level fields except sign, keys in code-unit order, raw values,
 * arrays and objects as compact JSON, absent (undefined/null) fields skipped, empty strings kept,
 * followed directly by the offerKey. The same rules as request signing (§1.4), so one implementation.
 */
export function notificationCanonical(body: object, offerKey: string): string {
  return joinParams(body as Params) + offerKey;
}

/** Signs the fields (D2, SHA256withRSA with the platform key) and returns the body to send, sign last. */
export function signNotification(fields: NotificationFields, offerKey: string, platformKey: KeyObject): Notification {
  const sign = createSign('RSA-SHA256').update(notificationCanonical(fields, offerKey), 'utf8').sign(platformKey, 'base64');
  return { ...fields, sign };
}

/** The body as it goes on the wire: compact JSON, fields in the documented order. */
export function notificationJson(fields: object): string {
  const body = fields as Readonly<Record<string, unknown>>;
  const ordered: Record<string, unknown> = {};
  for (const k of NOTIFY_FIELDS) if (k in body) ordered[k] = body[k];
  for (const k of Object.keys(body)) if (!(k in ordered)) ordered[k] = body[k];
  return JSON.stringify(ordered);
}

export interface NotificationCheck {
  /** True when the signature verifies and the ts is fresh: what a receiver may act on. */
  ok: boolean;
  /** error: reject; warning: suspicious but not a reason to reject. */
  issues: Issue[];
  /** The parsed body, when it is a JSON object. */
  body?: Record<string, unknown>;
  /** The string-to-sign without the offerKey (safe to show; the offerKey never is). */
  signedText?: string;
  /** Which reading of ts fell inside the window. */
  tsReading?: TsMode;
}

export interface VerifyNotificationOptions {
  now: Date;
  /** Seconds either side of now that ts may be (default 300, the sandbox's request window). */
  windowS?: number;
}

/**
 * What a correct receiver does with a notification: parse the body as JSON whatever the
 * Content-Type, require a sign, verify it (D2) with the platform public key and the offerKey, and
 * refuse a ts outside the window (a replay). Field shapes are checked too, as warnings.
 */
export function verifyNotification(raw: string, offerKey: string, platformPublicKey: KeyObject, opts: VerifyNotificationOptions): NotificationCheck {
  const issues: Issue[] = [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { ok: false, issues: [issue('notify.not-json', 'error', 'the body is not JSON', { hint: 'the platform sends a JSON body (spec §3.1)' })] };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { ok: false, issues: [issue('notify.not-object', 'error', 'the body is JSON but not an object')] };
  }
  const body = parsed as Record<string, unknown>;
  const signedText = joinParams(body as Params);
  const sign = body.sign;
  if (sign === undefined || sign === null || sign === '') {
    issues.push(issue('notify.sign.missing', 'error', 'sign is missing', { path: 'sign', hint: 'an unsigned notification must be refused' }));
  } else if (typeof sign !== 'string' || !isStrictBase64(sign)) {
    issues.push(issue('notify.sign.format', 'error', 'sign is not standard Base64', { path: 'sign' }));
  } else if (!verifyBytes(signedText + offerKey, Buffer.from(sign, 'base64'), platformPublicKey)) {
    issues.push(
      issue('notify.sign.invalid', 'error', 'the signature does not verify (D2: SHA256withRSA over the sorted fields + offerKey, platform public key)', {
        path: 'sign',
        hint: 'a field was changed after signing, or it was signed with another key or offerKey',
      }),
    );
  }
  let tsReading: TsMode | undefined;
  const ts = body.ts;
  if (typeof ts !== 'string' && typeof ts !== 'number') {
    issues.push(issue('notify.ts.missing', 'error', 'ts is missing', { path: 'ts' }));
  } else {
    const reading = readTs(String(ts), opts.now, opts.windowS ?? TS_WINDOW_S);
    if (!reading) issues.push(issue('notify.ts.format', 'error', `ts ${JSON.stringify(String(ts)).slice(0, 24)} is not unix seconds`, { path: 'ts' }));
    else if (!reading.matched) {
      const skew = reading.skew.epoch;
      const when = skew < 0 ? `${-skew} s old` : `${skew} s in the future`;
      issues.push(
        issue('notify.ts.stale', 'error', `ts is ${when}, outside ±${opts.windowS ?? TS_WINDOW_S} s (a replay, or a clock off)`, {
          path: 'ts',
          hint: 'refuse it: an old notification sent again must not be acted on twice',
        }),
      );
    } else tsReading = reading.matched;
  }
  issues.push(...checkFields(body));
  const ok = !issues.some((i) => i.severity === 'error');
  return { ok, issues, body, signedText, ...(tsReading ? { tsReading } : {}) };
}

function checkFields(body: Record<string, unknown>): Issue[] {
  const out: Issue[] = [];
  for (const f of NOTIFY_FIELDS) {
    if (f === 'sign' || f === 'ts') continue;
    if (!(f in body)) out.push(issue(`notify.${f}.missing`, 'warning', `${f} is missing (spec §3.1 lists it)`, { path: f }));
  }
  if ('amount' in body && !(typeof body.amount === 'number' && Number.isInteger(body.amount) && body.amount > 0)) {
    out.push(issue('notify.amount.type', 'warning', 'amount should be a whole number of fen (an int, spec §3.1)', { path: 'amount' }));
  }
  if ('pay_scene' in body && !(typeof body.pay_scene === 'number' && PAY_SCENES[body.pay_scene] !== undefined)) {
    out.push(issue('notify.pay_scene.value', 'warning', 'pay_scene should be an int from 1 to 6 (spec §3.1)', { path: 'pay_scene' }));
  }
  return out;
}

/** The merchant's reply as judged by the platform. */
export interface ReplyVerdict {
  delivered: boolean;
  /** Why not (empty when delivered). */
  reason: string;
  ret?: unknown;
  msg?: unknown;
}

/** What came back from one POST: an HTTP answer, or none (network error, timeout). */
export interface ReplySeen {
  status?: number;
  body?: string;
  /** Why there was no answer. */
  error?: string;
}

/**
 * Strict judgement (spec §3.1): delivered only on HTTP 2xx with a JSON object whose ret is the
 * number 0 and whose msg is exactly "ok". Anything else is not delivered, with the reason in words.
 */
export function judgeReply(seen: ReplySeen): ReplyVerdict {
  if (seen.status === undefined) return { delivered: false, reason: seen.error ?? 'no reply' };
  if (seen.status < 200 || seen.status > 299) return { delivered: false, reason: `HTTP ${seen.status}: only a 2xx reply can count as delivered` };
  const text = (seen.body ?? '').replace(/^\uFEFF/, '');
  if (text.trim() === '') return { delivered: false, reason: 'empty reply body; expected {"ret":0,"msg":"ok"}' };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { delivered: false, reason: `the reply is not JSON; expected {"ret":0,"msg":"ok"}` };
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return { delivered: false, reason: 'the reply is JSON but not an object; expected {"ret":0,"msg":"ok"}' };
  const { ret, msg } = v as { ret?: unknown; msg?: unknown };
  const seenFields = { ret, msg };
  if (ret === undefined) return { delivered: false, reason: 'the reply has no ret', ...seenFields };
  if (ret !== 0) {
    if (ret === '0') return { delivered: false, reason: 'ret is the string "0"; it must be the number 0', ...seenFields };
    const why = typeof msg === 'string' && msg !== '' ? `: ${msg.slice(0, 200)}` : '';
    return { delivered: false, reason: `ret ${JSON.stringify(ret)} (the handler refused${why})`, ...seenFields };
  }
  if (msg === undefined) return { delivered: false, reason: 'ret is 0 but msg is missing; it must be "ok"', ...seenFields };
  if (msg !== 'ok') {
    if (typeof msg === 'string' && msg.trim().toLowerCase() === 'ok') return { delivered: false, reason: `msg is ${JSON.stringify(msg)}; it must be exactly lowercase "ok"`, ...seenFields };
    return { delivered: false, reason: `ret is 0 but msg is ${JSON.stringify(msg).slice(0, 60)}; it must be "ok"`, ...seenFields };
  }
  return { delivered: true, reason: '', ...seenFields };
}

/**
 * A lenient reading for probes: did the handler *try* to accept (2xx and ret 0 or "0", whatever
 * msg says)? A forged notification that gets this is a hole even if the strict judge would not
 * count it as delivered: a lenient platform, or the handler's own side effects, would.
 */
export function looksAccepted(seen: ReplySeen): boolean {
  if (seen.status === undefined || seen.status < 200 || seen.status > 299) return false;
  try {
    const v = JSON.parse((seen.body ?? '').replace(/^\uFEFF/, '')) as { ret?: unknown } | null;
    return Boolean(v && typeof v === 'object' && (v.ret === 0 || v.ret === '0'));
  } catch {
    return false;
  }
}

/** The delay before attempt `n + 1` after attempt `n` (1-based) failed, scaled; undefined when no attempt follows. */
export function retryDelayMs(attempt: number, scale: number): number | undefined {
  const s = RETRY_SCHEDULE_S[attempt - 1];
  return s === undefined ? undefined : Math.round(s * 1000 * scale);
}

/** How many attempts the schedule allows: the first plus one per interval. */
export const MAX_ATTEMPTS = RETRY_SCHEDULE_S.length + 1;

/** A retry scale from user text: a number above 0 and at most 1 (faster than documented, never slower). */
export function parseRetryScale(text: string): number | undefined {
  if (!/^(?:\d+(?:\.\d*)?|\.\d+)(?:e-?\d+)?$/i.test(text.trim())) return undefined;
  const n = Number(text);
  return n > 0 && n <= 1 ? n : undefined;
}
