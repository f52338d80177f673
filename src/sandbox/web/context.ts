/**
 * What the sandbox's web pages (the dashboard, the Web SDK's cashier) get from the server that hosts
 * them: the store, the clock, the per-process token that state-changing requests must carry, and the
 * delivery engine to wake once an order is paid. Built once per server in server.ts.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { VerifyKey } from '../../core/payinfo-rsa.js';
import type { SandboxApi } from '../api.js';
import type { Store } from '../store.js';

export interface WebContext {
  store: Store;
  /** The order API itself: the dashboard's close and refund go through it, signed as the merchant. */
  api: SandboxApi;
  now(): Date;
  /** Random per sandbox process; embedded in its pages, required on every state-changing request. */
  token: string;
  /** The platform public key (PEM) that verifies pay_info and notifications. */
  platformPublicPem: string;
  /** The same key, parsed once, as pay_info verification takes it. */
  verifyKey: VerifyKey;
  /** Retry schedule multiplier for notifications of orders paid from a page. */
  retryScale: number;
  /** Wakes the delivery engine (a just-paid order's notification goes out now, not at the next poll). */
  kick(): void;
  /** Why an unsigned state-changing request is refused (wrong Host, cross-site), if it is. */
  refusal(req: IncomingMessage): string | undefined;
  /** Why a request is not addressed to this server by name (DNS rebinding), if it is not. */
  hostRefusal(req: IncomingMessage): string | undefined;
  /** Registers a cleanup for server close (open event streams). */
  onClose(fn: () => void): void;
}

export type WebHandler = (ctx: WebContext, req: IncomingMessage, res: import('node:http').ServerResponse, path: string, query: string) => Promise<boolean> | boolean;

/** Reads a small request body (forms and JSON from the sandbox's own pages); null when over the cap. */
export function readSmallBody(req: IncomingMessage, cap = 16 * 1024): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > cap) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Whether a form carried this sandbox's token (compared in constant time). */
export function hasToken(ctx: WebContext, given: string | null | undefined): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(ctx.token);
  return a.length === b.length && timingSafeEqual(a, b);
}
