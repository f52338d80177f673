/**
 * `tacpay simulate result|notify|scenario` and `sandbox log --notifications`, in-process (runCli)
 * against real sandbox stores in temp dirs and real HTTP handlers on 127.0.0.1:0 (correct, accepts
 * everything, slow, "OK" in capitals, down). `listen` waits for signals: it runs as a child process
 * in test/e2e. No output may carry an offerKey or a private key.
 */
import { createPublicKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type MerchantRow } from '../../src/sandbox/store.js';
import { cleanEnv, json, runCli, tempDir, type RunResult } from '../helpers/cli.js';
import { acceptAll, capitalOk, closeHandlers, correctHandler, downUrl, slow } from '../sandbox/notify-handlers.js';

afterEach(closeHandlers);
const env = cleanEnv();

interface Sandbox {
  dir: string;
  merchant: MerchantRow;
  platformPublicPem: string;
  setNotify(url: string | null): void;
  order(extra?: string[]): Promise<{ outTradeNo: string; payInfo: string; amount: number }>;
  state(outTradeNo: string): number;
}

/** A sandbox data dir with its default merchant; orders are placed with `tacpay order create` (embedded sandbox). */
async function sandbox(): Promise<Sandbox> {
  const dir = join(tempDir('tacpay-sim-'), 'data');
  expect((await runCli(['sandbox', 'keys', '--json', '--data', dir], { env })).code).toBe(0);
  const read = <T>(fn: (s: ReturnType<typeof openStore>) => T): T => {
    const s = openStore(dir);
    try {
      return fn(s);
    } finally {
      s.close();
    }
  };
  const merchant = read((s) => s.defaultMerchant()!);
  return {
    dir,
    merchant,
    platformPublicPem: read((s) => s.getMeta('platform_public_key')!),
    setNotify: (url) => read((s) => s.setNotifyUrl(merchant.offer_id, url)),
    async order(extra = []) {
      const r = await runCli(['--json', 'order', 'create', '--sandbox-dir', dir, ...extra], { env });
      expect(r.code, r.stderr).toBe(0);
      const doc = json(r);
      return { outTradeNo: doc.response.out_trade_no, payInfo: doc.response.pay_info, amount: Number(doc.request.params.amount) };
    },
    state: (no) => read((s) => s.orderByOutTradeNo(merchant.offer_id, no)!.order_state),
  };
}

function expectNoSecrets(r: RunResult, m: MerchantRow): void {
  const text = r.stdout + r.stderr;
  expect(text).not.toContain(m.offer_key);
  for (const line of m.private_key_pem.split('\n').filter((l) => l && !l.startsWith('-----'))) expect(text).not.toContain(line);
}

describe('simulate result', () => {
  it('--all: the five results with their iOS and Android names, innerCode labelled as examples', async () => {
    const r = await runCli(['--json', 'simulate', 'result', '--all'], { env });
    expect(r.code).toBe(0);
    const doc = json(r);
    expect(doc.results.map((x: { code: number; ios: string; android: string }) => [x.code, x.ios, x.android])).toEqual([
      [0, 'TACPaymentCodeSuccess', 'PAYRESULT_SUCC'],
      [-1, 'TACPaymentCodeError', 'PAYRESULT_ERROR'],
      [-2, 'TACPaymentCodeCancel', 'PAYRESULT_CANCEL'],
      [-3, 'TACPaymentCodeParamterError', 'PAYRESULT_PARAMERROR'],
      [-4, 'TACPaymentCodeUnkown', 'PAYRESULT_UNKNOWN'],
    ]);
    expect(doc.note).toMatch(/examples/);
    const human = await runCli(['simulate', 'result', '--all'], { env });
    expect(human.stdout).toMatch(/^-2\s+cancel\s+TACPaymentCodeCancel\s+PAYRESULT_CANCEL/m);
  });

  it('one result on one platform: the Android shape only, metadata as a map; a negative code is an argument, not an option', async () => {
    const r = await runCli(['--json', 'simulate', 'result', '-2', '--platform', 'android', '--app-metadata', 'order=42', '--app-metadata', 'from=app'], { env });
    expect(r.code, r.stderr).toBe(0);
    const doc = json(r);
    expect(doc.result).toMatchObject({ code: -2, key: 'cancel' });
    expect(doc.android).toEqual({ resultCode: -2, resultCodeName: 'PAYRESULT_CANCEL', paymentResult: { code: '', message: '用户取消支付', metaData: { order: '42', from: 'app' } } });
    expect(doc.ios).toBeUndefined();
    expect(doc.web).toBeUndefined();
  });

  it('human output: each SDK in its own words, examples labelled', async () => {
    const r = await runCli(['simulate', 'result', 'error'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/resultCode\s+-1 \(TACPaymentCodeError\)/);
    expect(r.stdout).toMatch(/resultCode\s+-1 \(PAYRESULT_ERROR\)/);
    expect(r.stdout).toMatch(/innerCode\s+"100-1-2" \(example\)/);
    expect(r.stdout).toMatch(/redirect\s+<callback_url>\?resultCode=-1&innerCode=100-1-2&resultMsg=%E6/);
  });

  it('an unknown result, or neither a result nor --all: usage errors (exit 2)', async () => {
    const bad = await runCli(['simulate', 'result', 'won'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown result "won"[\s\S]*success, error, cancel/);
    expect((await runCli(['simulate', 'result'], { env })).code).toBe(2);
    expect((await runCli(['simulate', 'result', 'cancel', '--all'], { env })).code).toBe(2);
  });

  it('success with a sandbox pay_info: payMethod from it, the order paid and its notification delivered (state 4)', async () => {
    const sb = await sandbox();
    const orders = new Map<string, number>();
    const h = await correctHandler({ platformPublicKey: createPublicKey(sb.platformPublicPem), offerKey: sb.merchant.offer_key, orders });
    sb.setNotify(h.url);
    const o = await sb.order(['--channel', 'qqwallet', '--amount', '300', '--callback-url', 'https://shop.example/back']);
    orders.set(o.outTradeNo, 300);
    const r = await runCli(['--json', 'simulate', 'result', 'success', '--pay-info', o.payInfo, '--platform', 'ios', '--data', sb.dir], { env });
    expect(r.code, r.stderr).toBe(0);
    const doc = json(r);
    expect(doc.ios.payMethod).toBe('qqwallet');
    expect(doc.order).toMatchObject({ outTradeNo: o.outTradeNo, stateBefore: 0, stateAfter: 4, paid: true, delivery: { status: 'delivered', attempts: 1, sender: 'this-command' } });
    expect(sb.state(o.outTradeNo)).toBe(4);
    expect(h.processed.has(o.outTradeNo)).toBe(true);
    expect(JSON.parse(h.received[0]!.body).pay_scene).toBe(2);
    expectNoSecrets(r, sb.merchant);

    const web = json(await runCli(['--json', 'simulate', 'result', 'cancel', '--pay-info', o.payInfo, '--platform', 'web', '--data', sb.dir], { env }));
    expect(web.web.redirectUrl).toMatch(/^https:\/\/shop\.example\/back\?resultCode=-2&/);
  });

  it('cancel and error leave the sandbox order unpaid; success against an "OK" handler leaves it 3 with the reason', async () => {
    const sb = await sandbox();
    const h = await capitalOk();
    sb.setNotify(h.url);
    const o = await sb.order();
    for (const res of ['cancel', 'error']) {
      const r = json(await runCli(['--json', 'simulate', 'result', res, '--pay-info', o.payInfo, '--data', sb.dir], { env }));
      expect(r.order).toMatchObject({ stateBefore: 0, stateAfter: 0, paid: false });
    }
    expect(h.received).toHaveLength(0);
    const r = await runCli(['simulate', 'result', 'success', '--pay-info', o.payInfo, '--data', sb.dir], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Sandbox order \S+: 0 \(order created\) → 3 \(paid, delivery failed\)/);
    expect(r.stdout).toMatch(/notification: not delivered to .*msg is "OK"; it must be exactly lowercase "ok"; next attempt at/);
    expect(sb.state(o.outTradeNo)).toBe(3);
  });

  it('a merchant without a notify URL: paid, state 2, and a note says how to set one', async () => {
    const sb = await sandbox();
    const o = await sb.order();
    const r = await runCli(['--json', 'simulate', 'result', '0', '--pay-info', o.payInfo, '--data', sb.dir], { env });
    expect(json(r).order).toMatchObject({ stateAfter: 2, paid: true });
    expect(r.stderr).toMatch(/no notify URL[\s\S]*set-notify/);
  });
});

describe('simulate notify', () => {
  it('from a sandbox order: every §3.1 field, signed (D2), delivered to a correct handler; no secret printed', async () => {
    const sb = await sandbox();
    const orders = new Map<string, number>();
    const h = await correctHandler({ platformPublicKey: createPublicKey(sb.platformPublicPem), offerKey: sb.merchant.offer_key, orders });
    const o = await sb.order(['--amount', '700', '--metadata', 'm1']);
    orders.set(o.outTradeNo, 700);
    const r = await runCli(['--json', 'simulate', 'notify', '--to', h.url, '--order', o.outTradeNo, '--no-retry', '--data', sb.dir], { env });
    expect(r.code, r.stderr).toBe(0);
    const doc = json(r);
    expect(doc.delivered).toBe(true);
    expect(doc.attempts).toEqual([expect.objectContaining({ attempt: 1, status: 200, reply: '{"ret":0,"msg":"ok"}', delivered: true, reason: '' })]);
    expect(Object.keys(doc.request.body)).toHaveLength(14);
    expect(doc.request.body).toMatchObject({ appid: sb.merchant.offer_id, out_trade_no: o.outTradeNo, amount: 700, metadata: 'm1', sub_out_trade_no_list: [] });
    expect(doc.signedText.endsWith('<offerKey>')).toBe(true);
    expect(doc.signedText).toMatch(/^amount=700&appid=/);
    expect(h.processed.has(o.outTradeNo)).toBe(true);
    // simulate notify only sends: the order's state is the sandbox's own delivery's business.
    expect(sb.state(o.outTradeNo)).toBe(0);
    expectNoSecrets(r, sb.merchant);
  });

  it('human output shows the request, each attempt and the verdict; field flags set the body', async () => {
    const sb = await sandbox();
    const h = await acceptAll();
    const r = await runCli(['simulate', 'notify', '--to', h.url, '--amount', '55', '--pay-scene', '2', '--field', 'sub_appid=sub1', '--data', sb.dir], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/notify$/m);
    expect(r.stdout).toMatch(/"amount": 55/);
    expect(r.stdout).toMatch(/string-to-sign: amount=55&appid=TC\d+.*&pay_scene=2&.*&sub_appid=sub1&.*<offerKey>$/m);
    expect(r.stdout).toMatch(/^attempt 1 {2}HTTP 200 \{"ret":0,"msg":"ok"\} {2}[\d.]+ms {2}✓ delivered$/m);
    expect(r.stdout).toMatch(/✓ delivered on attempt 1/);
    expectNoSecrets(r, sb.merchant);
  });

  it('"OK" in capitals is not delivered: retried on the scaled schedule, ten attempts, exit 1', async () => {
    const sb = await sandbox();
    const h = await capitalOk();
    const r = await runCli(['--json', 'simulate', 'notify', '--to', h.url, '--retry-scale', '0.00002', '--data', sb.dir], { env });
    expect(r.code).toBe(1);
    const doc = json(r);
    expect(doc.delivered).toBe(false);
    expect(doc.attempts).toHaveLength(10);
    expect(doc.attempts[0]).toMatchObject({ delivered: false, reason: 'msg is "OK"; it must be exactly lowercase "ok"', nextInMs: 0 });
    expect(h.received).toHaveLength(10);
    // Each attempt is signed afresh; they carry the same order.
    expect(new Set(h.received.map((x) => JSON.parse(x.body).out_trade_no)).size).toBe(1);
  });

  it('a slow handler past --timeout and a handler that is down: not delivered, with the reason', async () => {
    const sb = await sandbox();
    const h = await slow(5000);
    const started = Date.now();
    const r = await runCli(['--json', 'simulate', 'notify', '--to', h.url, '--timeout', '200', '--no-retry', '--data', sb.dir], { env });
    expect(r.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(4000);
    expect(json(r).attempts[0]).toMatchObject({ status: null, error: 'no reply within 200 ms' });
    const down = await runCli(['simulate', 'notify', '--to', await downUrl(), '--no-retry', '--data', sb.dir], { env });
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(/no reply: connection refused/);
    expect(down.stdout).toMatch(/not delivered after 1 attempt/);
  });

  it('usage errors: no --to, a bad URL, a bad scale, sign as a field, an unknown order', async () => {
    const sb = await sandbox();
    expect((await runCli(['simulate', 'notify', '--data', sb.dir], { env })).code).toBe(2);
    expect((await runCli(['simulate', 'notify', '--to', 'ftp://x', '--data', sb.dir], { env })).code).toBe(2);
    expect((await runCli(['simulate', 'notify', '--to', 'http://127.0.0.1:1/', '--retry-scale', '2', '--data', sb.dir], { env })).code).toBe(2);
    expect((await runCli(['simulate', 'notify', '--to', 'http://127.0.0.1:1/', '--field', 'sign=x', '--data', sb.dir], { env })).code).toBe(2);
    const unknown = await runCli(['simulate', 'notify', '--to', 'http://127.0.0.1:1/', '--order', 'nope', '--data', sb.dir], { env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no order nope/);
  });
});

describe('simulate notify --probes', () => {
  it('a correct handler: every forged, stale and unknown one refused, the genuine one accepted twice: no holes, exit 0', async () => {
    const sb = await sandbox();
    const orders = new Map<string, number>();
    const h = await correctHandler({ platformPublicKey: createPublicKey(sb.platformPublicPem), offerKey: sb.merchant.offer_key, orders });
    const o = await sb.order(['--amount', '100']);
    orders.set(o.outTradeNo, 100);
    const r = await runCli(['--json', 'simulate', 'notify', '--to', h.url, '--order', o.outTradeNo, '--probes', '--data', sb.dir], { env });
    expect(r.code, r.stdout).toBe(0);
    const doc = json(r);
    expect(doc.holes).toBe(0);
    expect(Object.fromEntries(doc.probes.map((p: { id: string; verdict: string }) => [p.id, p.verdict]))).toEqual({
      'bad-signature': 'ok',
      'other-key': 'ok',
      'amount-changed': 'ok',
      'sign-missing': 'ok',
      'stale-ts': 'ok',
      'unknown-order': 'ok',
      'malformed-json': 'ok',
      duplicate: 'ok',
      'wrong-content-type': 'ok',
      replay: 'ok',
    });
    // What the handler refused each with, in its own words (it verified independently of tacpay).
    const replies = Object.fromEntries(doc.probes.map((p: { id: string; replies: Array<{ body: string }> }) => [p.id, p.replies.map((x) => JSON.parse(x.body).msg)]));
    expect(replies).toMatchObject({ 'bad-signature': ['bad sign'], 'other-key': ['bad sign'], 'amount-changed': ['bad sign'], 'sign-missing': ['no sign'], 'stale-ts': ['stale ts'], 'unknown-order': ['unknown order'], 'malformed-json': ['not json'], duplicate: ['ok', 'ok'], replay: ['stale ts'] });
    expect(h.received.find((x) => x.contentType === 'application/x-www-form-urlencoded')).toBeDefined();
    expectNoSecrets(r, sb.merchant);
  });

  it('a handler that accepts everything: a hole per forged probe, a table with verdicts, exit 1', async () => {
    const sb = await sandbox();
    const h = await acceptAll();
    const o = await sb.order();
    const r = await runCli(['simulate', 'notify', '--to', h.url, '--order', o.outTradeNo, '--probes', '--data', sb.dir], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^PROBE\s+EXPECT\s+REPLY\s+VERDICT$/m);
    expect(r.stdout).toMatch(/^bad-signature\s+refuse\s+HTTP 200 \{"ret":0,"msg":"ok"\}\s+HOLE$/m);
    expect(r.stdout).toMatch(/^duplicate\s+accept\s+HTTP 200 .* \/ HTTP 200 .*\s+ok$/m);
    expect(r.stdout).toMatch(/8 holes found/);
    expect(r.stdout).toMatch(/it does not verify the signature/);
  });

  it('"OK" in capitals still counts as acknowledging a forgery; the genuine pair is not delivered', async () => {
    const sb = await sandbox();
    const h = await capitalOk();
    const doc = json(await runCli(['--json', 'simulate', 'notify', '--to', h.url, '--probes', '--data', sb.dir], { env }));
    const byId = Object.fromEntries(doc.probes.map((p: { id: string }) => [p.id, p]));
    expect(byId['sign-missing'].verdict).toBe('hole');
    expect(byId.duplicate.verdict).toBe('hole');
    expect(byId.duplicate.finding).toMatch(/lowercase/);
    expect(byId['wrong-content-type'].verdict).toBe('warn');
  });

  it('a handler that is down: every probe unanswered, warnings, and the genuine one fails (exit 1)', async () => {
    const sb = await sandbox();
    const doc = json(await runCli(['--json', 'simulate', 'notify', '--to', await downUrl(), '--probes', '--timeout', '1000', '--data', sb.dir], { env }));
    expect(doc.holes).toBe(1);
    expect(doc.probes.filter((p: { verdict: string }) => p.verdict === 'warn')).toHaveLength(9);
  });
});

describe('simulate scenario', () => {
  it('--junit into a directory that does not exist yet creates it (the README CI example)', async () => {
    const cwd = tempDir('tacpay-scn-dir-');
    const r = await runCli(['simulate', 'scenario', 'happy-path', '--junit', 'reports/tacpay-happy.xml'], { env, cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(cwd, 'reports/tacpay-happy.xml'), 'utf8')).toMatch(/<testsuites[\s\S]*happy-path/);
  });

  it('a directory given as the scenario file is named as one', async () => {
    const r = await runCli(['simulate', 'scenario', tempDir()], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is a directory, not a file/);
  });

  it('--list shows the four built-in scenarios', async () => {
    const doc = json(await runCli(['--json', 'simulate', 'scenario', '--list'], { env }));
    expect(doc.scenarios.map((s: { name: string }) => s.name)).toEqual(['delivery-retry', 'happy-path', 'partial-refund', 'user-cancels']);
  });

  it.each(['happy-path', 'user-cancels', 'delivery-retry', 'partial-refund'])('%s passes every step', async (name) => {
    const r = await runCli(['--json', 'simulate', 'scenario', name], { env });
    const doc = json(r);
    expect(doc.steps.filter((s: { status: string }) => s.status !== 'passed'), JSON.stringify(doc.steps, null, 2)).toEqual([]);
    expect(r.code).toBe(0);
    expect(doc.failed).toBe(0);
  });

  it('delivery-retry records the failed attempt (state 3) and the accepted retry (state 4)', async () => {
    const doc = json(await runCli(['--json', 'simulate', 'scenario', 'delivery-retry'], { env }));
    const deliver = doc.steps.find((s: { id: string }) => s.id === 'deliver');
    expect(deliver.result.history.map((h: { order_state: number; delivered: boolean }) => [h.delivered, h.order_state])).toEqual([
      [false, 3],
      [true, 4],
    ]);
    expect(deliver.result.signature_verified).toBe(true);
  });

  it('a failing step: a line per step, the rest skipped, a summary, a JUnit report with a failure, exit 1', async () => {
    const cwd = tempDir('tacpay-scn-');
    writeFileSync(
      join(cwd, 'broken.json'),
      JSON.stringify({
        name: 'broken',
        steps: [
          { action: 'create', params: { amount: 100 } },
          { action: 'query', params: { out_trade_no: '${create.out_trade_no}' }, expect: { order_state: '4' } },
          { action: 'close', params: { out_trade_no: '${create.out_trade_no}' } },
        ],
      }),
    );
    const r = await runCli(['simulate', 'scenario', 'broken.json', '--junit', 'out.xml'], { env, cwd });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^✓ create\s+unified_order ret 0/m);
    expect(r.stdout).toMatch(/^✗ query\s+expected order_state = "4", got "0"/m);
    expect(r.stdout).toMatch(/^- close\s+skipped/m);
    expect(r.stdout).toMatch(/^1 passed, 1 failed, 1 skipped \(scenario broken/m);
    const xml = readFileSync(join(cwd, 'out.xml'), 'utf8');
    expect(xml).toMatch(/<testsuite name="tacpay scenario broken" [^>]*tests="3" failures="1" errors="0" skipped="1"/);
    expect(xml).toMatch(/<failure message="expected order_state = &quot;4&quot;, got &quot;0&quot;" type="ExpectationFailed"\/>/);
    expect(xml).toMatch(/<testcase classname="tacpay.scenario.broken" name="create \(create\)"/);
  });

  it('a scenario file with mistakes is refused before anything runs (exit 1); an unknown name is a usage error', async () => {
    const cwd = tempDir('tacpay-scn-');
    writeFileSync(join(cwd, 'bad.json'), JSON.stringify({ steps: [{ action: 'query', params: { out_trade_no: '${create.out_trade_no}' } }] }));
    const r = await runCli(['simulate', 'scenario', 'bad.json'], { env, cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/1 problem: steps\[0\] refers to \$\{create.out_trade_no\}, but no earlier step has the id "create"/);
    const u = await runCli(['simulate', 'scenario', 'no-such'], { env, cwd });
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/built-in: delivery-retry, happy-path, partial-refund, user-cancels/);
  });

  it('--notify-url sends the notifications to your handler instead (here one that is down: deliver fails)', async () => {
    const cwd = tempDir('tacpay-scn-');
    writeFileSync(
      join(cwd, 'mine.json'),
      JSON.stringify({
        name: 'mine',
        retryScale: 0.00002,
        steps: [
          { action: 'create' },
          { action: 'pay', params: { out_trade_no: '${create.out_trade_no}' } },
          { action: 'deliver', params: { out_trade_no: '${create.out_trade_no}' }, expect: { delivered: false, status: 'failed', attempts: 10, order_state: 3 } },
        ],
      }),
    );
    const r = await runCli(['--json', 'simulate', 'scenario', 'mine.json', '--notify-url', await downUrl()], { env, cwd });
    expect(r.code, r.stdout).toBe(0);
    expect(json(r).steps[2].result.history[0].reason).toMatch(/connection refused/);
  });
});

describe('sandbox log --notifications', () => {
  it('lists delivery attempts: order, attempt, URL, reply, verdict, state; JSON too', async () => {
    const sb = await sandbox();
    const h = await capitalOk();
    sb.setNotify(h.url);
    const o = await sb.order();
    expect((await runCli(['simulate', 'result', 'success', '--pay-info', o.payInfo, '--data', sb.dir], { env })).code).toBe(0);
    const r = await runCli(['sandbox', 'log', '--notifications', '--data', sb.dir], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(o.outTradeNo);
    expect(r.stdout).toMatch(/#1 {2}http:\/\/127\.0\.0\.1:\d+\/notify {2}HTTP 200 \{"ret":0,"msg":"OK"\} {2}not delivered {2}msg is "OK"/);
    const doc = json(await runCli(['--json', 'sandbox', 'log', '--notifications', '--data', sb.dir], { env }));
    expect(doc.notifications).toEqual([expect.objectContaining({ outTradeNo: o.outTradeNo, attempt: 1, delivered: false, httpStatus: 200, orderState: 3, deliveryStatus: 'pending', body: expect.objectContaining({ out_trade_no: o.outTradeNo }) })]);
    expect((await runCli(['sandbox', 'log', '--notifications', '--api', 'refund', '--data', sb.dir], { env })).code).toBe(2);
  });
});
