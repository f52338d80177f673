/**
 * The order API and hosted-account client for a merchant's service: the CLI's client (signing,
 * retries where safe, proxy from the environment) with one method per API and the answers parsed.
 * A non-zero ret rejects with OpenMidasApiError (ret, msg, the whole body); a network failure with
 * TransportError. Throwing rather than returning a union keeps the happy path a plain `await`.
 */
import type { AccountApi } from '../core/account-api.js';
import type { ApiName } from '../core/order-api.js';
import type { TsMode } from '../core/timestamp.js';
import { OrderClient, TransportError, type WireMethod } from '../client/order-client.js';
import { OpenMidasApiError } from './errors.js';
import { privateKeyFrom, type KeyInput } from './keys.js';
import type { ParamValue } from '../core/canonical.js';

/**
 * The network failed or the server did not answer JSON (`message`, `hint`, `attempts`).
 * @example catch (e) { if (e instanceof TransportError) log(e.message, e.hint) }
 */
export { TransportError } from '../client/order-client.js';
export type { WireMethod } from '../client/order-client.js';

export interface OrderClientOptions {
  offerId: string;
  offerKey: string;
  privateKey: KeyInput;
  /** https://api.openmidas.com in production; a sandbox's `url` in tests. */
  baseUrl: string;
  /** Default `beijing-naive` (epoch − 28800, as every official example). */
  tsMode?: TsMode;
  wire?: WireMethod;
  /** Per attempt, default 15000. */
  timeoutMs?: number;
  /** Retries after network failures and 5xx (never after an answer); default 2. */
  retries?: number;
  now?: () => Date;
}

/** Parameters of a call: values as the API takes them (numbers and JSON are sent as text). */
export type CallParams = Readonly<Record<string, ParamValue>>;

/** A parsed answer with ret 0: `ret`, `msg` and the API's own fields. */
export interface ApiAnswer {
  ret: 0;
  msg: string;
  [field: string]: unknown;
}

export interface OrderClientApi {
  /** @example await client.unifiedOrder({ user_id: 'user01', out_trade_no: 'o1', product_id: 'p', currency_type: 'CNY', amount: 1, product_name: 'gold', product_detail: 'gold' }) */
  unifiedOrder(params: CallParams): Promise<ApiAnswer & { transaction_id?: string; pay_info?: string }>;
  /** @example await client.queryOrder({ user_id: 'user01', type: 'by_order', out_trade_no: 'o1' }) */
  queryOrder(params: CallParams): Promise<ApiAnswer>;
  /** @example await client.closeOrder({ user_id: 'user01', out_trade_no: 'o1' }) */
  closeOrder(params: CallParams): Promise<ApiAnswer>;
  /** @example await client.refund({ user_id: 'user01', out_trade_no: 'o1', refund_id: 'r1', amount: 1 }) */
  refund(params: CallParams): Promise<ApiAnswer>;
  /** @example await client.queryRefund({ user_id: 'user01', refund_id: 'r1' }) */
  queryRefund(params: CallParams): Promise<ApiAnswer>;
  /** Hosted accounts (§3.6) live at `{offerId}_{suffix}`. @example await client.getBalance('TC100008_005', { user_id: 'user01' }) */
  getBalance(accountId: string, params: CallParams): Promise<ApiAnswer>;
  /** @example await client.accountPay('TC100008_005', { user_id: 'user01', amt: 10, billno: 'b1' }) */
  accountPay(accountId: string, params: CallParams): Promise<ApiAnswer>;
  /** @example await client.cancelPay('TC100008_005', { user_id: 'user01', billno: 'b1' }) */
  cancelPay(accountId: string, params: CallParams): Promise<ApiAnswer>;
  /** @example await client.present('TC100008_005', { user_id: 'user01', amt: 10, billno: 'g1' }) */
  present(accountId: string, params: CallParams): Promise<ApiAnswer>;
  /** @example await client.save('TC100008_005', { user_id: 'user01', amt: 10, billno: 's1' }) */
  save(accountId: string, params: CallParams): Promise<ApiAnswer>;
  /** Any API by name, answered whatever its ret (no OpenMidasApiError): for code that branches on ret itself. */
  call(api: ApiName | AccountApi, params: CallParams, pathId?: string): Promise<Record<string, unknown>>;
  /** Closes the connection pool. */
  close(): Promise<void>;
}

function asText(params: CallParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null) continue;
    out[k] = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  }
  return out;
}

/**
 * A client for one merchant; sign, send, parse, and reject on a non-zero ret.
 * @example const client = createOrderClient({ offerId, offerKey, privateKey: pem, baseUrl: sandbox.url })
 */
export function createOrderClient(opts: OrderClientOptions): OrderClientApi {
  const client = new OrderClient({
    baseUrl: opts.baseUrl,
    credentials: { offerId: opts.offerId, offerKey: opts.offerKey, privateKey: privateKeyFrom(opts.privateKey) },
    tsMode: opts.tsMode ?? 'beijing-naive',
    now: opts.now ?? (() => new Date()),
    ...(opts.wire ? { wire: opts.wire } : {}),
    ...(opts.timeoutMs !== undefined ? { totalTimeoutMs: opts.timeoutMs } : {}),
    ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
  });
  const raw = async (api: ApiName | AccountApi, params: CallParams, pathId?: string) => (await client.call(api, asText(params), pathId)).body;
  const answer = async (api: ApiName | AccountApi, params: CallParams, pathId?: string): Promise<ApiAnswer> => {
    const body = await raw(api, params, pathId);
    if (body.ret !== 0) throw new OpenMidasApiError(api, typeof body.ret === 'number' ? body.ret : Number(body.ret), typeof body.msg === 'string' ? body.msg : '', body);
    return body as ApiAnswer;
  };
  return {
    unifiedOrder: (p) => answer('unified_order', p),
    queryOrder: (p) => answer('query_order', p),
    closeOrder: (p) => answer('close_order', p),
    refund: (p) => answer('refund', p),
    queryRefund: (p) => answer('query_refund', p),
    getBalance: (id, p) => answer('get_balance', p, id),
    accountPay: (id, p) => answer('pay', p, id),
    cancelPay: (id, p) => answer('cancel_pay', p, id),
    present: (id, p) => answer('present', p, id),
    save: (id, p) => answer('save', p, id),
    call: raw,
    close: () => client.close(),
  };
}

/**
 * True for the client's network failures (nothing answered, or not JSON): safe to retry later with the same parameters.
 * @example catch (e) { if (isTransportError(e)) scheduleRetry() }
 */
export function isTransportError(err: unknown): err is TransportError {
  return err instanceof TransportError;
}
