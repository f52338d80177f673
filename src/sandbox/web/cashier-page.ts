/** The Web SDK cashier's HTML: the order a pay_info names, a button per SDK result, and the answer pages. Every string from the request or the store is escaped. */
import { SDK_RESULTS } from '../../core/sdk-result.js';
import type { CashierOutcome, CashierView } from './cashier-pay.js';
import { esc } from './respond.js';

export type CashierMode = 'popup' | 'redirect';

function page(title: string, body: string, script = false): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title><link rel="stylesheet" href="/openmidas/cashier.css">${script ? '<script src="/openmidas/cashier.js" defer></script>' : ''}</head><body><main>${body}</main></body></html>`;
}

const HEAD = '<h1>Sandbox cashier</h1><p class="sub">OpenMidas Web SDK, emulated by tacpay: no money moves</p>';

function yuan(fen: number): string {
  return `¥${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

/** The cashier: what is being paid, and the five results to choose from (only -3 for a refused pay_info). */
export function cashierPage(view: CashierView, f: { token: string; payInfo: string; appMetadata: string; mode: CashierMode; env: string }): string {
  const o = view.order;
  const rows: Array<[string, string]> = [
    ['merchant', String(view.data.appid ?? '?')],
    ['out_trade_no', String(view.data.out_trade_no ?? '?')],
    ...(o ? ([['product', o.product_name], ['user', o.user_id]] as Array<[string, string]>) : []),
    ['pay_method', String(view.data.pay_method ?? '?')],
    ['mode', `${f.mode}, OpenMidas.init('${f.env}')`],
  ];
  const hidden = [['token', f.token], ['pay_info', f.payInfo], ['app_metadata', f.appMetadata], ['mode', f.mode]].map(([n, v]) => `<input type="hidden" name="${n}" value="${esc(v)}">`).join('');
  const choices = view.refusal === null ? SDK_RESULTS : SDK_RESULTS.filter((r) => r.key === 'param-error');
  const buttons = choices
    .map((r) => `<button type="submit" name="result" value="${r.key}"${r.key === 'success' ? ' class="primary"' : ''}>${r.code} ${esc(r.key)}<small>${esc(view.refusal === null ? r.meaning : 'what a real SDK answers for this pay_info')}</small></button>`)
    .join('');
  return page(
    'tacpay sandbox cashier',
    `${HEAD}${o ? `<p class="amount">${yuan(o.amount)}</p>` : ''}<dl>${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>` +
      (view.refusal !== null ? `<p class="refusal" role="alert">${esc(view.refusal)}</p>` : '') +
      `<form method="post" action="/openmidas/cashier/pay">${hidden}<div class="results">${buttons}</div></form>`,
  );
}

/** Popup mode's answer: the result for cashier.js to hand to the calling page. */
export function popupResultPage(r: CashierOutcome): string {
  const data = JSON.stringify({ resultCode: r.resultCode, innerCode: r.innerCode, resultMsg: r.resultMsg, appMetadata: r.appMetadata });
  return page('tacpay sandbox cashier: result', `${HEAD}<p class="done" id="openmidas-result" data-result="${esc(data)}">Result ${r.resultCode}: ${esc(r.resultMsg)}</p><p class="sub">handed to the page's OpenMidas.pay callback${r.paid ? '; the order is paid and its notification is on its way' : ''}</p>`, true);
}

/** Redirect mode when the order has no callback_url: where a real SDK would go, and with what. */
export function noCallbackPage(r: CashierOutcome): string {
  return page(
    'tacpay sandbox cashier: result',
    `${HEAD}<p class="done">Result ${r.resultCode}: ${esc(r.resultMsg)}</p><p class="refusal" role="alert">the order has no callback_url a browser can be sent to (http or https), so there is nowhere to return to: give callback_url to unified_order (tacpay order create --callback-url URL)</p><p class="sub">the redirect would carry</p><p><code>?${esc(r.redirectQuery)}</code></p>`,
  );
}

export function badRequestPage(message: string): string {
  return page('tacpay sandbox cashier', `${HEAD}<p class="refusal" role="alert">${esc(message)}</p>`);
}
