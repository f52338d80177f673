/**
 * The dashboard's HTML, server-rendered: orders (newest first, filterable), the request log with
 * failed signatures spelled out (the string-to-sign with a placeholder where the offerKey goes, and
 * the sandbox's diagnosis), merchants and the platform public key; and one order in full, with its
 * pay_info decoded, refunds, notification attempts and the actions. Every string from a request or
 * the store goes through esc().
 */
import { canonicalString } from '../../core/canonical.js';
import { ORDER_STATES } from '../../core/order-api.js';
import { SDK_RESULTS } from '../../core/sdk-result.js';
import type { DeliveryAttemptRow, DeliveryRow, MerchantRow, OrderRow, RefundRow, RequestLogRow } from '../store.js';
import { esc } from './respond.js';

export interface OrderFilter {
  state?: number;
  text?: string;
  userId?: string;
}

function page(title: string, body: string, token: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title><link rel="stylesheet" href="/_dashboard/dashboard.css"><script src="/_dashboard/dashboard.js" defer></script></head><body data-token="${esc(token)}"><header><a href="/" class="brand">tacpay sandbox</a><span class="sub">orders, requests and notifications, live</span></header><main>${body}</main></body></html>`;
}

const stateText = (n: number): string => `${n} ${ORDER_STATES[n] ?? 'unknown'}`;

export function orderRows(orders: readonly OrderRow[]): string {
  if (!orders.length) return '<tr><td colspan="6" class="empty">no orders yet: tacpay order create places one</td></tr>';
  return orders
    .map((o) => `<tr data-order="${o.id}" class="state-${o.order_state}"><td><a href="/_dashboard/order/${o.id}">${esc(o.out_trade_no)}</a></td><td>${esc(o.offer_id)}</td><td>${esc(o.user_id)}</td><td class="num">${o.amount}</td><td>${esc(stateText(o.order_state))}${o.closed ? ' (closed)' : ''}</td><td>${esc(o.order_time)}</td></tr>`)
    .join('');
}

/** The failed-signature rows first-class: what was signed (offerKey shown as a placeholder) and the diagnosis. */
export function requestRows(requests: readonly RequestLogRow[]): string {
  if (!requests.length) return '<tr><td colspan="5" class="empty">no requests yet</td></tr>';
  return requests
    .slice()
    .reverse()
    .map((r) => {
      let detail = '';
      if (r.ret === 1001 && r.params_json) {
        let params: Record<string, string> = {};
        try {
          params = JSON.parse(r.params_json) as Record<string, string>;
        } catch {
          params = {};
        }
        detail = `<div class="sig"><div>string-to-sign: <code>${esc(canonicalString(params, ''))}&lt;offerKey&gt;</code></div></div>`;
      }
      return `<tr class="${r.ret === 1001 ? 'bad-sign' : r.ret ? 'failed' : ''}"><td>${esc(r.at)}</td><td>${esc(r.api ?? r.path)}</td><td>${esc(r.offer_id ?? '')}</td><td>${r.ret ?? ''}</td><td>${esc(r.msg ?? '')}${detail}</td></tr>`;
    })
    .join('');
}

/** The part of the page that live updates replace. */
export function liveSection(orders: { rows: OrderRow[]; total: number }, requests: readonly RequestLogRow[]): string {
  return `<section id="live"><h2>Orders <span class="count">${orders.total}</span></h2><div class="scroll"><table><thead><tr><th>out_trade_no</th><th>merchant</th><th>user</th><th>fen</th><th>state</th><th>placed</th></tr></thead><tbody id="orders">${orderRows(orders.rows)}</tbody></table></div>${orders.total > orders.rows.length ? `<p class="sub">showing the newest ${orders.rows.length}</p>` : ''}<h2>Requests</h2><div class="scroll"><table><thead><tr><th>at</th><th>api</th><th>merchant</th><th>ret</th><th>msg</th></tr></thead><tbody>${requestRows(requests)}</tbody></table></div></section>`;
}

export function dashboardPage(d: { filter: OrderFilter; orders: { rows: OrderRow[]; total: number }; requests: readonly RequestLogRow[]; merchants: readonly MerchantRow[]; platformPublicPem: string; token: string; stamp: string }): string {
  const f = d.filter;
  const states = Object.entries(ORDER_STATES).map(([n, name]) => `<option value="${n}"${f.state === Number(n) ? ' selected' : ''}>${esc(`${n} ${name}`)}</option>`).join('');
  const filter = `<form class="filter" method="get" action="/"><input name="q" placeholder="out_trade_no or transaction_id" value="${esc(f.text ?? '')}"><input name="user" placeholder="user_id" value="${esc(f.userId ?? '')}"><select name="state"><option value="">any state</option>${states}</select><button type="submit">filter</button></form>`;
  const merchants = d.merchants.map((m) => `<tr><td>${esc(m.offer_id)}${m.is_default ? ' (default)' : ''}</td><td>${esc(m.notify_url ?? 'none: tacpay sandbox merchant set-notify')}</td></tr>`).join('');
  return page(
    'tacpay sandbox',
    `${filter}<div data-stamp="${esc(d.stamp)}" id="stamp"></div>${liveSection(d.orders, d.requests)}<h2>Merchants</h2><div class="scroll"><table><thead><tr><th>offerId</th><th>notify URL</th></tr></thead><tbody>${merchants}</tbody></table></div><h2>Platform public key</h2><p class="sub">verifies pay_info and notifications: give it to your server</p><pre class="key">${esc(d.platformPublicPem)}</pre>`,
    d.token,
  );
}

export function orderPage(d: { order: OrderRow; decoded: Record<string, unknown>; signature: string; refunds: readonly RefundRow[]; delivery?: DeliveryRow; attempts: readonly DeliveryAttemptRow[]; token: string; notice?: string }): string {
  const o = d.order;
  const field = (k: string, v: unknown): string => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`;
  const hidden = `<input type="hidden" name="token" value="${esc(d.token)}"><input type="hidden" name="order" value="${o.id}">`;
  const results = SDK_RESULTS.map((r) => `<option value="${r.key}">${r.code} ${esc(r.key)}</option>`).join('');
  const actions =
    `<form method="post" action="/_dashboard/action" class="act">${hidden}<input type="hidden" name="action" value="pay"><select name="result">${results}</select><button type="submit">pay with this result</button></form>` +
    `<form method="post" action="/_dashboard/action" class="act">${hidden}<input type="hidden" name="action" value="close"><button type="submit">close</button></form>` +
    `<form method="post" action="/_dashboard/action" class="act">${hidden}<input type="hidden" name="action" value="refund"><input name="amount" inputmode="numeric" size="6" value="${o.amount - o.refunded_amount}"><button type="submit">refund (fen)</button></form>` +
    `<form method="post" action="/_dashboard/action" class="act">${hidden}<input type="hidden" name="action" value="redeliver"><button type="submit">redeliver the notification now</button></form>`;
  const attempts = d.attempts.length
    ? d.attempts.map((a) => `<tr class="${a.delivered ? '' : 'failed'}"><td>${a.attempt}</td><td>${esc(a.at)}</td><td>${a.http_status ?? 'no answer'}</td><td><code>${esc((a.reply ?? '').slice(0, 200))}</code></td><td>${a.delivered ? 'delivered' : esc(a.reason ?? 'not delivered')}</td></tr>`).join('')
    : `<tr><td colspan="5" class="empty">${d.delivery ? 'none yet' : 'no notification: the order is not paid, or its merchant had no notify URL when it was'}</td></tr>`;
  const refunds = d.refunds.length ? d.refunds.map((r) => `<tr><td>${esc(r.refund_id)}</td><td class="num">${r.amount}</td><td>${r.state}</td><td>${esc(r.created_at)}</td></tr>`).join('') : '<tr><td colspan="4" class="empty">none</td></tr>';
  return page(
    `order ${o.out_trade_no}`,
    `<p><a href="/">← all orders</a></p>${d.notice ? `<p class="notice" role="status">${esc(d.notice)}</p>` : ''}<h2>Order ${esc(o.out_trade_no)} <span class="count">${esc(stateText(o.order_state))}${o.closed ? ' (closed)' : ''}</span></h2>` +
      `<dl>${field('merchant', o.offer_id)}${field('transaction_id', o.transaction_id)}${field('user_id', o.user_id)}${field('product', `${o.product_id}: ${o.product_name}`)}${field('amount', `${o.amount} fen (refunded ${o.refunded_amount})`)}${field('placed', o.order_time)}${field('paid', o.pay_time ?? '')}${field('sub-orders', o.sub_out_trade_no_list ?? '')}</dl>` +
      `<div class="actions">${actions}</div><h2>pay_info</h2><p><code class="wrap">${esc(o.pay_info)}</code></p><dl>${Object.entries(d.decoded).map(([k, v]) => field(k, v)).join('')}${field('signature', d.signature)}</dl>` +
      `<h2>Notification attempts</h2><div class="scroll"><table><thead><tr><th>#</th><th>at</th><th>HTTP</th><th>reply</th><th>verdict</th></tr></thead><tbody>${attempts}</tbody></table></div>` +
      `<h2>Refunds</h2><div class="scroll"><table><thead><tr><th>refund_id</th><th>fen</th><th>state</th><th>at</th></tr></thead><tbody>${refunds}</tbody></table></div>`,
    d.token,
  );
}
