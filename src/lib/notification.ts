/**
 * Verifying a payment notification in a merchant's handler (spec §3.1, signature §7 D2): the checks
 * `tacpay listen` and the sandbox's receiver make, as one call that returns a verdict instead of
 * answering HTTP.
 */
import { jsonDepth, MAX_JSON_DEPTH } from '../core/json-limits.js';
import { verifyNotification as coreVerify, MAX_NOTIFY_BYTES, OK_REPLY, type Notification } from '../core/notification.js';
import type { Issue } from '../core/issues.js';
import { publicKeyFrom, type KeyInput } from './keys.js';

export type { Notification } from '../core/notification.js';
export type { Issue } from '../core/issues.js';

/**
 * The reply that tells the platform a notification was received: send it as the JSON body, HTTP 200.
 * @example res.end(JSON.stringify(NOTIFY_OK_REPLY))
 */
export const NOTIFY_OK_REPLY: { readonly ret: 0; readonly msg: 'ok' } = OK_REPLY;

export interface VerifyNotificationOptions {
  platformPublicKey: KeyInput;
  /** The merchant's offerKey: it ends the string the platform signed, so without it nothing verifies (the verdict says so). */
  offerKey?: string;
  /** The clock ts is judged against (±300 s); default now. */
  now?: Date;
}

export type NotificationVerdict =
  | { ok: true; notification: Notification; warnings: Issue[] }
  /** `code` is stable (notify.sign.invalid, notify.ts.stale, ...); `reason` is for the reply's msg and logs. */
  | { ok: false; reason: string; code: string; issues: Issue[] };

function refuse(code: string, reason: string): NotificationVerdict {
  return { ok: false, code, reason, issues: [{ code, severity: 'error', message: reason }] };
}

/**
 * Verifies a notification: the raw body (string or Buffer, preferred) or an already parsed object.
 * Never throws for what the network sent.
 * @example const v = verifyNotification(rawBody, { platformPublicKey, offerKey }); if (v.ok) fulfil(v.notification.out_trade_no)
 */
export function verifyNotification(body: string | Uint8Array | object, opts: VerifyNotificationOptions): NotificationVerdict {
  let raw: string;
  if (typeof body === 'string') raw = body;
  else if (body instanceof Uint8Array) raw = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  else {
    try {
      raw = JSON.stringify(body);
    } catch {
      return refuse('notify.not-json', 'the body cannot be read as JSON');
    }
  }
  if (Buffer.byteLength(raw) > MAX_NOTIFY_BYTES) return refuse('notify.too-large', `the body is over ${MAX_NOTIFY_BYTES} bytes`);
  // Measured before parsing, as the receiver does: a deeply nested body overflows the stack when walked.
  if (jsonDepth(raw, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) return refuse('notify.too-deep', `the body nests deeper than ${MAX_JSON_DEPTH} levels`);
  if (opts.offerKey === undefined || opts.offerKey === '') return refuse('notify.offer-key.missing', 'no offerKey given: the signature covers it, so it cannot be checked');
  const key = publicKeyFrom(opts.platformPublicKey, 'platformPublicKey');
  const check = coreVerify(raw, opts.offerKey, key, { now: opts.now ?? new Date() });
  const first = check.issues.find((i) => i.severity === 'error');
  if (!check.ok || !check.body) return { ok: false, code: first?.code ?? 'notify.invalid', reason: first?.message ?? 'the notification is not valid', issues: check.issues };
  return { ok: true, notification: check.body as unknown as Notification, warnings: check.issues };
}
