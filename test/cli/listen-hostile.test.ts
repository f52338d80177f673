/**
 * `tacpay listen` attacked: the built CLI in a child process on 127.0.0.1:0 gets bodies nested too
 * deep, too large (declared and chunked), not JSON, not POSTed, malformed HTTP, terminal escapes in
 * every field and header, and thousands of fields; each is answered with a reason, printed in one
 * line (or clipped), made inert, and the receiver still verifies a genuine notification afterwards.
 * The timeouts, the connection cap and a failing callback are tested on startReceiver itself (a real
 * server too), with short limits.
 */
import { generateKeyPairSync } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../../src/sandbox/notify-receiver.js';
import { openStore } from '../../src/sandbox/store.js';
import { cleanEnv, json, spawnCli, tempDir } from '../helpers/cli.js';
import { exitWithin, killAll, startCliProcess, until, type Running } from '../helpers/sandbox-process.js';

afterEach(killAll);

interface Listening {
  l: Running;
  url: string;
  dir: string;
  offerId: string;
  env: Record<string, string | undefined>;
}

async function newSandbox(): Promise<{ dir: string; env: Record<string, string | undefined>; offerId: string }> {
  const env = cleanEnv();
  const dir = join(tempDir('tacpay-listen-hostile-'), 'data');
  const keys = await spawnCli(['sandbox', 'keys', '--data', dir, '--json'], { env });
  expect(keys.code, keys.stderr).toBe(0);
  const s = openStore(dir, { readonly: true });
  const offerId = s.defaultMerchant()!.offer_id;
  s.close();
  return { dir, env, offerId };
}

async function listen(args: string[] = []): Promise<Listening> {
  const sb = await newSandbox();
  const l = await startCliProcess(['listen', '--port', '0', '--data', sb.dir, ...args], 15_000, sb.env);
  const url = args.includes('--json') ? JSON.parse(l.readyLine).url : /ready at (\S+)/.exec(l.readyLine)![1]!;
  return { l, url, ...sb };
}

async function post(url: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: JSON.parse(await res.text()) };
}

/** Raw bytes over TCP, for what fetch refuses to send; resolves with everything the server answered. */
function raw(url: string, bytes: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect(Number(u.port), u.hostname);
    let got = '';
    s.setEncoding('utf8').on('data', (d: string) => (got += d));
    s.on('error', reject);
    s.on('close', () => resolve(got));
    s.write(bytes);
    setTimeout(() => s.destroy(), 5000).unref();
  });
}

/** A genuine notification, signed by the sandbox, through simulate notify: what must still work. */
async function genuine(x: Listening): Promise<void> {
  const sent = await spawnCli(['--json', 'simulate', 'notify', '--to', x.url, '--amount', '77', '--no-retry', '--data', x.dir], { env: x.env });
  expect(sent.code, sent.stdout + sent.stderr).toBe(0);
  expect(json(sent).attempts[0].reply).toBe('{"ret":0,"msg":"ok"}');
}

const escapeRe = (t: string): string => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

beforeAll(async () => {
  const { existsSync } = await import('node:fs');
  const { ROOT } = await import('../helpers/cli.js');
  expect(existsSync(join(ROOT, 'dist/main.cjs')), 'build first: node scripts/build.mjs').toBe(true);
});

describe('tacpay listen against hostile requests (built CLI)', () => {
  it('answers a 10 KB body of nested arrays with a reason, logs it in one line, and keeps verifying', async () => {
    const x = await listen();
    const deep = `{"appid":"${x.offerId}","sub_out_trade_no_list":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    expect(deep.length).toBeGreaterThan(10_000);
    const r = await post(x.url, deep);
    expect(r).toEqual({ status: 200, body: { ret: -1, msg: 'the body nests arrays or objects deeper than 8 levels (a notification needs 3)' } });
    // A bare top-level array too (it has no appid to look up).
    expect((await post(x.url, `${'['.repeat(5000)}${']'.repeat(5000)}`)).body.msg).toMatch(/deeper than 8 levels/);
    await until(() => (x.l.out().match(/✗ refused/g) ?? []).length === 2, 'two refusals printed');
    const lines = x.l.out().split('\n').filter((l) => l.startsWith('#'));
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/^#\d \S+ ✗ refused \(\d+ bytes\): the body nests .* replied \{"ret":-1,/);
    expect(x.l.out().split('\n')).toHaveLength(4); // ready line, two refusals, the trailing ''
    await genuine(x);
    await until(() => /✓ verified/.test(x.l.out()), 'the genuine notification');
    x.l.child.kill('SIGTERM');
    expect(await exitWithin(x.l)).toEqual({ code: 0, signal: null });
    expect(x.l.err()).not.toMatch(/dist\/|RangeError|at \w+ \(/);
  });

  it('refuses bodies over 64 KB, declared or chunked, unread, and is still there', async () => {
    const x = await listen(['--json']);
    const big = Buffer.alloc(200_000, 'a');
    expect(await post(x.url, big)).toEqual({ status: 413, body: { ret: -1, msg: 'the body is over 65536 bytes' } });
    // Chunked: no Content-Length to refuse up front, so reading stops at the cap.
    const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const u = new URL(x.url);
      const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST' }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        // The server cuts the connection once it has answered: the rest of the upload is not waited for.
        res.on('close', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', (e) => setTimeout(() => reject(e), 1000));
      const chunk = Buffer.alloc(16 * 1024, 'b');
      let sent = 0;
      const pump = (): void => {
        while (sent < 10_000_000 && !req.destroyed) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body)).toEqual({ ret: -1, msg: 'the body is over 65536 bytes' });
    await until(() => x.l.out().split('\n').filter((l) => l.includes('"notify.too-large"')).length === 2, 'two too-large events');
    const events = x.l.out().trim().split('\n').slice(1).map((l) => JSON.parse(l));
    expect(events.map((e) => [e.event, e.verified, e.issues[0].code])).toEqual([
      ['notification', false, 'notify.too-large'],
      ['notification', false, 'notify.too-large'],
    ]);
    await genuine(x);
    await until(() => /"verified":true/.test(x.l.out()), 'the genuine notification');
  });

  it('answers not-JSON, non-POST and malformed HTTP with a reason', async () => {
    const x = await listen();
    expect((await post(x.url, 'amount=1&sign=x', { 'content-type': 'application/x-www-form-urlencoded' })).body).toEqual({ ret: -1, msg: 'the body is not JSON' });
    expect((await post(x.url, '[1,2]')).body).toEqual({ ret: -1, msg: 'appid is missing' });
    const got = await fetch(x.url, { signal: AbortSignal.timeout(5000) });
    expect([got.status, got.headers.get('allow'), await got.json()]).toEqual([405, 'POST', { ret: -1, msg: 'notifications are POSTed' }]);
    // A header value with an escape in it: Node's parser refuses it; the answer still says why.
    const bad = await raw(x.url, 'POST /notify HTTP/1.1\r\nHost: x\r\nContent-Type: text/\x1b[31m\r\nContent-Length: 2\r\n\r\n{}');
    expect(bad).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(JSON.parse(bad.slice(bad.indexOf('\r\n\r\n') + 4))).toEqual({ ret: -1, msg: 'not a well-formed HTTP request (HPE_INVALID_HEADER_TOKEN)' });
    await until(() => /malformed HTTP request/.test(x.l.err()), 'the malformed request reported');
    expect(x.l.err()).toMatch(/^warning: refused 1 malformed HTTP request \(the last from 127\.0\.0\.1: 400, not a well-formed HTTP request \(HPE_INVALID_HEADER_TOKEN\)\)$/m);
    await until(() => /body "amount=1&sign=x"/.test(x.l.out()), 'the form body in one line');
    expect(x.l.out()).toMatch(/^#1 \S+ ✗ refused \(15 bytes\): the body is not JSON; body "amount=1&sign=x" replied \{"ret":-1,"msg":"the body is not JSON"\}$/m);
    await genuine(x);
  });

  it('prints nothing from the request raw: escapes in values, keys, sign, the refusal and (--verbose) the path and content type', async () => {
    const x = await listen(['--verbose']);
    const evil = '\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202egnp.exe';
    const body = JSON.stringify({ appid: x.offerId, out_trade_no: evil, amount: evil, [`k${evil}`]: 'v\nnext', metadata: evil, sign: `${evil}${'A'.repeat(40)}`, ts: '1' });
    await post(`${x.url}?q=%1b%5b31m`, body, { 'content-type': `application/json; x=${'\u00ff'}` });
    // An unknown merchant: the refusal itself quotes the untrusted appid.
    await post(x.url, JSON.stringify({ appid: evil, sign: evil }));
    await until(() => (x.l.out().match(/replied/g) ?? []).length === 2 && (x.l.err().match(/ POST /g) ?? []).length === 2, 'both printed and logged');
    expect(x.l.out()).not.toMatch(RAW_CONTROL);
    expect(x.l.err()).not.toMatch(RAW_CONTROL);
    const inertEvil = String.raw`\x1b]0;pwned\x07\x1b[2J\x9b31m\u202egnp.exe`;
    const row = (key: string, value: string): RegExp => new RegExp(`^  ${escapeRe(key)} +${escapeRe(value)}$`, 'm');
    expect(x.l.out()).toMatch(row('out_trade_no', inertEvil));
    expect(x.l.out()).toMatch(row(`k${inertEvil}`, String.raw`v\x0anext`));
    // sign: only a clipped, inert head of it, with its length.
    expect(x.l.out()).toMatch(row('sign', String.raw`\x1b]0;pwned\x07\x1b[2J\x9b31m\u202eg…(66)`));
    expect(x.l.out()).toContain(String.raw`replied {"ret":-1,"msg":"no sandbox merchant \u001b]0;pwned\u0007\u001b[2J\x9b31m\u202egnp.exe"}`);
    expect(x.l.err()).toMatch(/ POST \/notify\?q=%1b%5b31m application\/json; x=ÿ \d+ B → 200 ret -1 [\d.]+ms from 127\.0\.0\.1$/m);
  });

  it('--json carries the values as JSON data, one event per line', async () => {
    const x = await listen(['--json']);
    const evil = '\u001b[31mred\u0007';
    await post(x.url, JSON.stringify({ appid: x.offerId, out_trade_no: evil, sign: 'x' }));
    await until(() => x.l.out().split('\n').length >= 3, 'the event');
    const line = x.l.out().split('\n')[1]!;
    expect(line).not.toMatch(/[\u0000-\u001f]/);
    expect(JSON.parse(line)).toMatchObject({ event: 'notification', verified: false, body: { out_trade_no: evil } });
  });

  it('clips a body of thousands of fields and long values in the human view', async () => {
    const x = await listen();
    const body: Record<string, string> = { appid: x.offerId, out_trade_no: 'o'.repeat(5000) };
    for (let i = 0; i < 3000; i++) body[`f${i}`] = String(i);
    await post(x.url, JSON.stringify(body));
    await until(() => /replied/.test(x.l.out()), 'the printout');
    const lines = x.l.out().split('\n');
    expect(lines.length).toBeLessThan(60);
    expect(x.l.out()).toContain('… 2972 more fields (--json shows them all)');
    expect(x.l.out()).toContain(`${'o'.repeat(64)}…(5000)`);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(400);
  });

  it('warns about a host beyond loopback, as sandbox start does, and registers the loopback URL', async () => {
    const sb = await newSandbox();
    const l = await startCliProcess(['listen', '--host', '0.0.0.0', '--port', '0', '--data', sb.dir, '--json', '--register'], 15_000, sb.env);
    const ready = JSON.parse(l.readyLine);
    expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/notify$/);
    expect(l.err()).toMatch(/^warning: listening on 0\.0\.0\.0, beyond this machine: the receiver has no authentication, so anyone who can reach the port can send it requests \(each is verified, and printed here\); use it only on a network you trust$/m);
    const s = openStore(sb.dir, { readonly: true });
    expect(s.defaultMerchant()!.notify_url).toBe(ready.url);
    s.close();
    l.child.kill('SIGTERM');
    expect((await exitWithin(l)).code).toBe(0);
    const quiet = await startCliProcess(['listen', '--port', '0', '--data', sb.dir], 15_000, sb.env);
    expect(quiet.err()).not.toMatch(/beyond this machine/);
    const empty = await spawnCli(['listen', '--host', '', '--data', sb.dir], { env: sb.env });
    expect([empty.code, empty.stderr]).toEqual([2, 'error: --host is empty\nhint: leave it out to listen on 127.0.0.1\n']);
  });
});

describe('startReceiver limits (a real server, short limits)', () => {
  const open: Receiver[] = [];
  afterEach(async () => {
    for (const r of open.splice(0)) await r.close();
  });
  // Any key will do: these requests never get as far as a signature.
  const pub = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
  const start = async (extra: Partial<Parameters<typeof startReceiver>[0]> = {}): Promise<Receiver> => {
    const r = await startReceiver({ keysFor: () => ({ offerKey: 'K', platformPublicKey: pub }), limits: { bodyTimeoutMs: 300, headersTimeoutMs: 500, maxConnections: 4 }, ...extra });
    open.push(r);
    return r;
  };

  it('answers a body that trickles too slowly with 408 and a reason', async () => {
    const events: string[] = [];
    const r = await start({ onNotification: (n) => events.push(n.check.issues[0]!.code) });
    const got = await raw(r.url, 'POST /notify HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"appid":');
    expect(got).toMatch(/^HTTP\/1\.1 408 /);
    expect(got).toContain('{"ret":-1,"msg":"the body did not arrive within 0.3 s"}');
    expect(events).toEqual(['notify.timeout']);
  });

  it('closes a connection whose headers never finish (slowloris) with 408 and a reason', async () => {
    const malformed: string[] = [];
    const r = await start({ onMalformed: (m) => malformed.push(`${m.status} ${m.reason}`) });
    const t0 = Date.now();
    const got = await raw(r.url, 'POST /notify HTTP/1.1\r\nHost: x\r\n');
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(got).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(got).toContain('"the request headers did not arrive within 0.5 s"');
    expect(malformed).toEqual(['408 the request headers did not arrive within 0.5 s']);
  });

  it('caps connections: those over the cap are closed and reported, and it serves again once they go', async () => {
    let dropped = 0;
    const r = await start({ onDropped: () => dropped++ });
    const u = new URL(r.url);
    const idle = Array.from({ length: 6 }, () => connect(Number(u.port), u.hostname).on('error', () => {}));
    await until(() => dropped === 2, 'two connections over the cap');
    for (const s of idle) s.destroy();
    let openNow = -1;
    await until(() => {
      r.server.getConnections((_e, n) => (openNow = n));
      return openNow === 0;
    }, 'the idle connections gone');
    const ok = await fetch(r.url, { method: 'POST', body: '{}', signal: AbortSignal.timeout(3000) });
    expect(await ok.json()).toEqual({ ret: -1, msg: 'appid is missing' });
  });

  it('answers even when printing the notification throws, and reports the error', async () => {
    const errors: string[] = [];
    const r = await start({
      onNotification: () => {
        throw new RangeError('Maximum call stack size exceeded');
      },
      onError: (e) => errors.push((e as Error).message),
    });
    const res = await fetch(r.url, { method: 'POST', body: 'nope', signal: AbortSignal.timeout(3000) });
    expect(await res.json()).toEqual({ ret: -1, msg: 'the body is not JSON' });
    expect(errors).toEqual(['Maximum call stack size exceeded']);
    expect(r.count).toBe(1);
  });
});
