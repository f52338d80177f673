// Request bytes as real clients send them, over a plain socket: raw UTF-8 in the request target
// (a JVM's HttpURLConnection, and the API document's own example request), several requests on
// one keep-alive connection with Content-Length and chunked bodies between them, and requests
// Node's parser refuses, which must still get a JSON answer with a ret and a log row.
import { createPrivateKey, createSign } from 'node:crypto';
import { connect } from 'node:net';
import { canonicalString } from '../../src/core/canonical.js';
import { makeTs } from '../../src/core/timestamp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RET } from '../../src/core/ret-codes.js';
import { escapeRequestLine, RequestFramer } from '../../src/sandbox/lenient-requests.js';
import { orderParams, rawRequest, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

/** The query as the official Java demo builds it: values joined unencoded (UTF-8 on the wire, sign's + / = raw). */
const jvmQuery = (p: Record<string, string>) => Object.entries(p).map(([k, v]) => `${k}=${v}`).join('&');

/** Writes `bytes` on one connection and collects every response until the server closes it. */
function exchange(bytes: Buffer[], wantResponses: number): Promise<string[]> {
  const { hostname, port } = new URL(h.sandbox.url);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(port), hostname, () => {
      for (const b of bytes) sock.write(b);
    });
    let data = Buffer.alloc(0);
    const bodies = (): string[] => {
      const out: string[] = [];
      let rest = data.toString('utf8');
      for (;;) {
        const end = rest.indexOf('\r\n\r\n');
        if (end === -1) break;
        const len = Number(/content-length: (\d+)/i.exec(rest.slice(0, end))?.[1] ?? 0);
        if (Buffer.byteLength(rest.slice(end + 4)) < len) break;
        const body = Buffer.from(rest.slice(end + 4)).subarray(0, len).toString('utf8');
        out.push(body);
        rest = Buffer.from(rest.slice(end + 4)).subarray(len).toString('utf8');
      }
      return out;
    };
    sock.on('data', (d: Buffer) => {
      data = Buffer.concat([data, d]);
      if (bodies().length >= wantResponses) {
        sock.destroy();
        resolve(bodies());
      }
    });
    sock.on('error', reject);
    sock.setTimeout(5000, () => sock.destroy(new Error(`timed out with ${bodies().length} of ${wantResponses} answers`)));
  });
}

describe('raw request bytes', () => {
  it('serves raw UTF-8 in the request target as production does: decoded as UTF-8, signature over the raw values', async () => {
    const p = h.sign(orderParams('jvm'));
    const r = await rawRequest(h.sandbox.url, `POST /v1/r/${h.merchant.offer_id}/unified_order?${jvmQuery(p)} HTTP/1.1`);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ ret: 0, out_trade_no: 'open_jvm' });
    const q = await h.post('query_order', h.sign({ user_id: 'rickenwang', type: 'by_order', out_trade_no: 'open_jvm' }));
    expect(q.ret).toBe(0);
    const logged = h.store.lastRequests(5).find((x) => x.params_json?.includes('open_jvm'));
    expect(logged?.params_json).toContain('"product_name":"金元宝"');
  });

  it('keeps the framing of a keep-alive connection: Content-Length and chunked bodies, then a raw-byte request line', async () => {
    const a = h.sign(orderParams('ka1'));
    const b = h.sign(orderParams('ka2'));
    const c = h.sign(orderParams('ka3'));
    const host = new URL(h.sandbox.url).host;
    // A body that itself holds raw UTF-8 and a line that looks like a request line: it must pass untouched.
    const form = Buffer.from(new URLSearchParams(a).toString(), 'utf8');
    const chunkedBody = Buffer.from(new URLSearchParams(b).toString(), 'utf8');
    const half = Math.floor(chunkedBody.length / 2);
    const msgs = [
      Buffer.concat([Buffer.from(`POST /v1/r/${h.merchant.offer_id}/unified_order HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${form.length}\r\n\r\n`), form]),
      Buffer.concat([
        Buffer.from(`POST /v1/r/${h.merchant.offer_id}/unified_order HTTP/1.1\r\nHost: ${host}\r\ncontent-type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n`),
        Buffer.from(`${half.toString(16)}\r\n`),
        chunkedBody.subarray(0, half),
        Buffer.from(`\r\n${(chunkedBody.length - half).toString(16)};ext=1\r\n`),
        chunkedBody.subarray(half),
        Buffer.from('\r\n0\r\n\r\n'),
      ]),
      Buffer.from(`POST /v1/r/${h.merchant.offer_id}/unified_order?${jvmQuery(c)} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 0\r\n\r\n`, 'utf8'),
    ];
    // Split across writes at awkward places: inside the request line's UTF-8, inside a header.
    const all = Buffer.concat(msgs);
    const cut1 = all.indexOf(Buffer.from('金', 'utf8'), all.indexOf('open_ka3')) + 1;
    const answers = await exchange([all.subarray(0, 57), all.subarray(57, cut1), all.subarray(cut1)], 3);
    expect(answers.map((x) => JSON.parse(x)).map((x) => [x.ret, x.out_trade_no])).toEqual([
      [0, 'open_ka1'],
      [0, 'open_ka2'],
      [0, 'open_ka3'],
    ]);
  });

  it('a request Node cannot parse gets a JSON answer with a ret and a log row, not a bare 400', async () => {
    const before = h.store.lastRequests(1)[0]?.id ?? 0;
    const answers = await exchange([Buffer.from('POST /v1/r/TC1/unified_order HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n')], 1);
    const reply = JSON.parse(answers[0]!);
    expect(reply.ret).toBe(RET.invalidParam);
    expect(reply.msg).toMatch(/could not be parsed as HTTP\/1\.1/);
    for (const deadline = Date.now() + 2000; !h.store.requestsAfter(before, 50).some((x) => x.status === 400); ) {
      if (Date.now() > deadline) throw new Error('no log row for the refused request');
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(h.store.requestsAfter(before, 50).find((x) => x.status === 400)).toMatchObject({ ret: RET.invalidParam, msg: reply.msg });
  });
});

describe('the request-line escaper', () => {
  it('escapes only the target, and only the bytes llhttp refuses', () => {
    const line = Buffer.from('GET /a?n=金&q="x"|{y} HTTP/1.1\r\n', 'utf8');
    expect(escapeRequestLine(line).toString('latin1')).toBe('GET /a?n=%E9%87%91&q=%22x%22%7C%7By%7D HTTP/1.1\r\n');
    const clean = Buffer.from('GET /a?b=c HTTP/1.1\r\n');
    expect(escapeRequestLine(clean)).toBe(clean);
  });

  it('passes bodies through untouched, however they are cut', () => {
    const body = Buffer.from('product_name=金元宝\r\nGET /fake?x=金 HTTP/1.1\r\n', 'utf8');
    const msg = Buffer.concat([Buffer.from(`POST /p?n=金 HTTP/1.1\r\nContent-Length: ${body.length}\r\n\r\n`, 'utf8'), body, Buffer.from('GET /q?m=元 HTTP/1.1\r\n\r\n', 'utf8')]);
    const want = Buffer.concat([Buffer.from(`POST /p?n=%E9%87%91 HTTP/1.1\r\nContent-Length: ${body.length}\r\n\r\n`), body, Buffer.from('GET /q?m=%E5%85%83 HTTP/1.1\r\n\r\n')]);
    for (let cut = 1; cut < msg.length; cut += 7) {
      const f = new RequestFramer();
      expect(Buffer.concat([f.push(msg.subarray(0, cut)), f.push(msg.subarray(cut))]), `cut at ${cut}`).toEqual(want);
    }
  });
});

describe('admin routes (/_sandbox/*)', () => {
  const ask = async (headers: string, path = '/_sandbox/health', method = 'GET') => {
    const answers = await exchange([Buffer.from(`${method} ${path} HTTP/1.1\r\n${headers}Content-Length: 0\r\nConnection: close\r\n\r\n`)], 1);
    return JSON.parse(answers[0]!);
  };
  const self = () => new URL(h.sandbox.url).host;

  it('answer requests to this loopback server', async () => {
    expect(await ask(`Host: ${self()}\r\n`)).toMatchObject({ ok: true, service: 'tacpay-sandbox' });
    const port = new URL(h.sandbox.url).port;
    expect(await ask(`Host: localhost:${port}\r\n`)).toMatchObject({ ok: true });
  });

  it('refuse another Host (DNS rebinding) and cross-site requests (a web page marking orders paid)', async () => {
    const port = new URL(h.sandbox.url).port;
    expect((await ask(`Host: attacker.example:${port}\r\n`)).msg).toMatch(/only requests to this sandbox's loopback address/);
    const pay = `/_sandbox/pay?offer_id=${h.merchant.offer_id}&out_trade_no=open_jvm`;
    expect((await ask(`Host: ${self()}\r\nOrigin: https://attacker.example\r\n`, pay, 'POST')).msg).toMatch(/refuse cross-site requests/);
    expect((await ask(`Host: ${self()}\r\nSec-Fetch-Site: cross-site\r\n`, pay, 'POST')).msg).toMatch(/refuse cross-site requests/);
    expect((await ask(`Host: ${self()}\r\nOrigin: http://${self()}\r\nSec-Fetch-Site: same-origin\r\n`)).ok).toBe(true);
  });
});

describe('ret 1001 names the mistake', () => {
  const key = () => createPrivateKey(h.merchant.private_key_pem);
  const sent = async (params: Record<string, string>, canonical: string, hash: 'RSA-SHA256' | 'RSA-SHA1' = 'RSA-SHA256') => {
    const sign = createSign(hash).update(canonical, 'utf8').sign(key(), 'base64');
    return h.post('unified_order', { ...params, sign });
  };
  const base = (n: string) => ({ ts: makeTs(new Date(), 'beijing-naive'), ...orderParams(n) });

  it('"&key=" before the offerKey, SHA-1, and percent-encoded values are each named, the offerKey never shown', async () => {
    const p1 = base('diag1');
    const r1 = await sent(p1, `${canonicalString(p1, '')}&key=${h.merchant.offer_key}`);
    expect(r1.ret).toBe(RET.badSignature);
    expect(r1.msg).toContain('Diagnosis: the sign matches the string made with "&key=" before the offerKey');
    const p2 = base('diag2');
    const r2 = await sent(p2, canonicalString(p2, h.merchant.offer_key), 'RSA-SHA1');
    expect(r2.msg).toContain('SHA1withRSA instead of SHA256withRSA');
    const p3 = base('diag3');
    const encoded = Object.fromEntries(Object.entries(p3).map(([k, v]) => [k, encodeURIComponent(v)]));
    const r3 = await sent(p3, canonicalString(encoded, h.merchant.offer_key));
    expect(r3.msg).toContain('percent-encoded');
    for (const r of [r1, r2, r3]) expect(r.msg).not.toContain(h.merchant.offer_key);
    const logged = h.store.lastRequests(10).filter((x) => x.ret === RET.badSignature).map((x) => x.msg ?? '');
    expect(logged.some((m) => m.includes('"&key=" before the offerKey'))).toBe(true);
  });

  it('a WeChat openId as user_id: ret 1003 says openIds must be mapped', async () => {
    const r = await h.post('unified_order', h.sign(orderParams('openid', { user_id: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' })));
    expect(r.ret).toBe(RET.invalidParam);
    expect(r.msg).toContain('a WeChat openId (it has _ and -) must be mapped');
  });
});
