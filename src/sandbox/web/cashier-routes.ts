/**
 * The Web SDK emulation (spec §4.6): `/openmidas/jsapi/openMidas.js` (a drop-in for the real
 * script, loadable from any origin), its optional domain config, the cashier page (framable: it is
 * shown inside the merchant's page in popup mode) and the cashier's answer. The answer changes an
 * order, so it carries this sandbox's token and is refused cross-site (the admin endpoints' rules);
 * pages are refused to a Host that is not this server (DNS rebinding would read the token).
 */
import { RESULT_KEYS, type ResultKey } from '../../core/sdk-result.js';
import cashierCss from './assets/cashier.css?raw';
import cashierJs from './assets/cashier.js?raw';
import openMidasJs from './assets/openMidas.js?raw';
import { payAtCashier, redirectTarget, viewPayInfo } from './cashier-pay.js';
import { badRequestPage, cashierPage, noCallbackPage, popupResultPage, type CashierMode } from './cashier-page.js';
import { hasToken, readSmallBody, type WebHandler } from './context.js';
import { sendAsset, sendHtml, sendText } from './respond.js';

/** The largest pay_info plus metadata the cashier takes (a real one is under 1 KB). */
const MAX_FORM = 16 * 1024;

const modeOf = (v: string | null): CashierMode => (v === 'redirect' ? 'redirect' : 'popup');

export const serveCashier: WebHandler = async (ctx, req, res, path, query) => {
  const method = req.method ?? 'GET';
  if (method === 'GET' || method === 'HEAD') {
    if (path === '/openmidas/jsapi/openMidas.js') return sendAsset(res, 'js', openMidasJs, { crossOrigin: true }), true;
    // The real SDK may load a domain config first; the sandbox needs none.
    if (/^\/openmidas\/jsapi\/config\/openMidasConfig\.[\w.-]+\.js$/.test(path)) return sendAsset(res, 'js', '/* tacpay sandbox: no domain configuration needed */\n', { crossOrigin: true }), true;
    if (path === '/openmidas/cashier.js') return sendAsset(res, 'js', cashierJs), true;
    if (path === '/openmidas/cashier.css') return sendAsset(res, 'css', cashierCss), true;
    if (path !== '/openmidas/cashier') return false;
    const refused = ctx.hostRefusal(req);
    if (refused) return sendText(res, 403, refused), true;
    const q = new URLSearchParams(query);
    const payInfo = q.get('pay_info') ?? '';
    const fields = { token: ctx.token, payInfo, appMetadata: q.get('app_metadata') ?? '', mode: modeOf(q.get('mode')), env: q.get('env') === 'test' ? 'test' : 'release' };
    const view = viewPayInfo(ctx, payInfo);
    const target = fields.mode === 'redirect' ? redirectTarget(view.order) : undefined;
    sendHtml(res, 200, cashierPage(view, fields), { framable: true, ...(target ? { formTargets: [target.origin] } : {}) });
    return true;
  }
  if (method !== 'POST' || path !== '/openmidas/cashier/pay') return false;
  const refused = ctx.refusal(req);
  if (refused) return sendText(res, 403, refused), true;
  const body = await readSmallBody(req, MAX_FORM);
  if (body === null) return sendHtml(res, 413, badRequestPage(`the cashier takes at most ${MAX_FORM / 1024} KB`), { framable: true }), true;
  const form = new URLSearchParams(body);
  if (!hasToken(ctx, form.get('token'))) return sendText(res, 403, "the cashier's token is missing or is not this sandbox's: open the cashier again (a restarted sandbox has a new token)"), true;
  const chosen = form.get('result') ?? '';
  if (!(RESULT_KEYS as readonly string[]).includes(chosen)) return sendHtml(res, 400, badRequestPage(`no such result ${chosen}: one of ${RESULT_KEYS.join(', ')}`), { framable: true }), true;
  const outcome = payAtCashier(ctx, form.get('pay_info') ?? '', chosen as ResultKey, form.get('app_metadata') ?? '');
  if (modeOf(form.get('mode')) === 'popup') return sendHtml(res, 200, popupResultPage(outcome), { framable: true }), true;
  if (!outcome.redirectUrl) return sendHtml(res, 200, noCallbackPage(outcome)), true;
  res.writeHead(303, { Location: outcome.redirectUrl, 'Cache-Control': 'no-store', 'Referrer-Policy': 'same-origin', 'Content-Length': 0 });
  res.end();
  return true;
};
