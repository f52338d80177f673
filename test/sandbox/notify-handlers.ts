/**
 * Merchant notify handlers for tests, on real HTTP at 127.0.0.1:0: a correct one (verifies D2 with
 * its own code, not tacpay's, refuses stale ts and unknown orders, is idempotent), one that accepts
 * everything, one slower than any timeout, one that answers "OK" in capitals, scripted ones (fail
 * then ok), and the URL of one that is down. Each records what it received.
 */
import { createVerify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  contentType: string | undefined;
  body: string;
  reply: string;
}

export interface Handler {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

const OK = '{"ret":0,"msg":"ok"}';
const servers: Server[] = [];

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = '';
    req.setEncoding('utf8').on('data', (d: string) => (s += d));
    req.on('end', () => resolve(s));
  });
}

/** Serves `reply(body, n)` for each POST (n counts from 1); the reply may be delayed. */
export async function startHandler(reply: (body: string, n: number, contentType: string | undefined) => string | Promise<string>): Promise<Handler> {
  const received: Received[] = [];
  const server = createServer(async (req, res) => {
    const body = await readAll(req);
    const entry: Received = { contentType: req.headers['content-type'], body, reply: '' };
    received.push(entry);
    const text = await reply(body, received.length, entry.contentType);
    entry.reply = text;
    if (res.destroyed) return;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(text);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/notify`,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Closes every handler still open (afterEach). */
export async function closeHandlers(): Promise<void> {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
}

/** Accepts anything, forged or not: the handler every probe must catch. */
export const acceptAll = (): Promise<Handler> => startHandler(() => OK);

/** Answers "OK" in capitals: not delivered by the strict rule. */
export const capitalOk = (): Promise<Handler> => startHandler(() => '{"ret":0,"msg":"OK"}');

/** Replies ok only after `ms`: past any short timeout. The timer is unref'd so it never holds a test run open. */
export const slow = (ms: number): Promise<Handler> =>
  startHandler(
    () =>
      new Promise((r) => {
        setTimeout(() => r(OK), ms).unref();
      }),
  );

/** Replies in the given order; the last one repeats. */
export const scripted = (replies: ReadonlyArray<'ok' | 'fail'>): Promise<Handler> =>
  startHandler((_b, n) => (replies[Math.min(n, replies.length) - 1] === 'ok' ? OK : '{"ret":-1,"msg":"scripted failure"}'));

/** A URL nothing listens on: a port bound and released at once. */
export async function downUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}/notify`;
}

export interface CorrectOptions {
  platformPublicKey: KeyObject;
  offerKey: string;
  /** out_trade_no → amount of the orders this merchant knows. */
  orders: Map<string, number>;
  windowS?: number;
}

/**
 * What a merchant should write: parse JSON whatever the Content-Type, verify the signature first
 * (D2, computed here independently), refuse a ts outside ±window, refuse unknown orders and wrong
 * amounts, and accept a repeat of a processed order (idempotent).
 */
export async function correctHandler(o: CorrectOptions): Promise<Handler & { processed: Set<string> }> {
  const processed = new Set<string>();
  const fail = (msg: string): string => JSON.stringify({ ret: -1, msg });
  const h = await startHandler((raw) => {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
      if (!body || typeof body !== 'object' || Array.isArray(body)) return fail('not an object');
    } catch {
      return fail('not json');
    }
    if (typeof body.sign !== 'string' || body.sign === '') return fail('no sign');
    const text =
      Object.keys(body)
        .filter((k) => k !== 'sign' && body[k] !== null && body[k] !== undefined)
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
        .map((k) => `${k}=${typeof body[k] === 'string' ? body[k] : JSON.stringify(body[k])}`)
        .join('&') + o.offerKey;
    if (!createVerify('RSA-SHA256').update(text, 'utf8').verify(o.platformPublicKey, Buffer.from(body.sign, 'base64'))) return fail('bad sign');
    const age = Math.floor(Date.now() / 1000) - Number(body.ts);
    if (!(Math.abs(age) <= (o.windowS ?? 300))) return fail('stale ts');
    const amount = o.orders.get(String(body.out_trade_no));
    if (amount === undefined) return fail('unknown order');
    if (amount !== body.amount) return fail('amount mismatch');
    processed.add(String(body.out_trade_no));
    return OK;
  });
  return Object.assign(h, { processed });
}
