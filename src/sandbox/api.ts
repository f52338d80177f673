/**
 * The sandbox's order API: the five documented calls (spec §1, §3.2–3.5) with the documented order
 * semantics, answering with the sandbox's own ret codes (§7 D3). Transport-free: server.ts feeds it
 * parsed parameters, tests can call it directly.
 */
import { createPrivateKey, createPublicKey, sign as rsaSign, type KeyObject } from 'node:crypto';
import { canonicalString } from '../core/canonical.js';
import { diagnoseSignature } from '../core/sign-diagnosis.js';
import { parseBoundedJson } from '../core/json-limits.js';
import { ACCOUNT_ID, checkAccountRequest, isAccountApi } from '../core/account-api.js';
import { checkRequest, isApiName, type ApiName } from '../core/order-api.js';
import { isPaidState, OrderState } from '../core/order-state.js';
import { buildPayInfo } from '../core/payinfo.js';
import { RET, type RetCode } from '../core/ret-codes.js';
import { readTs, type TsMode } from '../core/timestamp.js';
import { verifyBytes, isStrictBase64 } from '../core/signature.js';
import { apiTime, apiTimeFromUnix } from './clock.js';
import { creditSave, serveAccount } from './accounts.js';
import { GroupCommit } from './group-commit.js';
import type { MerchantRow, OrderRow, Store } from './store.js';

export interface Reply {
  ret: RetCode;
  msg?: string;
  [field: string]: unknown;
}

export interface Outcome {
  reply: Reply;
  /** Which ts reading matched (§7 D4), recorded in the request log. */
  tsReading?: TsMode | 'none';
}

export interface ApiDeps {
  store: Store;
  platformPrivatePem: string;
  now(): Date;
  /** Where new orders are written; the server shares one with its request log. Default: a group commit of its own. */
  commit?: GroupCommit;
}

function fail(ret: RetCode, msg: string): Reply {
  return { ret, msg };
}

/** Fields compared when the same out_trade_no or refund_id comes again: everything but sign and ts. */
function contentOf(params: Record<string, string>): string {
  const keys = Object.keys(params)
    .filter((k) => k !== 'sign' && k !== 'ts')
    .sort();
  return JSON.stringify(keys.map((k) => [k, params[k]]));
}

const ID_DIGITS = 12;

export class SandboxApi {
  private readonly platformKey: KeyObject;
  private readonly merchantKeys = new Map<string, KeyObject>();
  private seq = 0;
  private readonly commit: GroupCommit;

  constructor(private readonly deps: ApiDeps) {
    this.platformKey = createPrivateKey(deps.platformPrivatePem);
    this.commit = deps.commit ?? new GroupCommit(deps.store);
  }

  /** Handles one call. Never throws for bad input: every problem is a ret code with a msg. */
  async handle(api: string, offerId: string, params: Record<string, string>): Promise<Outcome> {
    const account = isAccountApi(api);
    if (!isApiName(api) && !account) return { reply: fail(RET.unsupported, `unknown API ${JSON.stringify(api)}; the sandbox serves unified_order, query_order, close_order, refund, query_refund and the hosted-account get_balance, pay, cancel_pay, present, save`) };
    // A hosted-account id (TC100008_005) is served with its merchant's keys (Store.merchant), unless registered itself.
    const merchant = this.deps.store.merchant(offerId);
    if (!merchant) return { reply: fail(RET.unknownOffer, `unknown offerId ${JSON.stringify(offerId)}: no such merchant in this sandbox${ACCOUNT_ID.test(offerId) ? ` (an account id is its merchant's offerId plus _digits; ${ACCOUNT_ID.exec(offerId)![1]} is not registered)` : ''}`) };
    // Through an account id, orders and balances are that id's; keys and notify URL its merchant's.
    const owner = merchant.offer_id === offerId ? merchant : { ...merchant, offer_id: offerId };

    const bad = this.checkSignature(owner, params);
    if (bad) return { reply: bad };

    const reading = readTs(params.ts ?? '', this.deps.now());
    const problem = (account ? checkAccountRequest(api, params) : checkRequest(api as ApiName, params)).find((i) => i.severity === 'error');
    if (problem) return { reply: fail(RET.invalidParam, problem.hint ? `${problem.message}: ${problem.hint}` : problem.message), tsReading: reading?.matched ?? 'none' };
    if (!reading?.matched) {
      const s = reading?.skew;
      const detail = s ? `: ${s.epoch}s from now read as epoch, ${s['beijing-naive']}s read as epoch-28800` : '';
      return { reply: fail(RET.tsOutOfWindow, `ts ${JSON.stringify(params.ts)} is outside ±300s of now${detail}`), tsReading: 'none' };
    }
    const reply = account ? (serveAccount(this.deps.store, api, offerId, params, this.deps.now()) as Reply) : await this.dispatch(api as ApiName, owner, params);
    return { reply, tsReading: reading.matched };
  }

  private checkSignature(merchant: MerchantRow, params: Record<string, string>): Reply | undefined {
    const sign = params.sign;
    if (sign === undefined || sign === '') return fail(RET.badSignature, 'sign is missing');
    if (!isStrictBase64(sign)) {
      const words = sign.includes(' ') ? ' (it has spaces: a + was decoded as a space somewhere; percent-encode it as %2B)' : '';
      return fail(RET.badSignature, `sign is not standard Base64${words}`);
    }
    const text = canonicalString(params, merchant.offer_key);
    const signature = Buffer.from(sign, 'base64');
    if (!verifyBytes(text, signature, this.merchantKey(merchant))) {
      // The string-to-sign without the offerKey helps the developer compare; the key itself never leaves.
      const shown = text.slice(0, text.length - merchant.offer_key.length);
      return fail(RET.badSignature, `signature does not verify over "${shown}" + offerKey (SHA256withRSA, the merchant's registered public key)${this.diagnosis(merchant, params, signature)}`);
    }
    return undefined;
  }

  /**
   * What the merchant probably did wrong, as `sign --verify` finds it: the sandbox holds their
   * offerKey and public key, so it can try the common mistakes (`&key=` before the offerKey,
   * percent-encoded values, another sort order, SHA-1, ...). Named, never the offerKey itself.
   */
  private diagnosis(merchant: MerchantRow, params: Record<string, string>, signature: Buffer): string {
    try {
      const d = diagnoseSignature({ params, offerKey: merchant.offer_key, signature, publicKey: this.merchantKey(merchant) });
      if (d.matched) return `. Diagnosis: the sign matches the string made with ${d.matched.description}: ${d.matched.fix}`;
      const err = d.issues.find((i) => i.severity === 'error');
      if (err) return `. Diagnosis: ${err.message}`;
      return `. Diagnosis: none of ${d.tried.length} common mistakes reproduces the sign: another key pair or offerKey, or other parameter values`;
    } catch {
      return '';
    }
  }

  private merchantKey(m: MerchantRow): KeyObject {
    let k = this.merchantKeys.get(m.offer_id);
    if (!k) {
      k = createPublicKey(m.public_key_pem);
      this.merchantKeys.set(m.offer_id, k);
    }
    return k;
  }

  private dispatch(api: ApiName, m: MerchantRow, p: Record<string, string>): Promise<Reply> | Reply {
    switch (api) {
      case 'unified_order':
        return this.unifiedOrder(m, p);
      case 'query_order':
        return this.queryOrder(m, p);
      case 'close_order':
        return this.closeOrder(m, p);
      case 'refund':
        return this.refund(m, p);
      case 'query_refund':
        return this.queryRefund(m, p);
    }
  }

  /** `E-` + 18 digits, as observed (E-180202180100144947): yyMMdd, then a per-process sequence and random digits. */
  private transactionId(now: Date): string {
    const t = apiTime(now);
    const date = t.slice(2, 4) + t.slice(5, 7) + t.slice(8, 10);
    this.seq = (this.seq + 1) % 1_000_000;
    const rand = Math.floor(Math.random() * 1_000_000);
    return `E-${date}${String(this.seq).padStart(6, '0')}${String(rand).padStart(ID_DIGITS - 6, '0')}`;
  }

  private existingOrderReply(existing: OrderRow, p: Record<string, string>): Reply {
    if (existing.closed || isPaidState(existing.order_state)) {
      return fail(RET.orderFinished, `out_trade_no ${existing.out_trade_no} is already ${existing.closed ? 'closed' : 'paid'}; a new payment needs a new out_trade_no`);
    }
    if (existing.params_json !== contentOf(p)) {
      return fail(RET.outTradeNoConflict, `out_trade_no ${existing.out_trade_no} was already used with different parameters; a retry must send the same ones`);
    }
    return { ret: RET.ok, transaction_id: existing.transaction_id, out_trade_no: existing.out_trade_no, pay_info: existing.pay_info };
  }

  private async unifiedOrder(m: MerchantRow, p: Record<string, string>): Promise<Reply> {
    const { store } = this.deps;
    const found = store.orderByOutTradeNo(m.offer_id, p.out_trade_no!);
    if (found) return this.existingOrderReply(found, p);

    const channel = p.channel || 'wechat';
    const data = { appid: m.offer_id, user_id: p.user_id!, out_trade_no: p.out_trade_no!, product_id: p.product_id!, pay_method: channel };
    // Signing runs on libuv's thread pool (the callback form), so both cores sign while this thread serves.
    const signature = await new Promise<string>((resolve, reject) =>
      rsaSign('sha256', Buffer.from(JSON.stringify(data), 'utf8'), this.platformKey, (err, sig) => (err ? reject(err) : resolve(sig.toString('base64')))),
    );
    const now = this.deps.now();
    const newRow = this.newOrderRow(m, p, channel, buildPayInfo(data, signature), now);
    // The UNIQUE (offer_id, out_trade_no) constraint decides a race with another request for the
    // same out_trade_no (committed while this one was signing, or earlier in the same group); the
    // reply waits for the group's commit (group-commit.ts).
    for (let attempt = 1; ; attempt++) {
      const row = await this.commit.run(() => store.insertOrderIfNew(newRow));
      if (row) return { ret: RET.ok, transaction_id: row.transaction_id, out_trade_no: row.out_trade_no, pay_info: row.pay_info };
      const existing = store.orderByOutTradeNo(m.offer_id, p.out_trade_no!);
      if (existing) return this.existingOrderReply(existing, p);
      // No order has this out_trade_no, so the transaction_id was taken: another sandbox process on
      // the same data dir (its own sequence) drew the same one. Draw again.
      if (attempt === 5) throw new Error(`no free transaction_id after ${attempt} draws`);
      newRow.transaction_id = this.transactionId(now);
    }
  }

  /** The row a new order is stored as. */
  private newOrderRow(m: MerchantRow, p: Record<string, string>, channel: string, payInfo: string, now: Date): Omit<OrderRow, 'id'> {
    return {
      offer_id: m.offer_id,
      out_trade_no: p.out_trade_no!,
      transaction_id: this.transactionId(now),
      user_id: p.user_id!,
      product_id: p.product_id!,
      product_name: p.product_name!,
      product_detail: p.product_detail!,
      currency_type: p.currency_type!,
      amount: Number(p.amount),
      channel,
      metadata: p.metadata ?? null,
      sub_appid: p.sub_appid ?? null,
      sub_out_trade_no_list: p.sub_out_trade_no_list ?? null,
      params_json: contentOf(p),
      pay_info: payInfo,
      order_state: OrderState.created,
      closed: 0,
      refunded_amount: 0,
      order_time: apiTime(now),
      pay_time: null,
      callback_time: null,
      refund_time: null,
    };
  }

  /** out_trade_no wins over transaction_id when both are given (spec §3.2–3.4). */
  private findOrder(m: MerchantRow, p: Record<string, string>): OrderRow | undefined {
    const { store } = this.deps;
    const order = p.out_trade_no ? store.orderByOutTradeNo(m.offer_id, p.out_trade_no) : p.transaction_id ? store.orderByTransactionId(m.offer_id, p.transaction_id) : undefined;
    return order && order.user_id === p.user_id ? order : undefined;
  }

  private notFound(p: Record<string, string>): Reply {
    const which = p.out_trade_no ? `out_trade_no ${p.out_trade_no}` : `transaction_id ${p.transaction_id}`;
    return fail(RET.orderNotFound, `no order with ${which} for user_id ${p.user_id}`);
  }

  private queryOrder(m: MerchantRow, p: Record<string, string>): Reply {
    if (p.type === 'by_user') {
      const limit = Math.min(Number(p.num), 100);
      const { rows, total } = this.deps.store.ordersByUser(m.offer_id, p.user_id!, apiTimeFromUnix(Number(p.starttime)), apiTimeFromUnix(Number(p.endtime)), limit, Number(p.off_set));
      return { ret: RET.ok, msg: 'ok', total, orders: rows.map(orderFields) };
    }
    const order = this.findOrder(m, p);
    return order ? { ret: RET.ok, msg: 'ok', ...orderFields(order) } : this.notFound(p);
  }

  private closeOrder(m: MerchantRow, p: Record<string, string>): Reply {
    const { store } = this.deps;
    return store.tx(() => {
      const order = this.findOrder(m, p);
      if (!order) return this.notFound(p);
      if (isPaidState(order.order_state)) return fail(RET.orderFinished, `order ${order.out_trade_no} is paid and cannot be closed; refund it instead`);
      // Closing twice is not an error: a client retrying a close after a timeout must get ok.
      if (!order.closed) store.updateOrder(order.id, { closed: 1, order_state: OrderState.expired });
      return { ret: RET.ok, msg: 'ok' };
    });
  }

  private refund(m: MerchantRow, p: Record<string, string>): Reply {
    const { store } = this.deps;
    const now = this.deps.now();
    return store.tx(() => {
      const order = this.findOrder(m, p);
      if (!order) return this.notFound(p);
      const previous = store.refund(m.offer_id, p.refund_id!);
      if (previous) {
        return previous.order_id === order.id && previous.params_json === contentOf(p)
          ? { ret: RET.ok, msg: 'ok', refund_id: previous.refund_id, state: previous.state }
          : fail(RET.refundIdConflict, `refund_id ${p.refund_id} was already used for a different refund`);
      }
      if (!isPaidState(order.order_state)) return fail(RET.orderNotPaid, `order ${order.out_trade_no} is not paid (state ${order.order_state}); only paid orders can be refunded`);
      if (p.sub_out_trade_no && !subOrderNos(order).includes(p.sub_out_trade_no)) {
        return fail(RET.invalidParam, `sub_out_trade_no ${p.sub_out_trade_no} is not a sub-order of ${order.out_trade_no}`);
      }
      const amount = Number(p.amount);
      if (order.refunded_amount + amount > order.amount) {
        return fail(RET.refundExceedsPaid, `refund of ${amount} fen exceeds what is left: ${order.amount - order.refunded_amount} of ${order.amount} fen`);
      }
      // The sandbox settles refunds at once (state 2); real refunds take ~20 min to days (spec §3.5).
      store.insertRefund({ offer_id: m.offer_id, refund_id: p.refund_id!, order_id: order.id, amount, state: 2, sub_out_trade_no: p.sub_out_trade_no ?? null, params_json: contentOf(p), created_at: apiTime(now) });
      store.updateOrder(order.id, { refunded_amount: order.refunded_amount + amount, refund_time: apiTime(now) });
      return { ret: RET.ok, msg: 'ok', refund_id: p.refund_id, state: 2 };
    });
  }

  private queryRefund(m: MerchantRow, p: Record<string, string>): Reply {
    const r = this.deps.store.refund(m.offer_id, p.refund_id!);
    const order = r ? this.deps.store.orderById(r.order_id) : undefined;
    if (!r || !order || order.user_id !== p.user_id) return fail(RET.orderNotFound, `no refund with refund_id ${p.refund_id} for user_id ${p.user_id}`);
    return { ret: RET.ok, msg: 'ok', refund_id: r.refund_id, state: r.state, amount: r.amount, out_trade_no: order.out_trade_no, transaction_id: order.transaction_id };
  }
}

/** The order's `type` parameter, from its stored content (contentOf: sorted [key, value] pairs). */
function orderType(order: OrderRow): string | undefined {
  // Written by contentOf from flat strings: two levels deep whatever the client sent.
  let pairs: unknown;
  try {
    pairs = JSON.parse(order.params_json);
  } catch {
    return undefined;
  }
  const hit = Array.isArray(pairs) ? pairs.find((kv) => Array.isArray(kv) && kv[0] === 'type') : undefined;
  return typeof hit?.[1] === 'string' ? hit[1] : undefined;
}

function subOrderNos(order: OrderRow): string[] {
  const list = parseBoundedJson(order.sub_out_trade_no_list ?? '[]');
  return Array.isArray(list) ? list.map((s) => String((s as { sub_out_trade_no?: unknown } | null)?.sub_out_trade_no)) : [];
}

/** query_order's documented response fields (spec §3.2), plus refunded_amount (a sandbox addition). */
export function orderFields(o: OrderRow): Record<string, unknown> {
  // Parsed only within the JSON limits; otherwise (a list stored before they existed) echoed as text.
  const subs: unknown = o.sub_out_trade_no_list ? (parseBoundedJson(o.sub_out_trade_no_list) ?? o.sub_out_trade_no_list) : undefined;
  return {
    appid: o.offer_id,
    sub_appid: o.sub_appid ?? '',
    out_trade_no: o.out_trade_no,
    ...(subs !== undefined ? { sub_out_trade_no_list: subs } : {}),
    transaction_id: o.transaction_id,
    user_id: o.user_id,
    pay_channel: o.channel,
    product_id: o.product_id,
    metadata: o.metadata ?? '',
    currency_type: o.currency_type,
    amount: o.amount,
    order_state: String(o.order_state),
    order_time: o.order_time,
    pay_time: o.pay_time ?? '',
    callback_time: o.callback_time ?? '',
    refund_time: o.refund_time ?? '',
    refunded_amount: o.refunded_amount,
  };
}

/** Marks an unpaid sandbox order paid (what a real payment does); used by `sandbox pay` and `simulate result`. */
export function payOrder(store: Store, offerId: string, outTradeNo: string, now: Date): Reply {
  return store.tx(() => {
    const order = store.orderByOutTradeNo(offerId, outTradeNo);
    if (!order) return fail(RET.orderNotFound, `no order with out_trade_no ${outTradeNo}`);
    if (order.closed) return fail(RET.orderFinished, `order ${outTradeNo} is closed and cannot be paid`);
    if (isPaidState(order.order_state)) return { ret: RET.ok, msg: 'already paid', ...orderFields(order) };
    store.updateOrder(order.id, { order_state: OrderState.paid, pay_time: apiTime(now) });
    // A top-up order (type=save) credits the hosted account it was placed on, once, when paid.
    if (orderType(order) === 'save') creditSave(store, order.offer_id, order.user_id, order.amount);
    return { ret: RET.ok, msg: 'ok', ...orderFields(store.orderById(order.id)!) };
  });
}
