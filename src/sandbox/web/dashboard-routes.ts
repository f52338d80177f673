/**
 * The dashboard at the sandbox's root URL: pages (refused to a Host that is not this server: DNS
 * rebinding would read the token), the part live updates replace and the stamp they poll, and the
 * actions. An action changes orders, so it carries this sandbox's token and is refused cross-site,
 * as the admin endpoints are; each goes through the code the CLI's own commands use: pay through
 * applySdkResult (`simulate result`), close and refund through the order API itself, signed as the
 * merchant (`order close`, `refund create`), redeliver through the delivery engine.
 */
import { createPrivateKey } from 'node:crypto';
import { canonicalString } from '../../core/canonical.js';
import { newOrderNo } from '../../core/order-defaults.js';
import { isPaidState } from '../../core/order-state.js';
import { checkPayInfo } from '../../core/payinfo-verify.js';
import { payScene, sdkResult } from '../../core/sdk-result.js';
import { signText } from '../../core/signature.js';
import { makeTs } from '../../core/timestamp.js';
import { enqueueDelivery } from '../deliveries.js';
import { applySdkResult } from '../sdk-effect.js';
import type { OrderRow } from '../store.js';
import dashboardCss from './assets/dashboard.css?raw';
import dashboardJs from './assets/dashboard.js?raw';
import { hasToken, readSmallBody, type WebContext, type WebHandler } from './context.js';
import { dashboardPage, liveSection, orderPage, type OrderFilter } from './dashboard-page.js';
import { sendAsset, sendHtml, sendJson, sendText } from './respond.js';

const SHOWN_ORDERS = 200;
const SHOWN_REQUESTS = 50;

function filterOf(query: string): OrderFilter {
  const q = new URLSearchParams(query);
  const state = q.get('state');
  return {
    ...(state !== null && /^\d$/.test(state) ? { state: Number(state) } : {}),
    ...(q.get('q') ? { text: q.get('q')! } : {}),
    ...(q.get('user') ? { userId: q.get('user')! } : {}),
  };
}

function orderDetail(ctx: WebContext, order: OrderRow, notice?: string): string {
  const check = checkPayInfo(order.pay_info, { key: ctx.verifyKey });
  const s = check.signature;
  const delivery = ctx.store.deliveryByOrder(order.id);
  return orderPage({
    order,
    decoded: check.parsed.data ?? {},
    signature: s.status === 'verified' ? `verified (${s.hash} over ${s.candidate}, platform key ${s.keyFingerprint})` : s.status,
    refunds: ctx.store.refundsOf(order.id),
    ...(delivery ? { delivery } : {}),
    attempts: delivery ? ctx.store.attemptsOf(delivery.id) : [],
    token: ctx.token,
    ...(notice ? { notice } : {}),
  });
}

/** Calls the order API as the CLI would, signed with the merchant's stored key. */
async function signedCall(ctx: WebContext, order: OrderRow, api: 'close_order' | 'refund', extra: Record<string, string>): Promise<string> {
  const m = ctx.store.merchant(order.offer_id);
  if (!m?.private_key_pem) return `merchant ${order.offer_id} has no private key in the sandbox: use tacpay ${api === 'refund' ? 'refund create' : 'order close'} with your key`;
  const params: Record<string, string> = { out_trade_no: order.out_trade_no, user_id: order.user_id, ts: makeTs(ctx.now(), 'beijing-naive'), ...extra };
  params.sign = signText(canonicalString(params, m.offer_key), createPrivateKey(m.private_key_pem));
  const { reply } = await ctx.api.handle(api, m.offer_id, params);
  return reply.ret === 0 ? `${api}: ok` : `${api} failed: ret ${String(reply.ret)}, ${String(reply.msg ?? '')}`;
}

async function act(ctx: WebContext, order: OrderRow, form: URLSearchParams): Promise<string> {
  switch (form.get('action')) {
    case 'pay': {
      const r = sdkResult(form.get('result') ?? '');
      if (!r) return 'no such result';
      try {
        const e = applySdkResult(ctx.store, order, r, ctx.now(), { retryScale: ctx.retryScale, payScene: payScene('web') });
        if (e.paid && !e.alreadyPaid) ctx.kick();
        return `${r.code} ${r.key}: ${e.alreadyPaid ? 'already paid before; nothing sent again' : e.note}`;
      } catch (err) {
        return (err as Error).message;
      }
    }
    case 'close':
      return signedCall(ctx, order, 'close_order', {});
    case 'refund': {
      const amount = form.get('amount') ?? '';
      if (!/^[1-9]\d{0,11}$/.test(amount)) return 'a refund needs a whole number of fen, at least 1';
      return signedCall(ctx, order, 'refund', { refund_id: newOrderNo('refund_', ctx.now()), amount });
    }
    case 'redeliver': {
      const d = ctx.store.deliveryByOrder(order.id);
      if (d) ctx.store.redeliverNow(d.id, ctx.now().toISOString());
      else if (!isPaidState(order.order_state) || !ctx.store.merchant(order.offer_id)?.notify_url) return 'nothing to deliver: the order is not paid, or its merchant has no notify URL (tacpay sandbox merchant set-notify)';
      else enqueueDelivery(ctx.store, order, { retryScale: ctx.retryScale, payScene: payScene('web') });
      ctx.kick();
      return 'the notification goes out now';
    }
    default:
      return 'no such action';
  }
}

export const serveDashboard: WebHandler = async (ctx, req, res, path, query) => {
  const method = req.method ?? 'GET';
  if ((method === 'GET' || method === 'HEAD') && path === '/_dashboard/dashboard.js') return sendAsset(res, 'js', dashboardJs), true;
  if ((method === 'GET' || method === 'HEAD') && path === '/_dashboard/dashboard.css') return sendAsset(res, 'css', dashboardCss), true;
  if (method === 'POST' && path === '/_dashboard/action') {
    const refused = ctx.refusal(req);
    if (refused) return sendText(res, 403, refused), true;
    const body = await readSmallBody(req);
    const form = new URLSearchParams(body ?? '');
    if (body === null || !hasToken(ctx, form.get('token'))) return sendText(res, 403, "the dashboard's token is missing or is not this sandbox's: reload the page (a restarted sandbox has a new token)"), true;
    const order = ctx.store.orderById(Number(form.get('order')));
    if (!order) return sendText(res, 404, 'no such order'), true;
    const notice = await act(ctx, order, form);
    sendHtml(res, 200, orderDetail(ctx, ctx.store.orderById(order.id)!, notice));
    return true;
  }
  if (method !== 'GET' && method !== 'HEAD') return false;
  const refused = ctx.hostRefusal(req);
  if (refused && (path === '/' || path.startsWith('/_dashboard/'))) return sendText(res, 403, refused), true;
  if (path === '/') {
    const filter = filterOf(query);
    sendHtml(res, 200, dashboardPage({ filter, orders: ctx.store.recentOrders(filter, SHOWN_ORDERS), requests: ctx.store.lastRequests(SHOWN_REQUESTS), merchants: ctx.store.merchants(), platformPublicPem: ctx.platformPublicPem, token: ctx.token, stamp: ctx.store.changeStamp() }));
    return true;
  }
  if (path === '/_dashboard/stamp') return sendJson(res, 200, { stamp: ctx.store.changeStamp() }), true;
  if (path === '/_dashboard/live') {
    sendHtml(res, 200, liveSection(ctx.store.recentOrders(filterOf(query), SHOWN_ORDERS), ctx.store.lastRequests(SHOWN_REQUESTS)));
    return true;
  }
  const m = /^\/_dashboard\/order\/(\d{1,12})$/.exec(path);
  if (m) {
    const order = ctx.store.orderById(Number(m[1]));
    if (!order) return sendText(res, 404, 'no such order'), true;
    sendHtml(res, 200, orderDetail(ctx, order));
    return true;
  }
  return false;
};
