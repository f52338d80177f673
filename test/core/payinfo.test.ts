import { createPrivateKey, createPublicKey, sign as rsaSign, verify as rsaVerify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isOk } from '../../src/core/issues.js';
import { fingerprintOf } from '../../src/core/keys.js';
import { buildPayInfo, parsePayInfo, PAYINFO_FIELDS, type PayInfoData } from '../../src/core/payinfo.js';
import { firstInvalidUtf8, isStrictBase64, percentDecode, unwrap } from '../../src/core/payinfo-encoding.js';
import { fastCheck, fastVerdictBytes, newFieldSpans, OUT_TRADE_NO, type FastOptions } from '../../src/batch/fast-scan.js';
import { checkInputText, textFromBytes } from '../../src/core/payinfo-input.js';
import { checkPayInfo, NO_KEY, notChecked, verifyPayInfo, type VerifyKey } from '../../src/core/payinfo-verify.js';
import { isStrictBase64 as signatureIsStrictBase64 } from '../../src/core/signature.js';
import { docPayInfo, FIXTURES } from '../helpers/fixtures.js';

// ---- fixtures: the committed test platform key pair, a second key, and a 1024-bit key ----
const pem = (name: string) => readFileSync(join(FIXTURES, 'payinfo', name), 'utf8');
const privateKeys = { platform: createPrivateKey(pem('platform-private.pem')), other: createPrivateKey(pem('other-private.pem')), small: createPrivateKey(pem('small-private.pem')) };
function verifyKey(pub: KeyObject): VerifyKey {
  return { publicKey: pub, bits: pub.asymmetricKeyDetails!.modulusLength!, fingerprint: fingerprintOf(pub) };
}
const platform = verifyKey(createPublicKey(pem('platform-public.pem')));
const other = verifyKey(createPublicKey(pem('other-public.pem')));

const DOC_DATA: PayInfoData = { appid: 'TC100008', user_id: 'rickenwang', out_trade_no: 'open_1517568769743', product_id: 'product_test', pay_method: 'wechat' };
const JSON_TEXT = JSON.stringify(DOC_DATA);

/** Signs `text` (§7 D1 default: the decoded JSON with SHA-256) and builds the pay_info. */
function signed(text = JSON_TEXT, opts: { key?: KeyObject; hash?: 'sha256' | 'sha1'; data?: string } = {}): string {
  const sig = rsaSign(opts.hash ?? 'sha256', Buffer.from(text), opts.key ?? privateKeys.platform).toString('base64');
  return 'data=' + encodeURIComponent(opts.data ?? JSON_TEXT) + '&sign=' + encodeURIComponent(sig);
}
const VALID = signed();
const codes = (input: string, opts = {}) => parsePayInfo(input, opts).issues.map((i) => i.code);
const errors = (input: string, opts = {}) => parsePayInfo(input, opts).issues.filter((i) => i.severity === 'error').map((i) => i.code);
const withData = (data: unknown, signPart = VALID.slice(VALID.indexOf('&sign='))) => 'data=' + encodeURIComponent(typeof data === 'string' ? data : JSON.stringify(data)) + signPart;

describe('buildPayInfo (§2.1)', () => {
  it('rebuilds the documented pay_info byte for byte', () => {
    const parsed = parsePayInfo(docPayInfo);
    expect(buildPayInfo(parsed.data as PayInfoData, parsed.sign!)).toBe(docPayInfo);
  });

  it('writes compact JSON in the documented key order, whatever order the object has', () => {
    const shuffled = { pay_method: 'wechat', product_id: 'product_test', out_trade_no: 'open_1517568769743', user_id: 'rickenwang', appid: 'TC100008' } as PayInfoData;
    const built = buildPayInfo(shuffled, 'c2ln');
    expect(built).toBe('data=' + encodeURIComponent(JSON_TEXT) + '&sign=c2ln');
  });

  it('cannot throw on lone surrogates (encodeURIComponent would)', () => {
    expect(() => buildPayInfo(DOC_DATA, 'ab\ud800')).not.toThrow();
    expect(buildPayInfo(DOC_DATA, 'ab\ud800')).toMatch(/sign=ab%EF%BF%BD$/);
  });
});

describe('parsePayInfo: the documented example', () => {
  it('decodes with no error, only the >512 characters warning (the example is 564)', () => {
    const parsed = parsePayInfo(docPayInfo);
    expect(parsed.length).toBe(564);
    expect(isOk(parsed.issues)).toBe(true);
    expect(parsed.issues.map((i) => `${i.severity}:${i.code}`)).toEqual(['warning:payinfo.long']);
    expect(parsed.data).toEqual(DOC_DATA);
    expect(parsed.signBytes?.length).toBe(256);
    expect(parsed.sign).toMatch(/^PplSFOrim.*==$/);
  });

  it('keeps the raw parts for the encoded-JSON signing candidates', () => {
    const parsed = parsePayInfo(docPayInfo);
    expect(parsed.dataRaw).toBe(encodeURIComponent(JSON_TEXT));
    expect(parsed.dataText).toBe(JSON_TEXT);
    expect(docPayInfo.endsWith(parsed.signRaw!)).toBe(true);
  });
});

describe('parsePayInfo: issue codes', () => {
  const doc = docPayInfo;
  const sign256 = VALID.slice(VALID.indexOf('&sign='));
  // [what, input, options, error codes expected (exactly), other codes that must also be present]
  const table: ReadonlyArray<readonly [string, string, object, string[], string[]]> = [
    ['empty', '', {}, ['input.empty'], []],
    ['whitespace only', ' \t ', {}, ['input.empty'], []],
    ['over 64 KiB', 'data=' + 'a'.repeat(70_000), {}, ['input.too-long'], []],
    ['binary', 'data=\u0000\u0001&sign=x', {}, ['input.binary'], []],
    ['two lines', `${doc}\n${doc}`, {}, ['input.multiple-lines'], []],
    ['truncated UTF-8 escape', doc.replace('%22rickenwang', '%E4%B8rickenwang'), {}, ['payinfo.bad-percent-encoding', 'data.not-json'], []],
    ['malformed escape', doc.replace('%2C%22user_id', '%ZZ%22user_id'), {}, ['payinfo.bad-percent-encoding', 'data.not-json'], []],
    ['escape cut at the end', doc.slice(0, -2), {}, ['payinfo.bad-percent-encoding', 'sign.not-base64'], []],
    ['no data part', doc.slice(doc.indexOf('sign=')), {}, ['payinfo.missing-data'], []],
    ['no sign part', doc.slice(0, doc.indexOf('&sign=')), {}, ['payinfo.missing-sign'], []],
    ['data is not JSON', 'data=hello' + sign256, {}, ['data.not-json'], []],
    ['data is an array', withData([1, 2]), {}, ['data.not-object'], []],
    ['data is null', withData('null'), {}, ['data.not-object'], []],
    ['data is empty', 'data=' + sign256, {}, ['data.empty'], []],
    ['a field missing', withData({ ...DOC_DATA, user_id: undefined }), {}, ['data.missing-field'], []],
    ['an extra field', withData({ ...DOC_DATA, amount: 1 }), {}, [], ['data.extra-field']],
    ['appid not TC+digits', withData({ ...DOC_DATA, appid: 'TX100008' }), {}, ['appid.format'], []],
    ['user_id too short', withData({ ...DOC_DATA, user_id: 'rick' }), {}, ['user_id.too-short'], []],
    ['user_id charset', withData({ ...DOC_DATA, user_id: 'ricken_wang' }), {}, ['user_id.charset'], []],
    ['user_id a number', withData({ ...DOC_DATA, user_id: 1234567 }), {}, ['user_id.type'], []],
    ['out_trade_no too long', withData({ ...DOC_DATA, out_trade_no: 'o'.repeat(33) }), {}, ['out_trade_no.too-long'], []],
    ['product_id charset', withData({ ...DOC_DATA, product_id: 'product test' }), {}, ['product_id.charset'], []],
    ['pay_method unknown', withData({ ...DOC_DATA, pay_method: 'alipay' }), {}, ['pay_method.unknown-value'], []],
    ['pay_method case', withData({ ...DOC_DATA, pay_method: 'WeChat' }), {}, ['pay_method.case'], []],
    ['qqwallet is fine', withData({ ...DOC_DATA, pay_method: 'qqwallet' }), {}, [], []],
    ['appid not the expected one', doc, { expectAppid: 'TC999' }, ['appid.unexpected'], []],
    ['appid the expected one', doc, { expectAppid: 'TC100008' }, [], []],
    ['sign empty', doc.slice(0, doc.indexOf('&sign=') + 6), {}, ['sign.empty'], []],
    ['sign with spaces', doc.replace(/%2B/g, ' '), {}, ['sign.spaces'], []],
    ['sign with %20', doc.replace(/%2B/g, '%20'), {}, ['sign.spaces'], []],
    ['sign URL-safe', doc.replace(/%2B/g, '-').replace(/%2F/g, '_').replace(/%3D/g, ''), {}, ['sign.url-safe'], []],
    ['sign cut short', doc.slice(0, -20), {}, [], ['sign.unusual-length']],
    ['sign cut to a wrong length', doc.slice(0, -7), {}, ['sign.bad-padding'], []],
    ['sign not the key size', doc, { keyBits: 1024 }, ['sign.length-mismatch'], []],
    ['sign the key size', doc, { keyBits: 2048 }, [], []],
    ['raw + (qs reads a space)', doc.replace(/%2B/g, '+'), {}, ['payinfo.raw-plus'], []],
    ['quotes around it', `"${doc}"`, {}, ['payinfo.stray-wrapping'], []],
    ['trailing newline and space', `${doc}\n `, {}, ['payinfo.stray-wrapping'], []],
    ['whole pay_info encoded again', encodeURIComponent(doc), {}, ['payinfo.encoded-again'], []],
    ['data encoded twice', 'data=' + encodeURIComponent(encodeURIComponent(JSON_TEXT)) + sign256, {}, ['data.double-encoded'], []],
    ['sign encoded twice', doc.replace(/%2B/g, '%252B').replace(/%2F/g, '%252F').replace(/%3D/g, '%253D'), {}, ['sign.double-encoded'], []],
    ['data part twice', `${doc}&data=x`, {}, ['payinfo.duplicate-part'], []],
    ['an extra part', `${doc}&x=1`, {}, [], ['payinfo.extra-part']],
    ['bracket key stays literal', `data[a]=1&sign=x`, {}, ['payinfo.missing-data', 'sign.bad-padding'], ['payinfo.extra-part']],
    ['pretty-printed JSON', withData(JSON.stringify(DOC_DATA, null, 2)), {}, [], ['data.not-compact']],
    ['other key order', withData({ user_id: 'rickenwang', appid: 'TC100008', out_trade_no: 'o1', product_id: 'p', pay_method: 'wechat' }), {}, [], ['data.key-order']],
    ['lowercase escapes', doc.replace('%7B', '%7b'), {}, [], ['payinfo.nonstandard-encoding']],
    ['unencoded JSON', 'data=' + JSON_TEXT + sign256, {}, [], ['payinfo.nonstandard-encoding']],
  ];

  it.each(table)('%s', (_what, input, opts, wantErrors, alsoPresent) => {
    expect(errors(input, opts)).toEqual(wantErrors);
    const all = codes(input, opts);
    for (const c of alsoPresent) expect(all).toContain(c);
  });

  it('points at the truncated escape itself', () => {
    const issue = parsePayInfo(doc.replace('%22rickenwang', '%E4%B8rickenwang')).issues.find((i) => i.code === 'payinfo.bad-percent-encoding');
    expect(issue?.message).toContain('"%E4%B8"');
    expect(issue?.path).toBe('data');
  });

  it('names a mis-cased part in the hint', () => {
    const issue = parsePayInfo(doc.replace('data=', 'Data=')).issues.find((i) => i.code === 'payinfo.missing-data');
    expect(issue?.hint).toContain('"Data"');
  });

  it('says where the copy-paste wrapping was', () => {
    const parsed = parsePayInfo(`'${doc}'\n`);
    expect(parsed.wrapping).toBe(`leading "'" and trailing "'\\n"`);
    expect(parsed.data).toEqual(DOC_DATA);
  });

  it('does not mistake a JSON value holding %XX for double encoding', () => {
    expect(codes(withData({ ...DOC_DATA, note: '100%41' }))).not.toContain('data.double-encoded');
  });

  it('does not call brackets in the data unencoded (qs rewrites %5B/%5D before splitting)', () => {
    const parsed = parsePayInfo(withData({ ...DOC_DATA, list: [1, 2] }));
    expect(parsed.issues.map((i) => i.code)).not.toContain('payinfo.nonstandard-encoding');
    expect(parsed.data?.list).toEqual([1, 2]);
  });

  it('decodes data and sign of a double-encoded pay_info for display', () => {
    const parsed = parsePayInfo('data=' + encodeURIComponent(encodeURIComponent(JSON_TEXT)) + VALID.slice(VALID.indexOf('&sign=')));
    expect(parsed.data).toEqual(DOC_DATA);
    expect(parsed.dataTwice).toBe(JSON_TEXT);
  });
});

describe('input checks', () => {
  it('names the first invalid UTF-8 byte', () => {
    const { text, issues } = textFromBytes(Buffer.from([0x64, 0x61, 0xe4, 0xb8, 0x41]));
    expect(text).toBeUndefined();
    expect(issues[0]).toMatchObject({ code: 'input.invalid-utf8' });
    expect(issues[0]?.message).toContain('0xe4 at offset 2');
  });

  it('calls binary data binary, even when it is also invalid UTF-8', () => {
    const { issues } = textFromBytes(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00]));
    expect(issues[0]?.code).toBe('input.binary');
  });

  it('passes ASCII and valid UTF-8 through', () => {
    expect(textFromBytes(Buffer.from(docPayInfo))).toEqual({ text: docPayInfo, issues: [] });
    expect(textFromBytes(Buffer.from('数据'))).toEqual({ text: '数据', issues: [] });
  });

  it('refuses more than 64 KiB before decoding it', () => {
    expect(textFromBytes(Buffer.alloc(10 * 1024 * 1024, 0x61)).issues[0]?.code).toBe('input.too-long');
  });

  it('finds invalid UTF-8 like the WHATWG decoder (overlong, surrogate, truncated)', () => {
    expect(firstInvalidUtf8(Buffer.from('ok 中文'))).toBeUndefined();
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xc0, 0x80]))).toEqual({ at: 1, length: 1 });
    expect(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toEqual({ at: 0, length: 1 });
    expect(firstInvalidUtf8(Buffer.from([0xe4, 0xb8]))).toEqual({ at: 0, length: 2 });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), (bytes) => {
        const buf = Buffer.from(bytes);
        expect(firstInvalidUtf8(buf) === undefined).toBe(new TextDecoder('utf-8', { fatal: false }).decode(buf) === buf.toString('utf8') && Buffer.from(buf.toString('utf8')).equals(buf));
      }),
    );
  });

  it('checkInputText agrees with itself on the fast path', () => {
    expect(checkInputText(docPayInfo)).toEqual([]);
    expect(checkInputText('\u00a0')).toEqual(checkInputText(' ').map((i) => ({ ...i, message: 'the pay_info holds only whitespace' })));
  });
});

describe('percent-decoding and Base64', () => {
  it.each([
    ['%7B%22a%22%7D', '{"a"}', undefined],
    ['a+b', 'a+b', undefined],
    ['%E4%B8%AD', '中', undefined],
    ['x%E4%B8', 'x\ufffd', 'invalid-utf8'],
    ['%ZZ', '%ZZ', 'malformed'],
    ['abc%', 'abc%', 'malformed'],
    ['%41%E4%B8%42', 'A\ufffdB', 'invalid-utf8'],
  ])('%s', (raw, text, why) => {
    const d = percentDecode(raw);
    expect(d.text).toBe(text);
    expect(d.bad?.why).toBe(why);
  });

  it('reports the offset and text of the bad escape', () => {
    expect(percentDecode('%41%E4%B8%42').bad).toEqual({ offset: 3, seq: '%E4%B8', why: 'invalid-utf8' });
  });

  it('is the same strict Base64 as core/signature.ts', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'AB+/=z9 -_'), maxLength: 12 }), (s) => {
        expect(isStrictBase64(s)).toBe(signatureIsStrictBase64(s));
      }),
      { numRuns: 2000 },
    );
  });

  it('unwraps only what cannot belong to a pay_info', () => {
    expect(unwrap('data=x')).toEqual({ core: 'data=x' });
    expect(unwrap(" 'data=x'\n").core).toBe('data=x');
    // encodeURIComponent leaves ' raw: a lone trailing one may be the sign's own.
    expect(unwrap("data=x'").core).toBe("data=x'");
    expect(unwrap('“data=x”').core).toBe('data=x');
  });
});

describe('verifyPayInfo (§7 D1)', () => {
  const check = (input: string, opts = {}) => checkPayInfo(input, { key: platform, ...opts });

  it('verifies SHA-256 over the decoded JSON and reports the candidate', () => {
    const r = check(VALID);
    expect(r.signature).toEqual({ status: 'verified', candidate: 'decoded-json', hash: 'sha256', keyFingerprint: platform.fingerprint });
    expect(r.valid).toBe(true);
  });

  it.each([
    ['decoded-json', 'sha1', JSON_TEXT],
    ['encoded-json', 'sha256', encodeURIComponent(JSON_TEXT)],
    ['data=decoded', 'sha256', 'data=' + JSON_TEXT],
    ['data=encoded', 'sha256', 'data=' + encodeURIComponent(JSON_TEXT)],
    ['data=encoded', 'sha1', 'data=' + encodeURIComponent(JSON_TEXT)],
  ] as const)('finds the %s candidate with %s', (candidate, hash, text) => {
    expect(check(signed(text, { hash })).signature).toMatchObject({ status: 'verified', candidate, hash });
  });

  it('agrees with crypto.verify on every candidate, for intact and damaged pay_info', () => {
    const texts = [JSON_TEXT, encodeURIComponent(JSON_TEXT), 'data=' + JSON_TEXT, 'data=' + encodeURIComponent(JSON_TEXT)];
    const base = fc.tuple(fc.constantFrom(...texts.keys()), fc.constantFrom<'sha256' | 'sha1'>('sha256', 'sha1'));
    const samples = [...texts.keys()].flatMap((i) => (['sha256', 'sha1'] as const).map((h) => ({ i, h, input: signed(texts[i]!, { hash: h }) })));
    fc.assert(
      fc.property(base, fc.nat(), fc.nat(), fc.boolean(), ([i, h], pos, ch, damage) => {
        const sample = samples.find((s) => s.i === i && s.h === h)!;
        let input = sample.input;
        if (damage) {
          const at = pos % input.length;
          input = input.slice(0, at) + String.fromCharCode(48 + (ch % 75)) + input.slice(at + 1);
        }
        const parsed = parsePayInfo(input);
        const result = verifyPayInfo(parsed, platform);
        const sig = parsed.signBytes;
        const forms = parsed.dataText === undefined || parsed.dataRaw === undefined ? [] : [parsed.dataText, parsed.dataRaw, 'data=' + parsed.dataText, 'data=' + parsed.dataRaw];
        const cryptoSays = sig !== undefined && forms.some((t) => rsaVerify('sha256', Buffer.from(t), platform.publicKey, sig) || rsaVerify('sha1', Buffer.from(t), platform.publicKey, sig));
        expect(result.status === 'verified').toBe(cryptoSays);
      }),
      { numRuns: 150 },
    );
  });

  it('without a key, says it was not checked', () => {
    expect(checkPayInfo(VALID).signature).toEqual(notChecked(NO_KEY));
    expect(checkPayInfo(VALID).valid).toBe(true);
  });

  it('does not check what has no data or no sign', () => {
    expect(check('sign=abcd').signature).toMatchObject({ status: 'not-checked', reason: 'the pay_info has no data part' });
    expect(check(VALID.slice(0, VALID.indexOf('&sign='))).signature).toMatchObject({ status: 'not-checked', reason: 'the pay_info has no sign part' });
  });

  const firstCause = (input: string, opts = {}) => check(input, opts).signature.causes?.[0];

  it('a different key: no confirmation, the key fingerprint as evidence', () => {
    const r = check(signed(JSON_TEXT, { key: privateKeys.other }));
    expect(r.signature.status).toBe('failed');
    expect(r.valid).toBe(false);
    expect(r.signature.causes?.[0]).toMatchObject({ code: 'different-key', confirmed: false });
    expect(r.signature.causes?.[0]?.evidence).toContain(platform.fingerprint);
  });

  it('a different key with the expected fingerprint known: shows both', () => {
    const cause = firstCause(signed(JSON_TEXT, { key: privateKeys.other }), { expectFingerprint: other.fingerprint });
    expect(cause?.code).toBe('different-key');
    expect(cause?.evidence).toContain(platform.fingerprint);
    expect(cause?.evidence).toContain(other.fingerprint);
    expect(check(VALID, { expectFingerprint: other.fingerprint }).signature.expectedFingerprint).toBe(other.fingerprint);
  });

  it('the expected key given, signature does not open: the sign was altered', () => {
    const altered = VALID.replace(/sign=./, (m) => (m.endsWith('A') ? 'sign=B' : 'sign=A'));
    expect(firstCause(altered, { expectFingerprint: platform.fingerprint })?.code).toBe('sign-altered');
  });

  it('a smaller key size: names the size', () => {
    const cause = firstCause(signed(JSON_TEXT, { key: privateKeys.small }));
    expect(cause).toMatchObject({ code: 'different-key', confirmed: false });
    expect(cause?.message).toContain('1024-bit');
  });

  it('a truncated sign', () => {
    expect(firstCause(VALID.slice(0, -24))).toMatchObject({ code: 'sign-truncated', confirmed: false });
  });

  it('"+" turned into spaces: repaired and confirmed', () => {
    const cause = firstCause(VALID.replace(/%2B/g, ' '));
    expect(cause).toMatchObject({ code: 'plus-as-space', confirmed: true });
    expect(cause?.message).toContain('SHA-256 over the decoded data JSON');
  });

  it('a raw "+" (as qs would read it) still verifies, but is its own error', () => {
    const r = check(VALID.replace(/%2B/g, '+'));
    expect(r.signature.status).toBe('verified');
    expect(r.parsed.issues.map((i) => i.code)).toContain('payinfo.raw-plus');
    expect(r.valid).toBe(false);
  });

  it('double percent-encoding (parts or whole): decoded once more, confirmed', () => {
    const twice = 'data=' + encodeURIComponent(encodeURIComponent(JSON_TEXT)) + '&sign=' + encodeURIComponent(encodeURIComponent(parsePayInfo(VALID).sign!));
    expect(firstCause(twice)).toMatchObject({ code: 'double-encoding', confirmed: true });
    expect(firstCause(encodeURIComponent(VALID))).toMatchObject({ code: 'double-encoding', confirmed: true });
  });

  it('stray quotes or whitespace: trimmed, confirmed', () => {
    expect(firstCause(`"${VALID}"`)).toMatchObject({ code: 'stray-wrapping', confirmed: true });
    expect(firstCause(`${VALID} \n`)).toMatchObject({ code: 'stray-wrapping', confirmed: true });
  });

  it('JSON re-serialized after signing (whitespace, key order): compact form confirmed', () => {
    const pretty = withData(JSON.stringify(DOC_DATA, null, 2), VALID.slice(VALID.indexOf('&sign=')));
    expect(firstCause(pretty)).toMatchObject({ code: 'data-reserialized', confirmed: true });
    const reordered = withData({ user_id: 'rickenwang', appid: 'TC100008', out_trade_no: 'open_1517568769743', product_id: 'product_test', pay_method: 'wechat' }, VALID.slice(VALID.indexOf('&sign=')));
    expect(firstCause(reordered)).toMatchObject({ code: 'data-reserialized', confirmed: true });
  });

  it('data changed after signing: the key opens the signature, so not a key problem', () => {
    const changed = withData({ ...DOC_DATA, user_id: 'mallory1' }, VALID.slice(VALID.indexOf('&sign=')));
    const causes = check(changed).signature.causes!;
    expect(causes[0]).toMatchObject({ code: 'data-changed', confirmed: false });
    expect(causes[0]?.evidence).toContain('SHA-256');
    expect(causes.map((c) => c.code)).not.toContain('different-key');
  });

  it('a broken escape in the data is named as a cause', () => {
    const causes = check(VALID.replace('%22rickenwang', '%E4%B8rickenwang')).signature.causes!;
    expect(causes.map((c) => c.code)).toEqual(['bad-percent-encoding', 'data-changed']);
  });

  it('ranks confirmed causes first', () => {
    const both = `"${VALID.replace(/%2B/g, ' ')}"`;
    const causes = check(both).signature.causes!;
    expect(causes[0]?.confirmed).toBe(true);
    expect(causes.every((c, i) => i === 0 || !c.confirmed || causes[i - 1]!.confirmed)).toBe(true);
  });
});

// ---- properties: never throw; round trip; the fast path equals the general path ----

/** Mutations of a valid pay_info: delete, insert or replace characters at random places. */
const mutated = fc
  .tuple(fc.constantFrom(VALID, docPayInfo, signed(JSON_TEXT, { key: privateKeys.other })), fc.array(fc.tuple(fc.constantFrom('delete', 'insert', 'replace'), fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 3 })), { minLength: 1, maxLength: 4 }))
  .map(([base, edits]) => {
    let s = base;
    for (const [op, pos, text] of edits) {
      const at = pos % (s.length + 1);
      s = op === 'delete' ? s.slice(0, at) + s.slice(at + 1) : op === 'insert' ? s.slice(0, at) + text + s.slice(at) : s.slice(0, at) + text + s.slice(at + 1);
    }
    return s;
  });
/** Encoding-level edits of a valid pay_info: one escape lowercased or left raw, or one character needlessly escaped. */
const reencoded = fc.tuple(fc.constantFrom(VALID, docPayInfo), fc.nat(), fc.constantFrom('lower', 'raw', 'needless')).map(([base, n, how]) => {
  if (how === 'needless') {
    const at = 5 + (n % (base.length - 5));
    const c = base[at]!;
    return /[A-Za-z0-9]/.test(c) ? base.slice(0, at) + '%' + c.charCodeAt(0).toString(16).toUpperCase() + base.slice(at + 1) : base;
  }
  const escapes = [...base.matchAll(/%[0-9A-F]{2}/g)];
  const e = escapes[n % escapes.length]!;
  const repl = how === 'lower' ? e[0].toLowerCase() : decodeURIComponent(e[0]);
  return base.slice(0, e.index) + repl + base.slice(e.index + 3);
});
const codeUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 80 });
const anyInput = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), codeUnits, mutated, reencoded, fc.string({ unit: fc.constantFrom('data=', 'sign=', '&', '%', '%2', '%25', '+', ' ', '"', '{', '}', 'A', '=', '[', ']', '%E4', '%B8') }));

describe('properties', () => {
  it('parsePayInfo, checkPayInfo and verifyPayInfo never throw, on anything', () => {
    fc.assert(
      fc.property(anyInput, fc.boolean(), (input, withKey) => {
        const parsed = parsePayInfo(input, { expectAppid: 'TC100008', keyBits: 2048 });
        expect(parsed.issues.map((i) => i.code)).not.toContain('payinfo.internal');
        const r = checkPayInfo(input, withKey ? { key: platform, expectFingerprint: other.fingerprint } : {});
        expect(r.signature.causes?.map((c) => c.code) ?? []).not.toContain('internal');
        expect(typeof r.valid).toBe('boolean');
      }),
      { numRuns: 600 },
    );
  });

  it('never throws on non-string input either (JavaScript callers)', () => {
    for (const v of [undefined, null, 42, {}, []]) expect(() => parsePayInfo(v as unknown as string)).not.toThrow();
  });

  it('build -> parse gives back the same data and sign', () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    fc.assert(
      fc.property(fc.record({ appid: text, user_id: text, out_trade_no: text, product_id: text, pay_method: text }), text, (data, sign) => {
        const parsed = parsePayInfo(buildPayInfo(data, sign));
        expect(parsed.data).toEqual(data);
        expect(parsed.sign).toBe(sign);
      }),
      { numRuns: 500 },
    );
  });

  it('build -> parse of valid fields is clean apart from the length warning', () => {
    const alnum = fc.string({ unit: fc.constantFrom(...'aZ09'), minLength: 5, maxLength: 20 });
    const id = fc.string({ unit: fc.constantFrom(...'aZ09_.-'), minLength: 1, maxLength: 32 });
    fc.assert(
      fc.property(fc.nat(), alnum, id, id, fc.constantFrom('wechat', 'qqwallet'), (n, user, order, product, method) => {
        const parsed = parsePayInfo(buildPayInfo({ appid: `TC${n}`, user_id: user, out_trade_no: order, product_id: product, pay_method: method }, 'A'.repeat(342) + '=='));
        expect(parsed.issues.filter((i) => i.code !== 'payinfo.long')).toEqual([]);
      }),
    );
  });

  it('the fast path returns exactly what the general path returns, when it answers at all', () => {
    const general = (input: string, key?: VerifyKey, expectAppid?: string) => {
      const parsed = parsePayInfo(input, { expectAppid, keyBits: key?.bits });
      return { parsed, signature: key ? verifyPayInfo(parsed, key, {}) : notChecked(NO_KEY) };
    };
    let answered = 0;
    const cases = fc.oneof(mutated, reencoded, fc.constantFrom(VALID, docPayInfo, signed(JSON_TEXT, { hash: 'sha1' }), signed(encodeURIComponent(JSON_TEXT))));
    fc.assert(
      fc.property(cases, fc.boolean(), fc.constantFrom(undefined, 'TC100008', 'TC1'), (input, withKey, expectAppid) => {
        const key = withKey ? platform : undefined;
        const fast = fastCheck(input, { key, expectAppid });
        if (!fast) return;
        answered++;
        const slow = general(input, key, expectAppid);
        expect(fast.parsed).toEqual(slow.parsed);
        expect(fast.signature).toEqual(slow.signature);
        expect(fast.valid).toBe(isOk(slow.parsed.issues) && slow.signature.status !== 'failed');
      }),
      { numRuns: 400 },
    );
    expect(answered).toBeGreaterThan(20);
  });

  it('the fast path judges each field by its rule: values at and past every limit, odd characters, near-miss formats', () => {
    // Field values around each rule of rules.ts (lengths at and past min/max, characters inside and
    // outside the charset, including ones encodeURIComponent leaves alone), in otherwise canonical lines.
    const chars = (alphabet: string, min: number, max: number) => fc.string({ unit: fc.constantFrom(...alphabet), minLength: min, maxLength: max });
    const near = (alphabet: string, limit: number) => fc.oneof(chars(alphabet, 0, 3), chars(alphabet, Math.max(0, limit - 1), limit + 1));
    const odd = "aZ09_.-!~*'()% +";
    const valid = {
      appid: fc.nat().map((n) => `TC${n}`),
      user_id: chars('aZ09', 5, 255),
      out_trade_no: chars('aZ09_.-', 1, 32),
      product_id: chars('aZ09_.-', 1, 128),
      pay_method: fc.constantFrom('wechat', 'qqwallet'),
    };
    const edge = {
      appid: fc.constantFrom('TC', 'tc100008', 'TC10x', 'TC' + '1'.repeat(30), 'TC' + '1'.repeat(31), 'XTC1', 'TC-1', 'TC１'),
      user_id: fc.oneof(near('aZ09', 5), near('aZ09', 255), near(odd, 5)),
      out_trade_no: fc.oneof(near('aZ09_.-', 32), near(odd, 1)),
      product_id: fc.oneof(near('aZ09_.-', 128), near(odd, 2)),
      pay_method: fc.constantFrom('wechat', 'qqwallet', 'WeChat', 'qqWallet', 'alipay', 'wechatx', ''),
    };
    // A line valid but for (at most) one field at one of its edges.
    const cases = fc.record(valid).chain((data) =>
      fc.oneof(fc.constant(data), ...Object.entries(edge).map(([name, values]) => values.map((v: string) => ({ ...data, [name]: v })))),
    );
    let answered = 0;
    let declined = 0;
    fc.assert(
      fc.property(cases, (data) => {
        const input = withData(data);
        const fast = fastCheck(input, {});
        const slow = parsePayInfo(input);
        const clean = slow.issues.every((i) => i.code === 'payinfo.long');
        expect(fast !== undefined).toBe(clean);
        if (fast) {
          answered++;
          expect(fast.parsed).toEqual(slow);
        } else declined++;
      }),
      { numRuns: 600 },
    );
    expect(answered).toBeGreaterThan(50);
    expect(declined).toBeGreaterThan(50);
  });

  /** The batch verdict on a line standing alone: its out_trade_no when fastVerdictBytes accepts it. */
  const batchVerdict = (input: string, opts: FastOptions) => {
    const bytes = Buffer.from(input, 'utf8');
    const spans = newFieldSpans();
    return fastVerdictBytes(bytes, 0, bytes.length, opts, spans) ? bytes.toString('latin1', spans[2 * OUT_TRADE_NO], spans[2 * OUT_TRADE_NO + 1]) : undefined;
  };

  it("the batch verdict is fastCheck's, without the objects", () => {
    const cases = fc.oneof(mutated, reencoded, fc.constantFrom(VALID, docPayInfo, signed(JSON_TEXT, { hash: 'sha1' }), signed(encodeURIComponent(JSON_TEXT))));
    let answered = 0;
    fc.assert(
      fc.property(cases, fc.boolean(), fc.constantFrom(undefined, 'TC100008', 'TC1'), (input, withKey, expectAppid) => {
        const opts = { key: withKey ? platform : undefined, expectAppid };
        const full = fastCheck(input, opts);
        const verdict = batchVerdict(input, opts);
        if (full) answered++;
        expect(verdict).toBe(full?.valid ? (full.parsed.data?.out_trade_no as string) : undefined);
      }),
      { numRuns: 400 },
    );
    expect(answered).toBeGreaterThan(20);
  });

  it("read from the line's bytes inside a batch buffer, the verdict is the same as from the string", () => {
    // The batch passes a line's bytes in a buffer that holds other lines before and after it:
    // whatever follows (here text that would complete an escape or the padding) must not be read.
    const cases = fc.oneof(mutated, reencoded, fc.constantFrom(VALID, docPayInfo, VALID.slice(0, -1), VALID.slice(0, -2), VALID.slice(0, -3)));
    let answered = 0;
    fc.assert(
      fc.property(cases, fc.constantFrom('', 'x', '3D%3D\n', 'D\nAB', '%2'), fc.constantFrom('', 'data=\n'), fc.boolean(), (input, after, before, withKey) => {
        fc.pre([...input].every((c) => c.charCodeAt(0) < 128));
        const opts = { key: withKey ? platform : undefined };
        const bytes = Buffer.from(before + input + after, 'latin1');
        const spans = newFieldSpans();
        const ok = fastVerdictBytes(bytes, before.length, before.length + input.length, opts, spans);
        const fromBytes = ok ? bytes.toString('latin1', spans[2 * OUT_TRADE_NO], spans[2 * OUT_TRADE_NO + 1]) : undefined;
        if (fromBytes !== undefined) answered++;
        expect(fromBytes).toBe(batchVerdict(input, opts));
      }),
      { numRuns: 400 },
    );
    expect(answered).toBeGreaterThan(10);
  });

  it('the fast path warns about length from 513 characters on, as the general path does', () => {
    // A 1024-bit sign leaves room for a user_id that brings the line to each length (no key: the sign is not checked).
    const smallSign = signed(JSON_TEXT, { key: privateKeys.small });
    const signPart = smallSign.slice(smallSign.indexOf('&sign='));
    const base = withData({ ...DOC_DATA, user_id: '' }, signPart).length;
    for (const n of [511, 512, 513]) {
      const input = withData({ ...DOC_DATA, user_id: 'u'.repeat(n - base) }, signPart);
      expect(input.length).toBe(n);
      expect(fastCheck(input, {})?.parsed).toEqual(parsePayInfo(input));
    }
  });

  it('a bad appid stays bad on every line, however often it repeats; --expect-appid compares every character', () => {
    // The byte path remembers the last appid that matched TC + digits: one that did not must never pass.
    const bad = withData({ ...DOC_DATA, appid: 'tc100008' });
    for (let i = 0; i < 3; i++) expect(batchVerdict(bad, {})).toBeUndefined();
    const good = withData(DOC_DATA);
    expect(batchVerdict(good, {})).toBe(DOC_DATA.out_trade_no);
    expect(batchVerdict(withData({ ...DOC_DATA, appid: 'TC100009' }), {})).toBe(DOC_DATA.out_trade_no);
    expect(batchVerdict(withData({ ...DOC_DATA, appid: 'TC10000x' }), {})).toBeUndefined();
    expect(batchVerdict(good, { expectAppid: 'TC100009' })).toBeUndefined();
    expect(batchVerdict(good, { expectAppid: 'TC100008' })).toBe(DOC_DATA.out_trade_no);
  });

  it('the fast path takes only canonical Base64 in the sign (padding where the length needs it, zero unused bits)', () => {
    const sign = VALID.slice(VALID.indexOf('&sign=') + 6); // ends %3D%3D: 256 bytes
    const head = VALID.slice(0, VALID.indexOf('&sign=') + 6);
    expect(sign.endsWith('%3D%3D')).toBe(true);
    expect(fastCheck(head + sign, {})).toBeDefined();
    expect(fastCheck(head + sign.slice(0, -3), {})).toBeUndefined(); // one pad short
    expect(fastCheck(head + sign + '%3D', {})).toBeUndefined(); // one pad too many
    expect(fastCheck(head + sign.slice(0, -6), {})).toBeUndefined(); // no padding
    // The last digit before the padding carries 4 unused bits: any of them set is not canonical.
    const last = sign.slice(0, -6).slice(-1);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    const odd = alphabet[(alphabet.indexOf(last) | 1) % 62]!;
    expect(fastCheck(head + sign.slice(0, -7) + odd + '%3D%3D', {})).toBeUndefined();
    expect(fastCheck(head + sign.slice(0, -6) + '%3d%3D', {})).toBeUndefined(); // lower-case escape
    expect(fastCheck(head + sign.replace(/%2B/, '%2b'), {})).toBeUndefined();
  });

  it('the fast path answers for a canonical pay_info and passes anything odd on', () => {
    expect(fastCheck(VALID, { key: platform })?.signature.status).toBe('verified');
    expect(fastCheck(docPayInfo, {})?.parsed.data).toEqual(DOC_DATA);
    expect(fastCheck(docPayInfo, { key: platform })).toBeUndefined(); // does not verify: general path diagnoses
    expect(fastCheck(VALID.replace('%7B', '%7b'), {})).toBeUndefined();
    expect(fastCheck(VALID.replace(/%2B/g, '+'), {})).toBeUndefined();
    expect(fastCheck(`${VALID} `, {})).toBeUndefined();
    expect(fastCheck(VALID, { expectAppid: 'TC1' })).toBeUndefined();
    expect(fastCheck(withData({ ...DOC_DATA, user_id: 'x' }), {})).toBeUndefined();
    // Padding inside the sign, URL-safe letters, a needless escape: strict Base64 or canonical form broken.
    expect(fastCheck(VALID.replace(/(&sign=[^%]*)%[0-9A-F]{2}/, '$1%3D'), {})).toBeUndefined();
    expect(fastCheck(VALID.replace(/(&sign=[^%]*)%2F/, '$1_'), {})).toBeUndefined();
    expect(fastCheck(VALID.replace('&sign=', '&sign=%41'), {})).toBeUndefined();
  });
});

it('PAYINFO_FIELDS is the documented order', () => {
  expect(PAYINFO_FIELDS).toEqual(['appid', 'user_id', 'out_trade_no', 'product_id', 'pay_method']);
});
