/**
 * What `tacpay listen` prints about what it receives. Everything in a request came from the network,
 * unauthenticated, so every piece of it goes through inert() (terminal escapes, bidi overrides and
 * newlines made visible) and is clipped: a person's view is a summary; --json carries all of it, as
 * JSON-escaped data. A body refused before it could be read as a notification is one line.
 */
import type { ReceivedNotification, RequestInfo } from '../../../sandbox/notify-receiver.js';
import type { Ctx } from '../../context.js';
import { inert } from '../../../core/inert.js';
import type { StaleRegistration } from './register.js';

export interface NotificationEvent {
  event: 'notification';
  n: number;
  at: string;
  contentType: string | null;
  bytes: number;
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
    bytes: r.bytes,
    verified: r.check.ok,
    issues: r.check.issues.map((i) => ({ code: i.code, severity: i.severity, message: i.message })),
    body: r.check.body ?? null,
    reply: r.reply,
  };
}

/** Fields shown per notification (a real one has 14), and characters per key and value. */
const MAX_FIELDS = 30;
const MAX_KEY = 40;
const MAX_VALUE = 200;

/** At most `max` characters of untrusted text, made inert; the length is said when clipped. */
export function shown(text: string, max: number): string {
  if (text.length <= max) return inert(text, { singleLine: true });
  let cut = text.slice(0, max);
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  return `${inert(cut, { singleLine: true })}…(${text.length})`;
}

function valueText(v: unknown): string {
  return typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
}

/** A person's view of one notification: the verdict, the fields, what was answered. */
export function renderNotification(e: NotificationEvent, raw: string, ctx: Ctx): string {
  const c = ctx.color;
  const replied = `${c.dim('replied')} ${inert(JSON.stringify(e.reply), { singleLine: true })}`;
  const head = `${c.bold(`#${e.n}`)} ${c.dim(e.at)} ${e.verified ? c.green('✓ verified') : c.red('✗ refused')}`;
  if (!e.body) {
    const reason = e.issues.find((i) => i.severity === 'error')?.message ?? e.reply.msg;
    const preview = raw ? ` ${c.dim('body')} "${shown(raw, 60)}"` : '';
    return `${head} (${e.bytes} bytes): ${shown(reason, MAX_VALUE)};${preview} ${replied}\n`;
  }
  const b = e.body;
  let out = `${head}${b.out_trade_no !== undefined ? ` ${shown(valueText(b.out_trade_no), 64)}` : ''}${b.amount !== undefined ? ` ${shown(valueText(b.amount), 32)} fen` : ''}\n`;
  const entries = Object.entries(b);
  const listed = entries.slice(0, MAX_FIELDS).map(([k, v]) => [shown(k, MAX_KEY), k === 'sign' ? shown(valueText(v), 20) : shown(valueText(v), MAX_VALUE)] as const);
  const width = Math.max(0, ...listed.map(([k]) => k.length));
  for (const [k, v] of listed) out += `  ${k.padEnd(width)}  ${v}\n`;
  if (entries.length > MAX_FIELDS) out += `  ${c.dim(`… ${entries.length - MAX_FIELDS} more fields (--json shows them all)`)}\n`;
  for (const i of e.issues) out += `  ${i.severity === 'error' ? c.red('✗') : c.yellow('!')} ${shown(i.message, MAX_VALUE)}\n`;
  out += `  ${replied}\n`;
  return out;
}

/** One stderr line per request for --verbose: method, path, content type, size, status, time, peer. */
export function requestLine(r: RequestInfo): string {
  const ret = r.ret === null ? '' : ` ret ${r.ret}`;
  return `${r.at.slice(11, 23)} ${shown(r.method, 16)} ${shown(r.path, 120)} ${r.contentType === null ? '-' : shown(r.contentType, 80)} ${r.bytes} B → ${r.status}${ret} ${r.ms.toFixed(1)}ms from ${shown(r.remote, 64)}\n`;
}

/** One line about a stale registration (a listen --register that was killed, or whose port went). */
export function staleLine(s: StaleRegistration): string {
  const who = `tacpay listen --register pid ${s.pid} (${shown(s.url, 120)}, merchant ${shown(s.offerId, 40)}) is ${s.reason}`;
  const before = s.previous === null ? 'none' : shown(s.previous, 120);
  if (!s.repaired) {
    return s.current
      ? `the notify URL points at a stale registration: ${who}; run tacpay listen --register once to put back the URL before it (${before})`
      : `a stale registration: ${who}; the next tacpay listen --register repairs the record (what goes back is ${before})`;
  }
  return s.current ? `a stale registration: ${who}; the URL before it (${before}) is what this listen restores` : `a stale registration: ${who}; removed, so the listen after it restores ${before} instead`;
}
