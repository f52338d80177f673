/**
 * The sandbox HTTP server: the production paths `/v1/r/{offerId}/{api}` (§7 D6) in the three wire
 * forms, answering like production (HTTP 200, JSON body, `Content-Type: text/html;charset=utf-8`,
 * UUID and METRIC headers, spec §1.2), plus a few sandbox-only control routes under `/_sandbox/`.
 * Every request is logged to the store with its parameters (the sign shortened), ret and latency.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { RET } from '../core/ret-codes.js';
import { payOrder, SandboxApi, type Reply } from './api.js';
import { DeliveryEngine } from './deliveries.js';
import { GroupCommit, GroupCommitClosed } from './group-commit.js';
import { ensureDefaultMerchant, ensurePlatformKeys } from './merchants.js';
import type { RequestLogRow, Store } from './store.js';
import { LenientConnection } from './lenient-requests.js';
import { sqliteCode } from './sqlite.js';
import { readWire, WireError } from './wire.js';
import { adminRefusal as guardAdmin, hostRefusal, ownHosts } from './server-guard.js';
import type { WebContext } from './web/context.js';
import { isWebPath, serveWeb } from './web/routes.js';

export const MAX_BODY_BYTES = 64 * 1024;
/**
 * A local server's limits (Node's defaults wait 60 s for headers and 300 s for a request, with no
 * cap on connections): a slow sender gets 10 s for its headers and 30 s for the whole request.
 */
const LIMITS = { headersTimeout: 10_000, requestTimeout: 30_000, maxHeaderSize: 32 * 1024 };
const MAX_CONNECTIONS = 512;
const API_PATH = /^\/v1\/r\/([^/]+)\/([^/]+)\/?$/;

export interface SandboxServer {
  server: Server;
  url: string;
  api: SandboxApi;
  /** The notification delivery engine (absent with `notify: false`). */
  deliveries?: DeliveryEngine;
  /** The dashboard's address (the server's root). */
  dashboardUrl: string;
  /** This process's token for the dashboard's and cashier's state-changing requests (never printed). */
  token: string;
  /** Stops accepting, lets in-flight requests finish, closes idle keep-alive sockets. */
  close(): Promise<void>;
}

export interface StartOptions {
  store: Store;
  host?: string;
  port?: number;
  now?: () => Date;
  /** Called with each request once it is answered and logged (`sandbox start --verbose` prints it). Runs on the hot path: keep it cheap. */
  onRequest?: (entry: Omit<RequestLogRow, 'id'>) => void;
  /**
   * Payment notifications to the merchants' notify URLs (spec §3.1): on by default, with the
   * documented retry schedule multiplied by `retryScale` and a per-attempt timeout. Pending
   * deliveries in the store resume on start. false: no deliveries from this process.
   */
  notify?: false | { retryScale?: number; timeoutMs?: number; pollMs?: number };
}

/** Requests whose body was not read to the end: their connection closes after the answer. */
const oversized = new WeakSet<IncomingMessage>();

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  if (oversized.has(res.req)) {
    res.shouldKeepAlive = false;
    res.on('finish', () => res.req.socket.destroy());
  }
  res.writeHead(status, {
    // Production answers JSON labelled text/html (spec §1.2); clients must not trust the type.
    'Content-Type': 'text/html;charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    UUID: randomUUID(),
    METRIC: '1',
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> | string {
  // The usual POST (parameters in the query string) has no body: skip a stream turn. Node's server
  // discards the empty request stream itself once the response is sent.
  if (req.headers['content-length'] === '0') return '';
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        // Answer (ret 1003) rather than cut the connection: stop reading, and close once answered.
        req.removeAllListeners('data');
        req.pause();
        oversized.add(req);
        reject(new WireError(`request body over ${MAX_BODY_BYTES} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Shortens the sign in logged parameters: it is not a secret, but 344 characters per row add nothing. */
function loggable(params: Record<string, string>): string {
  const copy: Record<string, string> = { ...params };
  if (copy.sign && copy.sign.length > 16) copy.sign = `${copy.sign.slice(0, 12)}…(${copy.sign.length})`;
  return JSON.stringify(copy);
}

/** Starts the sandbox on host:port (port 0 picks a free one). Creates the platform key and default merchant on first start. */
export async function startSandbox(opts: StartOptions): Promise<SandboxServer> {
  const now = opts.now ?? (() => new Date());
  const { store } = opts;
  const platform = ensurePlatformKeys(store);
  ensureDefaultMerchant(store, now());
  // New orders and request-log rows of one event-loop turn share a commit (group-commit.ts).
  const commit = new GroupCommit(store);
  const api = new SandboxApi({ store, platformPrivatePem: platform.privatePem, now, commit });
  const deliveries =
    opts.notify === false
      ? undefined
      : new DeliveryEngine({
          store,
          platformPrivatePem: platform.privatePem,
          now,
          ...opts.notify,
          onError: (err) => process.stderr.write(`tacpay sandbox: notification delivery: ${err.message}\n`),
        });

  const closers: Array<() => void> = [];
  const hosts = (): Set<string> => ownHosts((front.address() as AddressInfo | null)?.port, opts.host);
  const web: WebContext = {
    store,
    now,
    token: randomBytes(16).toString('hex'),
    platformPublicPem: platform.publicPem,
    retryScale: (opts.notify && opts.notify.retryScale) || 1,
    kick: () => deliveries?.kick(),
    refusal: (req) => guardAdmin(req, hosts()),
    hostRefusal: (req) => hostRefusal(req, hosts()),
    onClose: (fn) => void closers.push(fn),
  };

  const server = createServer({ keepAlive: true, ...LIMITS }, (req, res) => {
    void serve(req, res);
  });
  // Keep-alive sockets must not hold shutdown hostage: server.close() waits for them.
  server.keepAliveTimeout = 5000;
  // Node's parser never sees a connection first: every one goes through the lenient front, which
  // escapes the raw UTF-8 a JVM client puts in the request target (lenient-requests.ts).
  const front = createNetServer((socket) => server.emit('connection', new LenientConnection(socket)));
  front.maxConnections = MAX_CONNECTIONS;
  // A request Node's parser still refuses gets a JSON answer and a log row, never a bare 400.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => refuse(err, socket));

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const method = req.method ?? 'GET';
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const path = q === -1 ? target : target.slice(0, q);
    const query = q === -1 ? '' : target.slice(q + 1);
    let status = 200;
    let reply: Reply | Record<string, unknown>;
    let api_: string | null = null;
    let offerId: string | null = null;
    let wire: string | null = null;
    let params: Record<string, string> | null = null;
    let tsReading: string | null = null;
    let refusal: string | undefined;
    if (isWebPath(path) && (method === 'GET' || method === 'HEAD' || method === 'POST')) {
      try {
        if (await serveWeb(web, req, res, path, query)) return;
      } catch (err) {
        process.stderr.write(`tacpay sandbox: internal error on ${method} ${path}: ${(err as Error)?.stack ?? String(err)}\n`);
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('internal sandbox error (details on the sandbox\'s stderr)');
        return;
      }
    }
    try {
      const m = API_PATH.exec(path);
      if (m) {
        offerId = decodeURIComponent(m[1]!);
        api_ = m[2]!;
        if (method !== 'GET' && method !== 'POST') {
          status = 405;
          reply = { ret: RET.unsupported, msg: `method ${method} is not accepted; use POST (or GET)` };
        } else {
          const pending = method === 'POST' ? readBody(req) : '';
          const body = typeof pending === 'string' ? pending : await pending;
          const w = readWire(method, query, req.headers['content-type'], body);
          wire = w.wire;
          params = w.params;
          const outcome = await api.handle(api_, offerId, w.params);
          reply = outcome.reply;
          tsReading = outcome.tsReading ?? null;
        }
      } else if (path.startsWith('/_sandbox/') && (refusal = adminRefusal(req)) !== undefined) {
        status = 403;
        reply = { ret: RET.unsupported, msg: refusal };
      } else if (path === '/_sandbox/health') {
        reply = { ok: true, service: 'tacpay-sandbox', pid: process.pid, orders: store.countOrders() };
      } else if (path === '/_sandbox/pay' && method === 'POST') {
        const w = readWire(method, query, req.headers['content-type'], await readBody(req));
        params = w.params;
        offerId = w.params.offer_id ?? null;
        reply = payOrder(store, w.params.offer_id ?? '', w.params.out_trade_no ?? '', now());
        // Deliver now rather than at the next poll.
        deliveries?.kick();
      } else {
        status = 404;
        reply = { ret: RET.unsupported, msg: `no such path ${path}; the order API lives at /v1/r/{offerId}/{unified_order|query_order|close_order|refund|query_refund}` };
      }
    } catch (err) {
      if (err instanceof WireError || err instanceof URIError) {
        reply = { ret: RET.invalidParam, msg: err.message };
      } else if (err instanceof GroupCommitClosed) {
        reply = { ret: RET.internal, msg: 'the sandbox stopped before this order was stored; send the request again once a sandbox runs' };
      } else if (sqliteCode(err)) {
        // The store refused (disk full, read-only, locked): expected in a developer's life, one line each.
        reply = { ret: RET.internal, msg: `the sandbox's store refused the write (${sqliteCode(err)}): ${(err as Error).message}` };
        process.stderr.write(`tacpay sandbox: ${method} ${path}: the store refused the write (${sqliteCode(err)}: ${(err as Error).message})\n`);
      } else {
        reply = { ret: RET.internal, msg: `internal sandbox error: ${(err as Error)?.message ?? String(err)}` };
        process.stderr.write(`tacpay sandbox: internal error on ${method} ${path}: ${(err as Error)?.stack ?? String(err)}\n`);
      }
    }
    const ret = typeof reply.ret === 'number' ? reply.ret : null;
    const entry = {
      at: now().toISOString(),
      method,
      path,
      api: api_,
      offer_id: offerId,
      wire,
      params_json: params ? loggable(params) : null,
      ts_reading: tsReading,
      ret,
      msg: typeof reply.msg === 'string' ? reply.msg : null,
      status,
      latency_ms: Number(process.hrtime.bigint() - started) / 1e6,
    };
    if (!res.headersSent && !res.destroyed) send(res, status, reply);
    // The CLI probes health before every command that looks for a running sandbox: logging those
    // filled `sandbox log` with its own traffic. A refused probe (foreign Host) is still logged.
    if (path === '/_sandbox/health' && status === 200) return;
    // The log row goes with the next group commit, a moment after the answer (the order itself was
    // committed before it). Waiting for the log too was measured at ~12% fewer orders a second.
    commit.run(() => store.logRequest(entry)).catch((err: Error) => {
      // A request that outlived shutdown (its client cut off) has nowhere to be logged; say nothing.
      if (!(err instanceof GroupCommitClosed)) process.stderr.write(`tacpay sandbox: could not log a request: ${err.message}\n`);
    });
    opts.onRequest?.(entry);
  }

  function adminRefusal(req: IncomingMessage): string | undefined {
    return guardAdmin(req, hosts());
  }

  function refuse(err: NodeJS.ErrnoException, socket: Duplex): void {
    const code = err.code ?? 'HPE_INVALID';
    const timeout = code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'ERR_HTTP_HEADERS_TIMEOUT';
    const status = timeout ? 408 : code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const reply = timeout ? { ret: RET.invalidParam, msg: 'the request did not arrive in time; send it whole' } : { ret: RET.invalidParam, msg: `the request could not be parsed as HTTP/1.1 (${code}: ${err.message.replace(/^Parse Error: /, '')})` };
    if (socket.writable && !(socket as { _httpMessage?: unknown })._httpMessage) {
      const text = JSON.stringify(reply);
      socket.end(`HTTP/1.1 ${status} ${timeout ? 'Request Timeout' : 'Bad Request'}\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
    } else socket.destroy();
    if (code === 'ECONNRESET') return;
    const entry = { at: now().toISOString(), method: '?', path: '?', api: null, offer_id: null, wire: null, params_json: null, ts_reading: null, ret: reply.ret, msg: reply.msg, status, latency_ms: 0 };
    commit.run(() => store.logRequest(entry)).catch(() => {});
    opts.onRequest?.(entry);
  }

  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(opts.port ?? 4010, opts.host ?? '127.0.0.1', () => {
      front.off('error', reject);
      // The HTTP server does not listen itself; 'listening' starts its header and request timers.
      server.emit('listening');
      resolve();
    });
  });
  // Started once the server listens: a failed listen must leave no poll behind.
  deliveries?.start();
  const addr = front.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host}:${addr.port}`;
  return {
    server,
    api,
    ...(deliveries ? { deliveries } : {}),
    url,
    // A wildcard bind is reached through loopback; the browser's URL must name a host it can open.
    dashboardUrl: `http://${host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host}:${addr.port}/`,
    token: web.token,
    close: async () => {
      // Open event streams would hold server.close() until the browser goes away.
      for (const fn of closers.splice(0)) fn();
      // Deliveries stop first: an attempt cut short gives its lease back, to resume on the next start.
      await deliveries?.stop();
      await new Promise<void>((resolve) => {
        front.close(() => {
          // Writes of requests finished while closing may still be queued: commit them before the store
          // closes, and refuse later ones (a request whose client was cut off may still finish signing).
          commit.close();
          resolve();
        });
        // Stops the HTTP server's timers and closes idle keep-alive connections; busy ones close
        // once answered (Node marks them to close after the response while the server is closing).
        server.close(() => {});
        server.closeIdleConnections();
      });
    },
  };
}
