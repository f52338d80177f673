/**
 * What serving on a port needs, shared by `tacpay sandbox start` and `tacpay listen`: the port flag,
 * binding failures as user errors, the address clients use. A leaf, so the registering files and the
 * run files both import it without a circle.
 */
import type { RequestLogRow } from '../sandbox/store.js';
import { TacpayError, UsageError } from '../errors.js';
import { inert } from '../core/inert.js';

export const DEFAULT_PORT = 4010;

/** `--port` as a TCP port; 0 asks the system for a free one. */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d{1,5}$/.test(value) || n > 65535) {
    throw new UsageError(`--port must be a number from 0 to 65535, not "${inert(value, { singleLine: true })}"`, '--port 0 picks a free port (the ready line says which)');
  }
  return n;
}

/** Where clients reach a server bound to `url`: a wildcard bind is reachable on loopback, and only loopback URLs are trusted in the ready file. */
export function clientUrl(url: string): string {
  const u = new URL(url);
  if (u.hostname === '0.0.0.0') u.hostname = '127.0.0.1';
  else if (u.hostname === '[::]') u.hostname = '[::1]';
  return u.origin;
}

/** Binding failures as one line naming the address, with what to do instead. */
export function listenError(err: NodeJS.ErrnoException, host: string, port: number): TacpayError | undefined {
  const where = `${host}:${port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return new TacpayError(`port ${port} on ${host} is already in use`, 'another program (perhaps another sandbox) holds it: use --port 0 for a free port, or --port <another>', 'port-in-use');
    case 'EACCES':
    case 'EPERM':
      return new TacpayError(`no permission to listen on ${where}`, 'ports below 1024 need privileges: use --port 0 for a free port, or a port above 1023', 'port-denied');
    case 'EADDRNOTAVAIL':
      return new TacpayError(`cannot listen on ${where}: ${host} is not an address of this machine`, 'use --host 127.0.0.1 (the default)', 'bad-host');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new TacpayError(`cannot listen on ${where}: the host name ${host} does not resolve`, 'use --host 127.0.0.1 (the default) or an IP address of this machine', 'bad-host');
    default:
      return undefined;
  }
}

/** One stderr line per request for --verbose: method, path, api, ret, latency. */
export function requestLine(r: Omit<RequestLogRow, 'id'>): string {
  const time = r.at.slice(11, 23);
  const ret = r.ret === null ? `HTTP ${r.status}` : `ret ${r.ret}`;
  return `${time} ${r.method} ${inert(r.path, { singleLine: true })} ${r.api ?? '-'} ${ret} ${r.latency_ms.toFixed(1)}ms\n`;
}
