/**
 * How the sandbox's web pages answer: a strict Content-Security-Policy (scripts and styles only from
 * this server, no inline script, nothing fetched elsewhere), no sniffing, no referrer leaking a
 * pay_info to another origin, and no caching of pages that show live state.
 */
import type { ServerResponse } from 'node:http';

const BASE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'";

export interface PageOptions {
  /**
   * The Web SDK's cashier is shown inside the merchant's page (popup mode), from any origin and from
   * file: pages: it may be framed. Everything else refuses framing (clickjacking the pay buttons).
   */
  framable?: boolean;
  /** Origins a form on the page may end up at besides this server (the cashier's redirect to the order's callback_url). */
  formTargets?: readonly string[];
}

function common(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'X-Content-Type-Options': 'nosniff',
    // same-origin, not no-referrer: under no-referrer a browser sends `Origin: null` on the pages'
    // own form POSTs, which the cross-site guard must refuse; other origins still get no referrer.
    'Referrer-Policy': 'same-origin',
    ...extra,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

export function sendHtml(res: ServerResponse, status: number, html: string, o: PageOptions = {}): void {
  // form-action also governs where a form's answer redirects to: the callback_url's origin must be named.
  const base = o.formTargets?.length ? BASE_CSP.replace("form-action 'self'", `form-action 'self' ${o.formTargets.join(' ')}`) : BASE_CSP;
  const csp = o.framable ? base : `${base}; frame-ancestors 'none'`;
  common(res, status, 'text/html; charset=utf-8', html, { 'Content-Security-Policy': csp, 'Cache-Control': 'no-store', ...(o.framable ? {} : { 'X-Frame-Options': 'DENY' }) });
}

/** A script or style sheet that ships in the package: the same bytes for the whole process. */
export function sendAsset(res: ServerResponse, type: 'js' | 'css', text: string, o: { crossOrigin?: boolean } = {}): void {
  common(res, 200, type === 'js' ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8', text, {
    'Cache-Control': 'no-cache',
    // openMidas.js is loaded by merchant pages on other origins (and file:), as the real script is.
    'Cross-Origin-Resource-Policy': o.crossOrigin ? 'cross-origin' : 'same-origin',
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  common(res, status, 'application/json; charset=utf-8', JSON.stringify(body), { 'Cache-Control': 'no-store' });
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  common(res, status, 'text/plain; charset=utf-8', text, { 'Cache-Control': 'no-store' });
}

/** Escapes text for HTML content and double-quoted attributes: every string from a request or the store goes through this. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
