import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signNotification, type NotificationFields } from '../../src/core/notification.js';
import { canonicalString, createOrderClient, decodePayInfo, OpenMidasApiError, runDoctor, signRequest, startSandbox, TacpayLibError, verifyNotification, type Sandbox } from '../../src/lib/index.js';
import { verifyBytes } from '../../src/core/signature.js';
import { createPublicKey, createPrivateKey } from 'node:crypto';

const doc = JSON.parse(readFileSync(new URL('../../fixtures/vectors/doc-payinfo.json', import.meta.url), 'utf8')) as { pay_info: string };

describe('signing', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  it('canonicalString sorts by code unit, drops sign and appends the offerKey', () => {
    expect(canonicalString({ b: 2, a: 'x', sign: 'zz', Z: '' }, 'KEY')).toBe('Z=&a=x&b=2KEY');
  });
  it('signRequest adds ts and a sign that verifies over the canonical string, from a PEM or a KeyObject', () => {
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const now = new Date('2026-12-03T10:00:00Z');
    const signed = signRequest({ user_id: 'user01', amount: 1 }, { offerKey: 'k', privateKey: pem, now });
    expect(signed.ts).toBe(String(Math.floor(now.getTime() / 1000) - 28800));
    expect(verifyBytes(canonicalString({ user_id: 'user01', amount: '1', ts: signed.ts }, 'k'), Buffer.from(signed.sign, 'base64'), publicKey)).toBe(true);
    const again = signRequest({ user_id: 'user01', amount: 1, ts: '123' }, { offerKey: 'k', privateKey });
    expect(again.ts).toBe('123');
    expect(again.sign).not.toBe(signed.sign);
  });
  it('a public key where the private one belongs is a TacpayLibError, not a crypto stack', () => {
    expect(() => signRequest({ a: 1 }, { offerKey: 'k', privateKey: publicKey })).toThrow(TacpayLibError);
    expect(() => signRequest({ a: 1 }, { offerKey: 'k', privateKey: 'not a key' })).toThrow(/privateKey/);
  });
});

describe('verifyNotification', () => {
  const platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const now = new Date('2026-12-03T10:00:00Z');
  const fields: NotificationFields = {
    appid: 'TC100008', sub_appid: '', user_id: 'user01', out_trade_no: 'o1', product_id: 'p', currency_type: 'CNY', amount: 1,
    pay_channel: 'wechat', pay_scene: 1, pay_channel_orderid: '42', metadata: '', sub_out_trade_no_list: [], ts: String(Math.floor(now.getTime() / 1000)),
  };
  const body = JSON.stringify(signNotification(fields, 'OK1', platform.privateKey));
  const pem = platform.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  it('accepts a signed, fresh notification as a string, a Buffer or a parsed object', () => {
    for (const b of [body, Buffer.from(body), JSON.parse(body) as object]) {
      const v = verifyNotification(b, { platformPublicKey: pem, offerKey: 'OK1', now });
      expect(v.ok).toBe(true);
      if (v.ok) expect(v.notification.out_trade_no).toBe('o1');
    }
  });
  it('refuses a changed field, another offerKey, a stale ts, no offerKey and junk, each with its code', () => {
    const changed = body.replace('"amount":1', '"amount":100');
    const cases: Array<[unknown, string | undefined, Date, string]> = [
      [changed, 'OK1', now, 'notify.sign.invalid'],
      [body, 'other', now, 'notify.sign.invalid'],
      [body, 'OK1', new Date(now.getTime() + 3600_000), 'notify.ts.stale'],
      [body, undefined, now, 'notify.offer-key.missing'],
      ['not json', 'OK1', now, 'notify.not-json'],
      ['['.repeat(5000), 'OK1', now, 'notify.too-deep'],
    ];
    for (const [b, offerKey, at, code] of cases) {
      const v = verifyNotification(b as string, { platformPublicKey: platform.publicKey, ...(offerKey ? { offerKey } : {}), now: at });
      expect(v.ok).toBe(false);
      if (!v.ok) expect(v.code).toBe(code);
    }
  });
});

describe('decodePayInfo', () => {
  it('gives the decode --json report for the documented pay_info', () => {
    const r = decodePayInfo(doc.pay_info);
    expect(r.valid).toBe(true);
    expect(r.data?.appid).toBe('TC100008');
    expect(r.signature.status).toBe('not-checked');
  });
  it('with a key that did not sign it, the signature fails', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const r = decodePayInfo(doc.pay_info, { publicKey });
    expect(r.signature.status).toBe('failed');
    expect(r.valid).toBe(false);
    expect(r.signature.keyBits).toBe(2048);
  });
  it('empty input is a TacpayLibError', () => {
    expect(() => decodePayInfo('')).toThrow(TacpayLibError);
  });
});

describe('sandbox and order client', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ retryScale: 0.001 });
  });
  afterAll(async () => {
    await sandbox.close();
  });
  it('places an order, pays it, queries it paid, and its pay_info verifies with the platform key', async () => {
    const client = createOrderClient({ ...sandbox.merchant, privateKey: sandbox.merchant.privateKeyPem, baseUrl: sandbox.url });
    try {
      expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const placed = await client.unifiedOrder({ user_id: 'user01', out_trade_no: 'lib_1', product_id: 'p', currency_type: 'CNY', amount: 1, product_name: 'n', product_detail: 'd' });
      expect(typeof placed.pay_info).toBe('string');
      expect(decodePayInfo(placed.pay_info!, { publicKey: sandbox.platformPublicKeyPem }).signature.status).toBe('verified');
      await sandbox.pay('lib_1');
      const q = await client.queryOrder({ user_id: 'user01', type: 'by_order', out_trade_no: 'lib_1' });
      expect(Number(q.order_state)).toBeGreaterThanOrEqual(2);
      const err = await client.closeOrder({ user_id: 'user01', out_trade_no: 'nope' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenMidasApiError);
      expect((err as OpenMidasApiError).ret).not.toBe(0);
      const bal = await client.getBalance(`${sandbox.merchant.offerId}_001`, { user_id: 'user01' });
      expect(bal.ret).toBe(0);
      await expect(sandbox.pay('no_such')).rejects.toBeInstanceOf(OpenMidasApiError);
    } finally {
      await client.close();
    }
  });
  it('a wrong offerKey is an OpenMidasApiError from the sandbox, not a success', async () => {
    const client = createOrderClient({ ...sandbox.merchant, offerKey: 'wrong', privateKey: createPrivateKey(sandbox.merchant.privateKeyPem), baseUrl: sandbox.url });
    await expect(client.queryRefund({ user_id: 'user01', refund_id: 'r' })).rejects.toBeInstanceOf(OpenMidasApiError);
    await client.close();
    expect(createPublicKey(sandbox.platformPublicKeyPem).asymmetricKeyType).toBe('rsa');
  });
});

describe('runDoctor', () => {
  it('reports the checks of a fixture project', async () => {
    const report = await runDoctor(new URL('../../fixtures/projects/plugins/local-aar', import.meta.url).pathname);
    expect(report.checks.find((c) => c.id === 'android.project')?.status).toBe('pass');
    expect(report.summary.total).toBeGreaterThan(5);
  });
  it('an unknown skip id is a TacpayLibError', async () => {
    await expect(runDoctor('.', { skip: ['no.such'] })).rejects.toBeInstanceOf(TacpayLibError);
  });
});
