/**
 * The sandbox's web routes, beside the order API: the dashboard at `/` (and its fragments, events and
 * actions under `/_dashboard/`), and the OpenMidas Web SDK emulation under `/openmidas/` (spec §4.6).
 * They are not written to the request log: it records the order API traffic a merchant sends.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebContext } from './context.js';
import { serveCashier } from './cashier-routes.js';
import { serveDashboard } from './dashboard-routes.js';

export function isWebPath(path: string): boolean {
  return path === '/' || path === '/favicon.ico' || path.startsWith('/_dashboard/') || path.startsWith('/openmidas/');
}

/** Answers a web route; false when no page has that path (the server then answers its JSON 404). */
export async function serveWeb(ctx: WebContext, req: IncomingMessage, res: ServerResponse, path: string, query: string): Promise<boolean> {
  if (path.startsWith('/openmidas/')) return serveCashier(ctx, req, res, path, query);
  return serveDashboard(ctx, req, res, path, query);
}
