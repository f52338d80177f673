/**
 * Who may use the sandbox's unsigned routes: the admin endpoints (/_sandbox/*), the dashboard's actions
 * and the Web SDK cashier's pay answer mark orders paid without a signature, so they answer only
 * requests addressed to this loopback server (a Host of another name is DNS rebinding) and refuse a
 * browser's cross-site request (any web page the developer visits carries an Origin or Sec-Fetch-Site
 * that is not this server's).
 */
import type { IncomingMessage } from 'node:http';

/** The Host values that name this server: loopback on its port, plus the host it was told to bind. */
export function ownHosts(port: number | undefined, bindHost: string | undefined): Set<string> {
  const named = bindHost && !/^(0\.0\.0\.0|::)$/.test(bindHost) ? [`${bindHost.includes(':') ? `[${bindHost}]` : bindHost}:${port}`] : [];
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, ...named]);
}

/** Why a request is not addressed to this server by name, if it is not. */
export function hostRefusal(req: IncomingMessage, hosts: Set<string>): string | undefined {
  const host = (req.headers.host ?? '').toLowerCase();
  if (!hosts.has(host)) return `these routes answer only requests to this sandbox's loopback address (Host ${JSON.stringify(host.slice(0, 80))} is not one)`;
  return undefined;
}

/** Why a request is refused as cross-site, if it is. A request with neither header (curl, the CLI) is same-site. */
export function crossSiteRefusal(req: IncomingMessage, hosts: Set<string>): string | undefined {
  const site = req.headers['sec-fetch-site'];
  const origin = req.headers.origin;
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return 'these routes refuse cross-site requests (a web page cannot change sandbox orders)';
  if (origin !== undefined && !hosts.has(origin.replace(/^https?:\/\//, '').toLowerCase())) return 'these routes refuse cross-site requests (a web page cannot change sandbox orders)';
  return undefined;
}

/** The rule of every unsigned route that changes state: addressed to this server, and not cross-site. */
export function adminRefusal(req: IncomingMessage, hosts: Set<string>): string | undefined {
  return hostRefusal(req, hosts) ?? crossSiteRefusal(req, hosts);
}
