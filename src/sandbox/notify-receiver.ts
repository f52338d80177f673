/**
 * A local notify receiver: what a merchant's handler does, minus the business. It reads the body as
 * JSON whatever the Content-Type, verifies the notification (§7 D2 with the sandbox platform key and
 * the merchant's offerKey, ts within the window) and answers {"ret":0,"msg":"ok"} or
 * {"ret":-1,"msg":"<reason>"} (never an empty msg, spec §3.1). `tacpay listen` and the scenarios'
 * built-in handler run on it.
 *
 * Anyone who can reach the port can send it anything, so every request is answered with a reason and
 * nothing from it can take the process down: the body is capped (Content-Length checked before
 * reading), its nesting is measured before it is parsed (one 10 KB body of nested arrays used to
 * overflow the stack in JSON.stringify and kill `tacpay listen`), headers and body must arrive in
 * time, and connections are capped.
 */
import type { KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { jsonDepth, MAX_JSON_DEPTH } from '../core/json-limits.js';
import { MAX_NOTIFY_BYTES, verifyNotification, type NotificationCheck } from '../core/notification.js';

/** The limits a hostile client meets; tests shorten the timeouts. */
export interface ReceiverLimits {
  maxBytes: number;
  /** From the end of the headers to the end of the body. */
  bodyTimeoutMs: number;
  /** From the connection (or the previous request on it) to the end of the headers: slowloris. */
  headersTimeoutMs: number;
  /** Connections open at once; more are closed as they arrive. */
  maxConnections: number;
}

/** How long the rest of a body over the cap is read (and dropped) after the refusal, before the connection is cut. */
const DRAIN_MS = 1000;

export const DEFAULT_LIMITS: ReceiverLimits = { maxBytes: MAX_NOTIFY_BYTES, bodyTimeoutMs: 10_000, headersTimeoutMs: 10_000, maxConnections: 64 };

/** GET here answers {"service":"tacpay-listen","pid":...} when `identify` is on: how a later listen tells a live registration from a stale one. */
export const IDENTITY_PATH = '/_tacpay/listen';
export const IDENTITY_SERVICE = 'tacpay-listen';

export interface ReceiverKeys {
  offerKey: string;
  platformPublicKey: KeyObject;
}

export interface Reply {
  ret: number;
  msg: string;
}

export interface ReceivedNotification {
  /** 1-based count of notifications received. */
  n: number;
  at: string;
  contentType: string | null;
  /** The body as text; '' when it was refused unread (too large, too slow). */
  raw: string;
  /** Bytes of body that arrived (counted past the cap, up to where reading stopped). */
  bytes: number;
  check: NotificationCheck;
  reply: Reply;
  /** The HTTP status answered (200 for every body that was read; 408, 413 for the refused unread). */
  status: number;
}

/** One line's worth about any request, for --verbose. Every string came from the network. */
export interface RequestInfo {
  at: string;
  method: string;
  path: string;
  contentType: string | null;
  bytes: number;
  status: number;
  ret: number | null;
  ms: number;
  remote: string;
}

export interface ReceiverOptions {
  host?: string;
  port?: number;
  /** The keys for a notification's appid (offerId); undefined when the merchant is unknown. */
  keysFor: (appid: string) => ReceiverKeys | undefined;
  /** The reply to a notification that verified; default ok. */
  replyTo?: (n: number, check: NotificationCheck) => Reply;
  now?: () => Date;
  onNotification?: (r: ReceivedNotification) => void;
  onRequest?: (r: RequestInfo) => void;
  /** A connection closed because `maxConnections` were open. */
  onDropped?: (open: number) => void;
  /** A request Node's HTTP parser refused (malformed, headers too large or too slow); it was answered with `reason`. */
  onMalformed?: (r: { status: number; reason: string; remote: string }) => void;
  /** A callback (onNotification, onRequest) threw: the request was still answered. */
  onError?: (err: unknown) => void;
  /** Answer GET IDENTITY_PATH with this process's pid. */
  identify?: boolean;
  /** How many received notifications `received` keeps (the oldest go first); default all. */
  retain?: number;
  limits?: Partial<ReceiverLimits>;
}

export interface Receiver {
  server: Server;
  url: string;
  received: ReceivedNotification[];
  /** Notifications received in all, including those `retain` let go. */
  readonly count: number;
  close(): Promise<void>;
}

export const OK: Reply = { ret: 0, msg: 'ok' };

type Body = { kind: 'read'; raw: string; bytes: number } | { kind: 'too-large'; bytes: number } | { kind: 'timeout'; bytes: number } | { kind: 'aborted'; bytes: number };

/** Reads the body up to `limits.maxBytes` and within `limits.bodyTimeoutMs`; stops reading at the first sign of either. */
function readBody(req: IncomingMessage, limits: ReceiverLimits): Promise<Body> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxBytes) return Promise.resolve({ kind: 'too-large', bytes: declared });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const done = (b: Body): void => {
      clearTimeout(timer);
      req.off('data', onData);
      resolve(b);
    };
    const timer = setTimeout(() => done({ kind: 'timeout', bytes }), limits.bodyTimeoutMs);
    const onData = (c: Buffer): void => {
      bytes += c.length;
      if (bytes > limits.maxBytes) done({ kind: 'too-large', bytes });
      else chunks.push(c);
    };
    req.on('data', onData);
    req.on('end', () => done({ kind: 'read', raw: Buffer.concat(chunks).toString('utf8'), bytes }));
    req.on('error', () => done({ kind: 'aborted', bytes }));
    req.on('close', () => done({ kind: 'aborted', bytes }));
  });
}

function refusedCheck(code: string, message: string): NotificationCheck {
  return { ok: false, issues: [{ code, severity: 'error', message }] };
}

/** Checks one body: unknown merchant and every verification error become the refusal's msg. */
export function checkBody(raw: string, keysFor: ReceiverOptions['keysFor'], now: Date): { check: NotificationCheck; refusal?: string } {
  // Measured before parsing: V8 parses any depth, but stringifying or walking it afterwards overflows the stack.
  if (jsonDepth(raw, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    const message = `the body nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels (a notification needs 3)`;
    return { check: refusedCheck('notify.too-deep', message), refusal: message };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { check: refusedCheck('notify.not-json', 'the body is not JSON'), refusal: 'the body is not JSON' };
  }
  const appid = (parsed as { appid?: unknown } | null)?.appid;
  const keys = typeof appid === 'string' ? keysFor(appid) : undefined;
  if (!keys) {
    // No body on the check: nothing unverifiable may pass for a notification of a known merchant
    // (the scenarios match the bodies they received by out_trade_no). The refusal names the appid.
    const message = typeof appid === 'string' ? `no sandbox merchant ${appid}` : 'appid is missing';
    return { check: refusedCheck('notify.appid.unknown', message), refusal: message };
  }
  const check = verifyNotification(raw, keys.offerKey, keys.platformPublicKey, { now });
  const first = check.issues.find((i) => i.severity === 'error');
  return { check, ...(first ? { refusal: first.message } : {}) };
}

/** Why a body was not read, as the refusal says it. */
function unreadRefusal(body: Exclude<Body, { kind: 'read' }>, limits: ReceiverLimits): { status: number; code: string; msg: string } {
  if (body.kind === 'too-large') return { status: 413, code: 'notify.too-large', msg: `the body is over ${limits.maxBytes} bytes` };
  if (body.kind === 'timeout') return { status: 408, code: 'notify.timeout', msg: `the body did not arrive within ${limits.bodyTimeoutMs / 1000} s` };
  return { status: 400, code: 'notify.aborted', msg: 'the connection closed before the body ended' };
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

function malformedReason(err: NodeJS.ErrnoException, limits: ReceiverLimits): [number, string] {
  if (err.code === 'HPE_HEADER_OVERFLOW') return [431, 'the request headers are over 16 KB'];
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return [408, `the request headers did not arrive within ${limits.headersTimeoutMs / 1000} s`];
  return [400, `not a well-formed HTTP request (${String(err.code ?? 'parse error')})`];
}

/** Starts the receiver on host:port (port 0: a free one); every path is accepted. */
/** A callback's failure (a printout that cannot be made) must cost one line, never the receiver. */
function safeCaller(opts: ReceiverOptions): (fn: () => void) => void {
  return (fn) => {
    try {
      fn();
    } catch (err) {
      try {
        opts.onError?.(err);
      } catch {
        // Nothing left to tell.
      }
    }
  };
}

/** The HTTP server with the receiver's limits, and a reasoned answer to what Node's parser refuses. */
function receiverServer(limits: ReceiverLimits, opts: ReceiverOptions, safely: (fn: () => void) => void, handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Server {
  const server = createServer({ maxHeaderSize: 16 * 1024, connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs) }, (req, res) => {
    res.on('error', () => {});
    void handle(req, res);
  });
  server.headersTimeout = limits.headersTimeoutMs;
  // A backstop behind the body timer (which answers with a reason): Node's own cut says nothing.
  server.requestTimeout = limits.headersTimeoutMs + limits.bodyTimeoutMs + 5000;
  server.maxHeadersCount = 100;
  server.maxConnections = limits.maxConnections;
  server.on('drop', () => safely(() => opts.onDropped?.(limits.maxConnections)));
  // Node's own answer to a request its parser refuses is a bare 400 with no reason: this one says why.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    const remote = socket.remoteAddress ?? '';
    if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    const [status, reason] = malformedReason(err, limits);
    const text = JSON.stringify({ ret: -1, msg: reason });
    socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
    socket.once('finish', () => socket.destroy());
    safely(() => opts.onMalformed?.({ status, reason, remote }));
  });
  return server;
}

export async function startReceiver(opts: ReceiverOptions): Promise<Receiver> {
  const limits: ReceiverLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const received: ReceivedNotification[] = [];
  let count = 0;
  const now = opts.now ?? (() => new Date());
  const safely = safeCaller(opts);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const path = req.url ?? '';
    const contentType = req.headers['content-type'] ?? null;
    let bytes = 0;
    const send = (status: number, reply: unknown, after: 'keep' | 'close' | 'drain' = 'keep'): void => {
      if (res.headersSent || res.destroyed) return;
      const text = JSON.stringify(reply);
      const headers: Record<string, string | number> = { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) };
      if (status === 405) headers.Allow = 'POST';
      // Node cuts the connection as soon as this answer is out.
      if (after === 'close') headers.Connection = 'close';
      res.writeHead(status, headers);
      res.end(text);
      // A body over the cap is discarded as it comes, for a moment: a client that writes all of it
      // before reading (Node's own does) then reads the answer instead of an EPIPE. Then it is cut.
      if (after === 'drain') res.once('finish', () => setTimeout(() => req.complete || req.socket.destroy(), DRAIN_MS).unref());
      const ret = typeof (reply as Reply).ret === 'number' ? (reply as Reply).ret : null;
      if (opts.onRequest) safely(() => opts.onRequest!({ at: now().toISOString(), method: req.method ?? '', path, contentType, bytes, status, ret, ms: performance.now() - started, remote: req.socket.remoteAddress ?? '' }));
    };
    const record = (raw: string, check: NotificationCheck, reply: Reply, status: number): void => {
      const r: ReceivedNotification = { n: ++count, at: now().toISOString(), contentType, raw, bytes, check, reply, status };
      received.push(r);
      if (opts.retain !== undefined && received.length > opts.retain) received.splice(0, received.length - opts.retain);
      send(status, reply, status === 200 ? 'keep' : status === 413 ? 'drain' : 'close');
      if (opts.onNotification) safely(() => opts.onNotification!(r));
    };
    try {
      if (opts.identify && req.method === 'GET' && path === IDENTITY_PATH) return send(200, { service: IDENTITY_SERVICE, pid: process.pid });
      if (req.method !== 'POST') {
        req.resume();
        return send(405, { ret: -1, msg: 'notifications are POSTed' });
      }
      const body = await readBody(req, limits);
      bytes = body.bytes;
      if (body.kind !== 'read') {
        const { status, code, msg } = unreadRefusal(body, limits);
        return record('', refusedCheck(code, msg), { ret: -1, msg }, status);
      }
      const { check, refusal } = checkBody(body.raw, opts.keysFor, now());
      const reply = refusal ? { ret: -1, msg: refusal } : (opts.replyTo?.(count + 1, check) ?? OK);
      record(body.raw, check, reply, 200);
    } catch (err) {
      // A bug, not the client's doing: still an answer, and the receiver keeps running.
      send(500, { ret: -1, msg: `the receiver could not check this body: ${(err as Error)?.message ?? String(err)}` }, 'close');
      safely(() => opts.onError?.(err));
    }
  };

  const server = receiverServer(limits, opts, safely, handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    server,
    url: `http://${host}:${addr.port}/notify`,
    received,
    get count() {
      return count;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
