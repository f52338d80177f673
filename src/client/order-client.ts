/**
 * The order API client (undici): signs every request (§1.4), sends it in the chosen wire form, and
 * reads the JSON answer whatever its Content-Type says (production labels JSON as text/html).
 *
 * Retries: every call of this API is safe to repeat, by the protocol's own rules — unified_order
 * with the same out_trade_no returns the same unpaid order, close_order of a closed order is ok,
 * refund with the same refund_id is the same refund, and the two queries only read. So network
 * failures and 5xx answers are retried with backoff, re-sending the very same signed request (its
 * ts stays inside the server's window for the few seconds retries take). A ret != 0 is an answer,
 * never retried.
 */
import type { KeyObject } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { canonicalString, joinParams } from '../core/canonical.js';
import type { AccountApi } from '../core/account-api.js';
import type { ApiName } from '../core/order-api.js';
import { signText } from '../core/signature.js';
import { makeTs, type TsMode } from '../core/timestamp.js';
import { isLoopbackHost, toQuery } from './encode.js';

export type WireMethod = 'post-query' | 'get-query' | 'post-form';

export interface Credentials {
  offerId: string;
  offerKey: string;
  privateKey: KeyObject;
}

export interface ClientOptions {
  baseUrl: string;
  credentials: Credentials;
  tsMode: TsMode;
  now: () => Date;
  wire?: WireMethod;
  connectTimeoutMs?: number;
  totalTimeoutMs?: number;
  retries?: number;
  /** Injected in tests; otherwise built from the environment (proxy) once per client. */
  dispatcher?: Dispatcher;
  /** Called before each retry (the CLI prints a note); `reason` is in words ("no answer within 15 s"). */
  onRetry?: (attempt: number, reason: string, delayMs: number) => void;
  /** Called as each attempt is sent (the CLI's --verbose): what goes on the wire, and the string-to-sign with the offerKey left out. */
  onSend?: (sent: SentRequest) => void;
  sleep?: (ms: number) => Promise<void>;
}

export interface CallResult {
  api: ApiName | AccountApi;
  method: 'GET' | 'POST';
  /** URL without the query (the query carries the signed parameters, listed in `params`). */
  url: string;
  /** Every parameter sent, sign included (none is a secret; the offerKey is never sent). */
  params: Record<string, string>;
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  attempts: number;
  durationMs: number;
}

export interface SentRequest {
  attempt: number;
  method: 'GET' | 'POST';
  /** The URL as requested (query included for the query wire forms). */
  url: string;
  /** The form body (post-form only). */
  body?: string;
  /** The canonical string that was signed, ending where the offerKey was appended: never the offerKey itself. */
  stringToSignWithoutKey: string;
}

/** The network failed or the server did not answer JSON: not an API answer. */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly hint: string,
    readonly attempts: number,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'EAI_AGAIN']);

/** Adds ts (unless given) and sign to `params`. */
export function signParams(params: Readonly<Record<string, string>>, c: Credentials, tsMode: TsMode, now: Date): Record<string, string> {
  const withTs: Record<string, string> = { ...params };
  delete withTs.sign;
  if (withTs.ts === undefined) withTs.ts = makeTs(now, tsMode);
  return { ...withTs, sign: signText(canonicalString(withTs, c.offerKey), c.privateKey) };
}

/**
 * A dispatcher for `baseUrl`: direct for loopback (a local sandbox must never go through a corporate
 * proxy), otherwise honouring HTTPS_PROXY / HTTP_PROXY / NO_PROXY. undici loads only here.
 */
export async function makeDispatcher(baseUrl: string, connectTimeoutMs: number): Promise<Dispatcher> {
  const { Agent, EnvHttpProxyAgent } = await import('undici');
  const connect = { timeout: connectTimeoutMs };
  return isLoopbackHost(new URL(baseUrl).hostname) ? new Agent({ connect }) : new EnvHttpProxyAgent({ connect });
}

export class OrderClient {
  private dispatcher: Dispatcher | undefined;

  constructor(private readonly opts: ClientOptions) {}

  /**
   * Signs and sends one call; resolves with the answer (ret may be non-zero), rejects with
   * TransportError. `pathId` replaces the offerId in the path: a hosted-account id (TC100008_005).
   */
  async call(api: ApiName | AccountApi, params: Readonly<Record<string, string>>, pathId?: string): Promise<CallResult> {
    const { opts } = this;
    const signed = signParams(params, opts.credentials, opts.tsMode, opts.now());
    const url = `${opts.baseUrl.replace(/\/+$/, '')}/v1/r/${encodeURIComponent(pathId ?? opts.credentials.offerId)}/${api}`;
    const wire = opts.wire ?? 'post-query';
    const query = wire === 'get-query' ? getQuery(signed) : toQuery(signed);
    const method = wire === 'get-query' ? 'GET' : 'POST';
    const retries = opts.retries ?? 2;
    const started = Date.now();
    const timeoutMs = opts.totalTimeoutMs ?? 15000;
    const { sign: _sign, ...unsigned } = signed;
    const stringToSignWithoutKey = joinParams(unsigned);
    const { request } = await import('undici');
    this.dispatcher ??= opts.dispatcher ?? (await makeDispatcher(opts.baseUrl, opts.connectTimeoutMs ?? 5000));

    for (let attempt = 1; ; attempt++) {
      let reason: string;
      const target = wire === 'post-form' ? url : `${url}?${query}`;
      opts.onSend?.({ attempt, method, url: target, ...(wire === 'post-form' ? { body: query } : {}), stringToSignWithoutKey });
      try {
        const res = await request(target, {
          method,
          dispatcher: this.dispatcher,
          signal: AbortSignal.timeout(timeoutMs),
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          ...(wire === 'post-form' ? { body: query, headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}),
        });
        const text = await res.body.text();
        if (res.statusCode >= 500 && attempt <= retries) {
          reason = `the server answered HTTP ${res.statusCode}`;
        } else {
          const body = parseJsonObject(text);
          if (!body) {
            throw new TransportError(
              `the server at ${opts.baseUrl} answered HTTP ${res.statusCode} with a body that is not a JSON object: ${JSON.stringify(text.slice(0, 120))}`,
              'check --base-url / --env: is this the order API?',
              attempt,
            );
          }
          return { api, method, url, params: signed, status: res.statusCode, headers: flatHeaders(res.headers), body, attempts: attempt, durationMs: Date.now() - started };
        }
      } catch (err) {
        if (err instanceof TransportError) throw err;
        // A DOMException (the timeout's abort) has a numeric legacy `code` (23): its name says what happened.
        const raw = (err as NodeJS.ErrnoException).code;
        const code = typeof raw === 'string' ? raw : (err as Error).name;
        const retryable = RETRYABLE_CODES.has(code) || (err as Error).name === 'TimeoutError';
        if (!retryable || attempt > retries) throw transportError(err as Error, code, opts.baseUrl, attempt);
        reason = reasonInWords(err as Error, code, timeoutMs);
      }
      const delay = 200 * 2 ** (attempt - 1);
      opts.onRetry?.(attempt, reason, delay);
      await (opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))))(delay);
    }
  }

  async close(): Promise<void> {
    await this.dispatcher?.close();
  }
}

/** The official demo's GET: values joined unencoded except what a URL cannot carry (spec §1.2). */
function getQuery(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${v.replace(/[^\x21-\x7e]|[#&%]/gu, (c) => encodeURIComponent(c))}`)
    .join('&');
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function flatHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** Why an attempt failed, for the retry note: what happened, then the code for searching. */
export function reasonInWords(err: Error, code: string, timeoutMs: number): string {
  if (err.name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return `no answer within ${seconds(timeoutMs)}`;
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused: nothing listens there',
    ECONNRESET: 'the server reset the connection',
    EPIPE: 'the connection closed while sending',
    ETIMEDOUT: 'the connection timed out',
    UND_ERR_SOCKET: 'the connection closed before an answer',
    UND_ERR_CONNECT_TIMEOUT: 'could not connect in time',
    EAI_AGAIN: 'DNS lookup failed for now',
  };
  return `${words[code] ?? 'the request failed'} (${code})`;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function transportError(err: Error, code: string, baseUrl: string, attempts: number): TransportError {
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  if (code === 'ECONNREFUSED') return new TransportError(`nothing is listening at ${baseUrl}${tries}`, 'start the sandbox (tacpay sandbox start) or check --base-url', attempts);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new TransportError(`cannot resolve the host of ${baseUrl}${tries}`, 'check --base-url and your DNS / network', attempts);
  if (err.name === 'TimeoutError' || code.includes('TIMEOUT')) return new TransportError(`${baseUrl} did not answer in time${tries}`, 'check the network or raise --timeout', attempts);
  return new TransportError(`request to ${baseUrl} failed${tries}: ${err.message} (${code})`, 'check the network, proxy settings (HTTPS_PROXY, NO_PROXY) and --base-url', attempts);
}
