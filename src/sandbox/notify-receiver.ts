/**
 * A local notify receiver: what a merchant's handler does, minus the business. It reads the body as
 * JSON whatever the Content-Type, verifies the notification (§7 D2 with the sandbox platform key and
 * the merchant's offerKey, ts within the window) and answers {"ret":0,"msg":"ok"} or
 * {"ret":-1,"msg":"<reason>"} (never an empty msg, spec §3.1). `tacpay listen` and the scenarios'
 * built-in handler run on it.
 */
import type { KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyNotification, type NotificationCheck } from '../core/notification.js';

export const MAX_NOTIFY_BYTES = 64 * 1024;

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
  raw: string;
  check: NotificationCheck;
  reply: Reply;
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
}

export interface Receiver {
  server: Server;
  url: string;
  received: ReceivedNotification[];
  close(): Promise<void>;
}

export const OK: Reply = { ret: 0, msg: 'ok' };

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_NOTIFY_BYTES) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_NOTIFY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(undefined));
  });
}

/** Checks one body: unknown merchant and every verification error become the refusal's msg. */
export function checkBody(raw: string, keysFor: ReceiverOptions['keysFor'], now: Date): { check: NotificationCheck; refusal?: string } {
  let appid: unknown;
  try {
    appid = (JSON.parse(raw) as { appid?: unknown } | null)?.appid;
  } catch {
    const check: NotificationCheck = { ok: false, issues: [{ code: 'notify.not-json', severity: 'error', message: 'the body is not JSON' }] };
    return { check, refusal: 'the body is not JSON' };
  }
  const keys = typeof appid === 'string' ? keysFor(appid) : undefined;
  if (!keys) {
    // Still parsed and judged for the printout, with no key: the refusal names the appid.
    const check: NotificationCheck = { ok: false, issues: [{ code: 'notify.appid.unknown', severity: 'error', message: typeof appid === 'string' ? `no sandbox merchant ${appid}` : 'appid is missing' }] };
    return { check, refusal: check.issues[0]!.message };
  }
  const check = verifyNotification(raw, keys.offerKey, keys.platformPublicKey, { now });
  const first = check.issues.find((i) => i.severity === 'error');
  return { check, ...(first ? { refusal: first.message } : {}) };
}

/** Starts the receiver on host:port (port 0: a free one); every path is accepted. */
export async function startReceiver(opts: ReceiverOptions): Promise<Receiver> {
  const received: ReceivedNotification[] = [];
  const now = opts.now ?? (() => new Date());
  const server = createServer((req, res) => {
    void (async () => {
      const send = (status: number, reply: Reply): void => {
        const text = JSON.stringify(reply);
        res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
        res.end(text);
      };
      if (req.method !== 'POST') return send(405, { ret: -1, msg: 'notifications are POSTed' });
      const raw = await readBody(req);
      if (raw === undefined) return send(413, { ret: -1, msg: `body over ${MAX_NOTIFY_BYTES} bytes` });
      const { check, refusal } = checkBody(raw, opts.keysFor, now());
      const reply = refusal ? { ret: -1, msg: refusal } : (opts.replyTo?.(received.length + 1, check) ?? OK);
      const r: ReceivedNotification = { n: received.length + 1, at: now().toISOString(), contentType: req.headers['content-type'] ?? null, raw, check, reply };
      received.push(r);
      send(200, reply);
      opts.onNotification?.(r);
    })();
  });
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
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
