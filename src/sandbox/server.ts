/**
 * The sandbox HTTP server: its store, API, deliveries and web context put together, listening
 * behind the lenient front (lenient-requests.ts), and shut down in the order that loses nothing.
 * How each request is answered and logged is http-handler.ts.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { SandboxApi } from './api.js';
import { DeliveryEngine } from './deliveries.js';
import { GroupCommit } from './group-commit.js';
import { requestHandler } from './http-handler.js';
import { ensureDefaultMerchant, ensurePlatformKeys } from './merchants.js';
import type { RequestLogRow, Store } from './store.js';
import { LenientConnection } from './lenient-requests.js';
import { adminRefusal, hostRefusal, ownHosts } from './server-guard.js';
import { parseKey } from '../core/keys.js';
import type { VerifyKey } from '../core/payinfo-rsa.js';
import type { WebContext } from './web/context.js';

export { MAX_BODY_BYTES } from './http-handler.js';
/**
 * A local server's limits (Node's defaults wait 60 s for headers and 300 s for a request, with no
 * cap on connections): a slow sender gets 10 s for its headers and 30 s for the whole request.
 */
const LIMITS = { headersTimeout: 10_000, requestTimeout: 30_000, maxHeaderSize: 32 * 1024 };
const MAX_CONNECTIONS = 512;

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
    api,
    now,
    token: randomBytes(16).toString('hex'),
    platformPublicPem: platform.publicPem,
    verifyKey: verifyKeyOf(platform.publicPem),
    retryScale: (opts.notify && opts.notify.retryScale) || 1,
    kick: () => deliveries?.kick(),
    refusal: (req) => adminRefusal(req, hosts()),
    hostRefusal: (req) => hostRefusal(req, hosts()),
    onClose: (fn) => void closers.push(fn),
  };
  const { serve, refuse } = requestHandler({ store, api, commit, deliveries, web, now, onRequest: opts.onRequest });
  const server = createServer({ keepAlive: true, ...LIMITS }, (req, res) => void serve(req, res));
  // Keep-alive sockets must not hold shutdown hostage: server.close() waits for them.
  server.keepAliveTimeout = 5000;
  // Node's parser never sees a connection first: every one goes through the lenient front, which
  // escapes the raw UTF-8 a JVM client puts in the request target (lenient-requests.ts).
  const front = createNetServer((socket) => server.emit('connection', new LenientConnection(socket)));
  front.maxConnections = MAX_CONNECTIONS;
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => refuse(err, socket));
  await listen(front, server, opts);
  // Started once the server listens: a failed listen must leave no poll behind.
  deliveries?.start();
  const addr = front.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    server,
    api,
    ...(deliveries ? { deliveries } : {}),
    url: `http://${host}:${addr.port}`,
    // A wildcard bind is reached through loopback; the browser's URL must name a host it can open.
    dashboardUrl: `http://${host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host}:${addr.port}/`,
    token: web.token,
    close: async () => {
      // Open event streams would hold server.close() until the browser goes away.
      for (const fn of closers.splice(0)) fn();
      // Deliveries stop first: an attempt cut short gives its lease back, to resume on the next start.
      await deliveries?.stop();
      await shutDown(front, server, commit);
    },
  };
}

/** The platform public key as pay_info verification takes it (the sandbox made it: it parses). */
function verifyKeyOf(pem: string): VerifyKey {
  const k = parseKey(pem, 'public').value!;
  return { publicKey: k.publicKey, bits: k.bits, fingerprint: k.fingerprint };
}

function listen(front: NetServer, server: Server, opts: StartOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(opts.port ?? 4010, opts.host ?? '127.0.0.1', () => {
      front.off('error', reject);
      // The HTTP server does not listen itself; 'listening' starts its header and request timers.
      server.emit('listening');
      resolve();
    });
  });
}

function shutDown(front: NetServer, server: Server, commit: GroupCommit): Promise<void> {
  return new Promise<void>((resolve) => {
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
}
