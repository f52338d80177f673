/**
 * The payment notification (spec §3.1, §7 D2): every field, the canonical string-to-sign computed
 * independently here, sign/verify with the platform key, stale ts, and the strict judgement of
 * replies (lowercase ok, number 0, 2xx).
 */
import { createPrivateKey, createPublicKey, createVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  judgeReply,
  looksAccepted,
  MAX_ATTEMPTS,
  notificationCanonical,
  notificationJson,
  NOTIFY_FIELDS,
  parseRetryScale,
  retryDelayMs,
  signNotification,
  verifyNotification,
  type NotificationFields,
} from '../../src/core/notification.js';
import { FIXTURES } from '../helpers/fixtures.js';

const platformPrivate = createPrivateKey(readFileSync(join(FIXTURES, 'payinfo/platform-private.pem')));
const platformPublic = createPublicKey(readFileSync(join(FIXTURES, 'payinfo/platform-public.pem')));
const otherPrivate = createPrivateKey(readFileSync(join(FIXTURES, 'payinfo/other-private.pem')));
const OFFER_KEY = 'bBJ2la1zfmssX28fhe39dv9OcFe6JFvY';
const NOW = new Date('2024-05-01T12:00:00Z');
const TS = String(NOW.getTime() / 1000);

const fields: NotificationFields = {
  appid: 'TC100008',
  sub_appid: '',
  user_id: 'rickenwang',
  out_trade_no: 'open_1519698041025',
  product_id: 'product_test',
  currency_type: 'CNY',
  amount: 100,
  pay_channel: 'wechat',
  pay_scene: 2,
  pay_channel_orderid: '4200000000000000000000000001',
  metadata: 'k=v',
  sub_out_trade_no_list: [{ sub_out_trade_no: 's1', amount: 100 }],
  ts: TS,
};

describe('D2 canonical string', () => {
  it('sorts top-level keys by code unit, keeps empty strings, renders arrays as compact JSON, ends with the offerKey', () => {
    // Written out by hand from the rule, not computed by the code under test.
    const expected =
      `amount=100&appid=TC100008&currency_type=CNY&metadata=k=v&out_trade_no=open_1519698041025&pay_channel=wechat` +
      `&pay_channel_orderid=4200000000000000000000000001&pay_scene=2&product_id=product_test&sub_appid=` +
      `&sub_out_trade_no_list=[{"sub_out_trade_no":"s1","amount":100}]&ts=${TS}&user_id=rickenwang${OFFER_KEY}`;
    expect(notificationCanonical({ ...fields, sign: 'ignored' }, OFFER_KEY)).toBe(expected);
  });

  it('skips absent (null / undefined) fields', () => {
    expect(notificationCanonical({ b: '1', a: null, c: undefined, d: '' }, 'K')).toBe('b=1&d=K');
  });
});

describe('sign and verify', () => {
  const signed = signNotification(fields, OFFER_KEY, platformPrivate);
  const raw = notificationJson(signed);

  it('signs SHA256withRSA over the canonical string with the platform key; the body carries every §3.1 field, in order', () => {
    const v = createVerify('RSA-SHA256').update(notificationCanonical(signed, OFFER_KEY), 'utf8');
    expect(v.verify(platformPublic, Buffer.from(signed.sign, 'base64'))).toBe(true);
    expect(Object.keys(JSON.parse(raw))).toEqual([...NOTIFY_FIELDS]);
  });

  it('a genuine notification verifies and shows the string-to-sign without the offerKey', () => {
    const check = verifyNotification(raw, OFFER_KEY, platformPublic, { now: NOW });
    expect(check.ok).toBe(true);
    expect(check.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(check.signedText).not.toContain(OFFER_KEY);
    expect(check.tsReading).toBe('epoch');
  });

  it('refuses a changed amount, another key, another offerKey, a missing sign, and non-JSON', () => {
    const changed = JSON.stringify({ ...JSON.parse(raw), amount: 1 });
    expect(codes(verifyNotification(changed, OFFER_KEY, platformPublic, { now: NOW }))).toContain('notify.sign.invalid');
    const other = notificationJson(signNotification(fields, OFFER_KEY, otherPrivate));
    expect(codes(verifyNotification(other, OFFER_KEY, platformPublic, { now: NOW }))).toContain('notify.sign.invalid');
    expect(verifyNotification(raw, 'another-offer-key', platformPublic, { now: NOW }).ok).toBe(false);
    const { sign: _s, ...unsigned } = signed;
    expect(codes(verifyNotification(JSON.stringify(unsigned), OFFER_KEY, platformPublic, { now: NOW }))).toContain('notify.sign.missing');
    expect(codes(verifyNotification('{"ret":', OFFER_KEY, platformPublic, { now: NOW }))).toEqual(['notify.not-json']);
  });

  it('refuses a stale ts even when the signature is genuine, and accepts the epoch-28800 reading within the window', () => {
    const old = notificationJson(signNotification({ ...fields, ts: String(Number(TS) - 3600) }, OFFER_KEY, platformPrivate));
    const check = verifyNotification(old, OFFER_KEY, platformPublic, { now: NOW });
    expect(check.ok).toBe(false);
    expect(codes(check)).toEqual(['notify.ts.stale']);
    expect(check.issues[0]!.message).toBe('ts is 3600 s old, outside ±300 s (a replay, or a clock off)');
    const naive = notificationJson(signNotification({ ...fields, ts: String(Number(TS) - 28800) }, OFFER_KEY, platformPrivate));
    expect(verifyNotification(naive, OFFER_KEY, platformPublic, { now: NOW })).toMatchObject({ ok: true, tsReading: 'beijing-naive' });
  });

  it('warns (without refusing) about a missing field or an amount that is not an int', () => {
    const body = { ...fields, amount: '100' } as Record<string, unknown>;
    delete body.metadata;
    const sign = signNotification(body as unknown as NotificationFields, OFFER_KEY, platformPrivate).sign;
    const check = verifyNotification(JSON.stringify({ ...body, sign }), OFFER_KEY, platformPublic, { now: NOW });
    expect(check.ok).toBe(true);
    expect(check.issues.map((i) => [i.code, i.severity])).toEqual([
      ['notify.metadata.missing', 'warning'],
      ['notify.amount.type', 'warning'],
    ]);
  });
});

function codes(c: { issues: Array<{ code: string; severity: string }> }): string[] {
  return c.issues.filter((i) => i.severity === 'error').map((i) => i.code);
}

describe('judging the reply strictly (spec §3.1)', () => {
  it.each([
    [{ status: 200, body: '{"ret":0,"msg":"ok"}' }, true, ''],
    [{ status: 200, body: '{ "ret" : 0 , "msg" : "ok", "extra": 1 }' }, true, ''],
    [{ status: 204, body: '{"ret":0,"msg":"ok"}' }, true, ''],
    [{ status: 200, body: '{"ret":0,"msg":"OK"}' }, false, 'lowercase'],
    [{ status: 200, body: '{"ret":"0","msg":"ok"}' }, false, 'the number 0'],
    [{ status: 200, body: '{"ret":0}' }, false, 'msg is missing'],
    [{ status: 200, body: '{"ret":-1,"msg":"bad sign"}' }, false, 'bad sign'],
    [{ status: 200, body: 'ok' }, false, 'not JSON'],
    [{ status: 200, body: '' }, false, 'empty'],
    [{ status: 200, body: '[0]' }, false, 'not an object'],
    [{ status: 500, body: '{"ret":0,"msg":"ok"}' }, false, 'HTTP 500'],
    [{ error: 'no reply within 100 ms' }, false, 'no reply within'],
  ])('%j → delivered %s', (seen, delivered, reason) => {
    const v = judgeReply(seen);
    expect(v.delivered).toBe(delivered);
    if (reason) expect(v.reason).toContain(reason);
    else expect(v.reason).toBe('');
  });

  it('reads acceptance leniently for probes: any 2xx ret 0, whatever msg', () => {
    expect(looksAccepted({ status: 200, body: '{"ret":0,"msg":"OK"}' })).toBe(true);
    expect(looksAccepted({ status: 200, body: '{"ret":"0"}' })).toBe(true);
    expect(looksAccepted({ status: 400, body: '{"ret":0,"msg":"ok"}' })).toBe(false);
    expect(looksAccepted({ status: 200, body: '{"ret":-1,"msg":"no"}' })).toBe(false);
    expect(looksAccepted({ error: 'down' })).toBe(false);
  });
});

describe('retry schedule', () => {
  it('follows 15/15/30/180/1800/1800/1800/1800/3600 s, scaled, then stops after ten attempts', () => {
    const delays = Array.from({ length: MAX_ATTEMPTS }, (_, i) => retryDelayMs(i + 1, 1));
    expect(delays).toEqual([15000, 15000, 30000, 180000, 1800000, 1800000, 1800000, 1800000, 3600000, undefined]);
    expect(retryDelayMs(1, 0.001)).toBe(15);
    expect(retryDelayMs(9, 0.001)).toBe(3600);
  });

  it('accepts a scale above 0 and at most 1', () => {
    expect(parseRetryScale('0.001')).toBe(0.001);
    expect(parseRetryScale('1')).toBe(1);
    expect(parseRetryScale('1e-3')).toBe(0.001);
    for (const bad of ['0', '2', '-1', 'fast', '']) expect(parseRetryScale(bad)).toBeUndefined();
  });
});
