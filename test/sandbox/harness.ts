/** A real sandbox on 127.0.0.1:0 over a temp data dir, plus a signer for raw requests. */
import { createPrivateKey } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { canonicalString } from '../../src/core/canonical.js';
import { signText } from '../../src/core/signature.js';
import { makeTs } from '../../src/core/timestamp.js';
import { startSandbox, type SandboxServer } from '../../src/sandbox/server.js';
import { openStore, type MerchantRow, type Store } from '../../src/sandbox/store.js';
import { tempDir } from '../helpers/cli.js';

export interface Harness {
  dir: string;
  store: Store;
  sandbox: SandboxServer;
  merchant: MerchantRow;
  sign(params: Record<string, string>, m?: MerchantRow): Record<string, string>;
  post(api: string, params: Record<string, string>, offerId?: string): Promise<any>;
  close(): Promise<void>;
  /** Writes the default merchant's private key to a 0600 temp file (as `--private-key` takes it); returns its path. */
  merchantKeyFile(): string;
  /** Waits until the request log holds a row after id `after` (rows are committed a moment after the answer). */
  loggedAfter(after: number, count?: number): Promise<void>;
}

/** Starts a sandbox; `dir` reuses a data dir (restart tests). */
export async function startHarness(given?: string): Promise<Harness> {
  const dir = given ?? tempDir('tacpay-sandbox-');
  const store = openStore(dir);
  const sandbox = await startSandbox({ store, port: 0 });
  const merchant = store.defaultMerchant()!;
  const sign = (params: Record<string, string>, m = merchant) => {
    const p = { ts: makeTs(new Date(), 'beijing-naive'), ...params };
    return { ...p, sign: signText(canonicalString(p, m.offer_key), createPrivateKey(m.private_key_pem)) };
  };
  return {
    dir,
    store,
    sandbox,
    merchant,
    sign,
    async post(api, params, offerId = merchant.offer_id) {
      const qs = new URLSearchParams(params).toString().replace(/\+/g, '%20');
      const res = await fetch(`${sandbox.url}/v1/r/${offerId}/${api}?${qs}`, { method: 'POST' });
      return JSON.parse(await res.text());
    },
    merchantKeyFile() {
      const file = join(tempDir(), 'merchant.pem');
      writeFileSync(file, merchant.private_key_pem, { mode: 0o600 });
      return file;
    },
    async loggedAfter(after, count = 1) {
      for (const deadline = Date.now() + 2000; store.requestsAfter(after, count).length < count; ) {
        if (Date.now() > deadline) throw new Error(`fewer than ${count} request log rows after id ${after} within 2 s`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async close() {
      await sandbox.close();
      store.close();
      // A data dir this harness made goes with it; one the caller passed (restart tests) stays.
      if (!given) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Sends raw bytes as an HTTP request (fetch refuses raw UTF-8 in a URL; the official demo sends it). */
export function rawRequest(url: string, head: string, body = ''): Promise<{ status: number; headers: string; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(port), hostname, () => {
      sock.write(Buffer.concat([Buffer.from(`${head}\r\nHost: ${hostname}\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`, 'utf8'), Buffer.from(body, 'utf8')]));
    });
    let data = '';
    sock.setEncoding('utf8').on('data', (d: string) => (data += d));
    sock.on('error', reject);
    sock.setTimeout(5000, () => sock.destroy(new Error('raw request timed out')));
    sock.on('end', () => {
      const [headers = '', ...rest] = data.split('\r\n\r\n');
      resolve({ status: Number(headers.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
  });
}

export const orderParams = (n: string | number, extra: Record<string, string> = {}): Record<string, string> => ({
  user_id: 'rickenwang',
  out_trade_no: `open_${n}`,
  product_id: 'product_test',
  currency_type: 'CNY',
  amount: '100',
  original_amount: '100',
  product_name: '金元宝',
  product_detail: '你懂得',
  channel: 'wechat',
  ...extra,
});

/** A merchant notify handler on 127.0.0.1:0 that acknowledges everything and keeps each body. */
export async function startAckHandler(): Promise<{ url: string; bodies: string[]; close(): Promise<void> }> {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ret":0,"msg":"ok"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`, bodies, close: () => new Promise((r) => server.close(() => r())) };
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request to `base` with the headers a test sets (a form body when given): what a browser's request carries, made by hand. */
export function sendTo(base: string, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Answer> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const form = body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) } : {};
    const req = httpRequest({ host: u.hostname, port: u.port, method, path, headers: { ...form, ...headers } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
