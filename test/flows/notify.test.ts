/**
 * flows/notify.ts called as the library and the CLI call it: typed options, hooks, an AbortSignal;
 * a real handler on 127.0.0.1 and a real sandbox data dir in a temp dir.
 */
import { createPublicKey } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyNotification } from '../../src/core/notification.js';
import { flowEnv } from '../../src/flows/env.js';
import { OFFER_KEY_PLACEHOLDER, runNotify, runNotifyProbes, type NotifyAttempt } from '../../src/flows/notify.js';
import { sandboxKeys } from '../../src/sandbox/data-dir.js';

let dir: string;
let offerKey: string;
let platformPublicPem: string;
const servers: Server[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tacpay-flow-notify-'));
  const keys = sandboxKeys({ now: () => new Date(), note: () => {} }, dir, undefined);
  offerKey = keys.merchant.offer_key;
  platformPublicPem = keys.platformPublicPem;
  keys.store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A handler on a free loopback port; `reply` decides each answer from the parsed body and the attempt number. */
async function handler(reply: (body: string, n: number, req: IncomingMessage) => { status: number; body: string }): Promise<{ url: string; bodies: string[] }> {
  const bodies: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      bodies.push(body);
      const r = reply(body, bodies.length, req);
      res.writeHead(r.status, { 'content-type': 'application/json' });
      res.end(r.body);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`, bodies };
}

const OK = JSON.stringify({ ret: 0, msg: 'ok' });

describe('runNotify', () => {
  it('sends typed overrides signed, retries a refusal on the scaled schedule, and reports each attempt and wait', async () => {
    const h = await handler((_b, n) => (n === 1 ? { status: 500, body: 'busy' } : { status: 200, body: OK }));
    const attempts: NotifyAttempt[] = [];
    const waits: Array<[number, number]> = [];
    const r = await runNotify(
      { url: h.url, dataDir: dir, fields: [['amount', 600], ['metadata', 'order-42'], ['x_extra', 'y']], retry: true, retryScale: 0.001, timeoutMs: 2000 },
      flowEnv({ warn: (m) => waits.push([-1, m.length]) }),
      { onAttempt: (a) => attempts.push(a), onWait: (next, inMs) => waits.push([next, inMs]) },
    );
    expect(r.delivered).toBe(true);
    expect(r.attempts.map((a) => [a.attempt, a.status, a.delivered])).toEqual([[1, 500, false], [2, 200, true]]);
    expect(attempts).toEqual(r.attempts);
    expect(waits.filter(([n]) => n === 2)).toEqual([[2, 15]]);
    // A name outside §3.1 is sent and signed, with a warning.
    expect(waits.some(([n]) => n === -1)).toBe(true);
    const sent = JSON.parse(h.bodies[1]!) as Record<string, unknown>;
    expect(sent).toMatchObject({ amount: 600, metadata: 'order-42', x_extra: 'y' });
    const v = verifyNotification(h.bodies[1]!, offerKey, createPublicKey(platformPublicPem), { now: new Date() });
    expect(v.issues.filter((i) => i.severity === 'error')).toEqual([]);
    // The string-to-sign is given out with the offerKey replaced, never the key itself.
    expect(r.signedText.endsWith(OFFER_KEY_PLACEHOLDER)).toBe(true);
    expect(JSON.stringify(r)).not.toContain(offerKey);
  });

  it('an abort during a wait stops the retries: stopped, not delivered, and it returns at once', async () => {
    const h = await handler(() => ({ status: 200, body: JSON.stringify({ ret: 0, msg: 'OK' }) }));
    const ac = new AbortController();
    const t0 = Date.now();
    const r = await runNotify({ url: h.url, dataDir: dir, retry: true, retryScale: 1, timeoutMs: 2000 }, flowEnv({ signal: ac.signal }), { onWait: () => ac.abort('SIGINT') });
    expect(r).toMatchObject({ delivered: false, stopped: true });
    expect(r.attempts).toHaveLength(1);
    expect(r.attempts[0]!.reason).toMatch(/ok/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('an order the sandbox does not have is a one-line TacpayError with a hint, before anything is sent', async () => {
    const h = await handler(() => ({ status: 200, body: OK }));
    await expect(runNotify({ url: h.url, dataDir: dir, order: 'nope\u001b[31m', retry: false, retryScale: 1, timeoutMs: 1000 }, flowEnv())).rejects.toMatchObject({ name: 'TacpayError', hint: expect.stringContaining('order create') });
    expect(h.bodies).toEqual([]);
  });
});

describe('runNotifyProbes', () => {
  it('a handler that acknowledges everything has holes; one that verifies has none', async () => {
    const careless = await handler(() => ({ status: 200, body: OK }));
    const loose = await runNotifyProbes({ url: careless.url, dataDir: dir, fields: [['out_trade_no', 'o_probe'], ['amount', 100]], timeoutMs: 2000 }, flowEnv());
    expect(loose.holes).toBeGreaterThan(0);
    expect(loose.probes.find((p) => p.id === 'bad-signature')?.verdict).toBe('hole');

    const seen = new Set<string>();
    const strict = await handler((body, _n, req) => {
      if (!String(req.headers['content-type']).includes('json')) return { status: 400, body: 'json only' };
      const v = verifyNotification(body, offerKey, createPublicKey(platformPublicPem), { now: new Date() });
      const n = v.body;
      const ok = !v.issues.some((i) => i.severity === 'error') && n?.out_trade_no === 'o_probe' && n.amount === 100;
      if (ok) seen.add(String(n!.ts));
      return ok ? { status: 200, body: OK } : { status: 200, body: JSON.stringify({ ret: -1, msg: 'refused' }) };
    });
    const tight = await runNotifyProbes({ url: strict.url, dataDir: dir, fields: [['out_trade_no', 'o_probe'], ['amount', 100]], timeoutMs: 2000 }, flowEnv());
    expect(tight.probes.filter((p) => p.verdict === 'hole').map((p) => p.id)).toEqual([]);
    expect(tight.holes).toBe(0);
    expect(tight.probes.length).toBeGreaterThanOrEqual(8);
  });
});
