/**
 * Handler probes (`simulate notify --probes`): forged and abnormal notifications sent to the
 * merchant's handler, each judged by what a correct handler must answer. Forged ones (bad or
 * foreign signature, amount changed after signing, no sign), stale and replayed ones, an unknown
 * order and malformed JSON must not be acknowledged; a genuine one delivered twice must be accepted
 * both times (the platform retries, so handlers must be idempotent). A forged notification counts
 * as acknowledged if the reply looks like success at all (2xx and ret 0, any msg): a lenient
 * platform, or the handler's own side effects, would take it.
 */
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { judgeReply, looksAccepted, notificationJson, notificationTs, signNotification, type NotificationFields } from '../core/notification.js';
import { JSON_TYPE, postNotification, type PostOutcome } from './notify.js';

export type ProbeId = 'bad-signature' | 'other-key' | 'amount-changed' | 'sign-missing' | 'stale-ts' | 'unknown-order' | 'malformed-json' | 'duplicate' | 'wrong-content-type' | 'replay';
export type Expectation = 'refuse' | 'accept' | 'either';

export interface ProbeSend {
  body: string;
  contentType: string;
}

export interface Probe {
  id: ProbeId;
  /** What was sent, in words. */
  sent: string;
  expect: Expectation;
  sends: ProbeSend[];
}

/** Seconds: older than any sensible window (the sandbox signs every attempt afresh, so genuine notifications are seconds old). */
export const STALE_S = 3600;
export const REPLAY_AGE_S = 3 * 86400;

export interface ProbeKeys {
  offerKey: string;
  platformKey: KeyObject;
  /** A key the handler does not trust; a fresh one when not given. */
  otherKey?: KeyObject;
}

/**
 * The probes for one genuine notification (`base`, which the handler should accept), in the order
 * they are sent: forged and stale ones first, while the order is still unprocessed, so an
 * "already processed → ok" shortcut cannot hide a missing check; then the genuine one twice; the
 * replay last, once the order has been processed.
 */
export function buildProbes(base: Omit<NotificationFields, 'ts'>, keys: ProbeKeys, now: Date): Probe[] {
  const ts = notificationTs(now);
  const at = (ageS: number): string => notificationTs(new Date(now.getTime() - ageS * 1000));
  const genuine = signNotification({ ...base, ts }, keys.offerKey, keys.platformKey);
  const json = (b: object): ProbeSend => ({ body: notificationJson(b), contentType: JSON_TYPE });
  const otherKey = keys.otherKey ?? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const flipped = Buffer.from(genuine.sign, 'base64');
  flipped[flipped.length >> 1]! ^= 0x01;
  const { sign: _drop, ...unsigned } = genuine;
  const unknownNo = `tacpay_probe_${randomBytes(6).toString('hex')}`;
  const genuineText = notificationJson(genuine);
  const changedAmount = base.amount > 1 ? base.amount - 1 : base.amount + 1;
  return [
    { id: 'bad-signature', sent: 'the genuine notification with one bit of its signature flipped', expect: 'refuse', sends: [json({ ...genuine, sign: flipped.toString('base64') })] },
    { id: 'other-key', sent: 'signed correctly, but with a key that is not the platform key', expect: 'refuse', sends: [json(signNotification({ ...base, ts }, keys.offerKey, otherKey))] },
    { id: 'amount-changed', sent: `the genuine notification with amount changed from ${base.amount} to ${changedAmount} after signing`, expect: 'refuse', sends: [json({ ...genuine, amount: changedAmount })] },
    { id: 'sign-missing', sent: 'the genuine notification without its sign field', expect: 'refuse', sends: [json(unsigned)] },
    { id: 'stale-ts', sent: `genuinely signed, but ts is ${STALE_S} s old`, expect: 'refuse', sends: [json(signNotification({ ...base, ts: at(STALE_S) }, keys.offerKey, keys.platformKey))] },
    { id: 'unknown-order', sent: `genuinely signed, for an order the handler cannot know (${unknownNo})`, expect: 'refuse', sends: [json(signNotification({ ...base, out_trade_no: unknownNo, ts }, keys.offerKey, keys.platformKey))] },
    { id: 'malformed-json', sent: 'the genuine body cut short: not valid JSON', expect: 'refuse', sends: [{ body: genuineText.slice(0, -12), contentType: JSON_TYPE }] },
    { id: 'duplicate', sent: 'the genuine notification, twice (the platform retries: both must be accepted)', expect: 'accept', sends: [json(genuine), json(genuine)] },
    {
      id: 'wrong-content-type',
      sent: 'the genuine notification labelled application/x-www-form-urlencoded (the real Content-Type is undocumented)',
      expect: 'either',
      sends: [{ body: genuineText, contentType: 'application/x-www-form-urlencoded' }],
    },
    { id: 'replay', sent: `an earlier genuine notification for this order (ts ${REPLAY_AGE_S / 86400} days old) sent again verbatim`, expect: 'refuse', sends: [json(signNotification({ ...base, ts: at(REPLAY_AGE_S) }, keys.offerKey, keys.platformKey))] },
  ];
}

export type ProbeVerdict = 'ok' | 'hole' | 'warn';

export interface ProbeReply {
  status?: number;
  body?: string;
  error?: string;
  latencyMs: number;
  /** 2xx with ret 0 (any msg): the handler meant to accept. */
  accepted: boolean;
  /** The strict platform rule: 2xx and exactly {"ret":0,"msg":"ok"}. */
  delivered: boolean;
}

export interface ProbeResult {
  id: ProbeId;
  sent: string;
  expect: Expectation;
  replies: ProbeReply[];
  verdict: ProbeVerdict;
  /** What the verdict means for the handler, in words. */
  finding: string;
}

const WHY: Partial<Record<ProbeId, string>> = {
  'bad-signature': 'it does not verify the signature',
  'other-key': 'it does not verify the signature against the platform public key',
  'amount-changed': 'it does not verify the signature over every field (or checks it after using the amount)',
  'sign-missing': 'it accepts unsigned notifications',
  'stale-ts': 'it does not refuse an old ts (replays are possible)',
  'unknown-order': 'it acknowledges orders it does not have (look the order up and compare the amount)',
  'malformed-json': 'it acknowledges a body it could not parse',
  replay: 'it acknowledges a replayed old notification (check ts before the "already processed" shortcut)',
};

function toReply(o: PostOutcome): ProbeReply {
  return {
    ...(o.status !== undefined ? { status: o.status } : {}),
    ...(o.body !== undefined ? { body: o.body } : {}),
    ...(o.error !== undefined ? { error: o.error } : {}),
    latencyMs: o.latencyMs,
    accepted: looksAccepted(o),
    delivered: judgeReply(o).delivered,
  };
}

/** Judges one probe's replies. */
export function judgeProbe(p: Probe, replies: ProbeReply[]): ProbeResult {
  const base = { id: p.id, sent: p.sent, expect: p.expect, replies };
  if (p.expect === 'refuse') {
    const r = replies[0]!;
    if (r.accepted) return { ...base, verdict: 'hole', finding: `acknowledged: ${WHY[p.id] ?? 'it accepts what it must refuse'}` };
    if (r.error) return { ...base, verdict: 'warn', finding: `no reply (${r.error}); refuse with {"ret":-1,"msg":"<reason>"} promptly, or the platform retries` };
    return { ...base, verdict: 'ok', finding: 'refused' };
  }
  if (p.expect === 'accept') {
    const bad = replies.findIndex((r) => !r.delivered);
    if (bad === -1) return { ...base, verdict: 'ok', finding: 'accepted both times (idempotent)' };
    const why = judgeReply(replies[bad]!).reason;
    return bad === 0
      ? { ...base, verdict: 'hole', finding: `the genuine notification was not accepted (${why}); is it for an order the handler knows? Until it is, the refusals above prove little` }
      : { ...base, verdict: 'hole', finding: `the repeat was not accepted (${why}): the platform retries until it gets ok, so a handler must answer ok to a notification it already processed` };
  }
  const r = replies[0]!;
  return r.delivered
    ? { ...base, verdict: 'ok', finding: 'accepted: it reads the body as JSON whatever the Content-Type' }
    : { ...base, verdict: 'warn', finding: `refused (${judgeReply(r).reason}): if production labels its JSON differently, real notifications would fail; parse the body whatever the Content-Type says` };
}

/** Sends every probe in order (one request at a time) and judges each. */
export async function runProbes(url: string, probes: readonly Probe[], opts: { timeoutMs: number; onResult?: (r: ProbeResult) => void; signal?: AbortSignal }): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  for (const p of probes) {
    if (opts.signal?.aborted) break;
    const replies: ProbeReply[] = [];
    for (const s of p.sends) replies.push(toReply(await postNotification(url, s.body, { timeoutMs: opts.timeoutMs, contentType: s.contentType, ...(opts.signal ? { signal: opts.signal } : {}) })));
    const r = judgeProbe(p, replies);
    results.push(r);
    opts.onResult?.(r);
  }
  return results;
}
