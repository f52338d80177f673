import { createHash, createPrivateKey, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalString, type Params } from '../../src/core/canonical.js';
import { parseKey } from '../../src/core/keys.js';
import { canonicalSha256, diagnoseSignature, MISTAKE_IDS, offerKeyPlaceholder, readSignature, verifyRequestSignature } from '../../src/core/sign-diagnosis.js';
import { docPublicPem, docVector } from '../helpers/fixtures.js';

const privateKey = createPrivateKey({ key: Buffer.from(docVector.privateKey, 'base64'), format: 'der', type: 'pkcs8' });
const publicKey = parseKey(docPublicPem, 'public').value!.publicKey;
const KEY = docVector.offerKey;

// Chosen so that every mistake gives a different string: a space and ! ( ) for the three encodings,
// names whose code-unit, case-insensitive, locale and given orders all differ, and an empty value.
const PARAMS: Params = {
  user_id: 'rickenwang',
  amount: '1',
  product_name: '金元宝 (gold)!',
  B: 'x',
  a0: '1',
  a_b: '2',
  metadata: '',
  ts: '1519669241',
};

/** The signature a (buggy) implementation would produce for `text`. Written independently of the core. */
function signWith(text: string, hash: 'sha256' | 'sha1' = 'sha256', key: KeyObject = privateKey): Buffer {
  return createSign(hash === 'sha256' ? 'RSA-SHA256' : 'RSA-SHA1').update(text, 'utf8').sign(key);
}

const codeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const names = (p: Params, cmp: ((a: string, b: string) => number) | null = codeUnit, withSign = false) => {
  const keys = Object.keys(p).filter((k) => withSign || k !== 'sign');
  return cmp ? keys.sort(cmp) : keys;
};
const join = (p: Params, keys: string[], enc: (v: string) => string = (v) => v) => keys.map((k) => `${k}=${enc(String(p[k] ?? ''))}`).join('&');
const javaUrlEncoder = (v: string) => encodeURIComponent(v).replace(/%20/g, '+').replace(/[!'()~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
const rawurlencode = (v: string) => encodeURIComponent(v).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
const sorted = join(PARAMS, names(PARAMS));

interface Case {
  id: string;
  text: string;
  hash?: 'sha256' | 'sha1';
  params?: Params;
  offerKey?: string;
}

const SINGLE: Case[] = [
  { id: 'values-uri-encoded', text: join(PARAMS, names(PARAMS), encodeURIComponent) + KEY },
  { id: 'values-form-encoded', text: join(PARAMS, names(PARAMS), javaUrlEncoder) + KEY },
  { id: 'values-rfc3986-encoded', text: join(PARAMS, names(PARAMS), rawurlencode) + KEY },
  { id: 'amp-before-key', text: `${sorted}&${KEY}` },
  { id: 'key-param-before-key', text: `${sorted}&key=${KEY}` },
  { id: 'no-offer-key', text: sorted },
  { id: 'offer-key-trailing-newline', text: `${sorted}${KEY}\n` },
  { id: 'offer-key-trailing-space', text: `${sorted}${KEY} ` },
  { id: 'offer-key-leading-space', text: `${sorted} ${KEY}` },
  // The key configured here has a line ending; the signer trimmed it.
  { id: 'offer-key-trimmed', text: `${sorted}${KEY}`, offerKey: `${KEY}\n` },
  { id: 'insertion-order', text: join(PARAMS, names(PARAMS, null)) + KEY },
  { id: 'locale-sort', text: join(PARAMS, names(PARAMS, (a, b) => a.localeCompare(b))) + KEY },
  { id: 'case-insensitive-sort', text: join(PARAMS, names(PARAMS, (a, b) => codeUnit(a.toLowerCase(), b.toLowerCase()))) + KEY },
  { id: 'sign-included', text: join({ ...PARAMS, sign: '' }, names({ ...PARAMS, sign: '' }, codeUnit, true)) + KEY },
  {
    id: 'sign-included',
    params: { ...PARAMS, sign: 'stale' },
    text: join({ ...PARAMS, sign: 'stale' }, names({ ...PARAMS, sign: 'stale' }, codeUnit, true)) + KEY,
  },
  { id: 'empty-dropped', text: join(PARAMS, names(PARAMS).filter((k) => PARAMS[k] !== '')) + KEY },
  { id: 'sha1', text: sorted + KEY, hash: 'sha1' },
];

const PAIRS: Case[] = [
  { id: 'values-uri-encoded+amp-before-key', text: `${join(PARAMS, names(PARAMS), encodeURIComponent)}&${KEY}` },
  { id: 'no-offer-key+sha1', text: sorted, hash: 'sha1' },
  { id: 'key-param-before-key+insertion-order', text: `${join(PARAMS, names(PARAMS, null))}&key=${KEY}` },
  { id: 'values-form-encoded+offer-key-trailing-newline', text: `${join(PARAMS, names(PARAMS), javaUrlEncoder)}${KEY}\n` },
  { id: 'case-insensitive-sort+empty-dropped', text: join(PARAMS, names(PARAMS, (a, b) => codeUnit(a.toLowerCase(), b.toLowerCase())).filter((k) => PARAMS[k] !== '')) + KEY },
];

describe('diagnoseSignature: each common mistake is named', () => {
  it('the test parameters really make every mistake distinct (else the table proves nothing)', () => {
    const texts = SINGLE.map((c) => `${c.hash ?? 'sha256'} ${c.text}`);
    expect(new Set(texts).size).toBe(texts.length);
    for (const c of SINGLE) expect(`${c.hash ?? 'sha256'} ${c.text}`).not.toBe(`sha256 ${canonicalString(c.params ?? PARAMS, c.offerKey ?? KEY)}`);
  });

  it.each([...SINGLE, ...PAIRS])('$id', (c) => {
    const params = c.params ?? PARAMS;
    const offerKey = c.offerKey ?? KEY;
    const signature = signWith(c.text, c.hash);
    const outcome = verifyRequestSignature({ params, offerKey, given: signature.toString('base64'), publicKey });
    expect(outcome.verified).toBe(false);
    const m = outcome.diagnosis?.matched;
    expect(m?.id).toBe(c.id);
    expect(m?.ids).toEqual(c.id.split('+'));
    expect(m?.hash).toBe(c.hash ?? 'sha256');
    expect(m?.fix.length).toBeGreaterThan(10);
    // The reconstructed string is shown without the key, with its surrounding whitespace kept.
    expect(m?.canonical).not.toContain(KEY);
    const expected = c.text.split(offerKey.trim()).join(offerKeyPlaceholder(offerKey.trim().length));
    expect(m?.canonical).toBe(c.id.startsWith('no-offer-key') ? c.text : expected);
  });

  it('a correct signature verifies and is not diagnosed', () => {
    const outcome = verifyRequestSignature({ params: PARAMS, offerKey: KEY, given: signWith(canonicalString(PARAMS, KEY)).toString('base64'), publicKey });
    expect(outcome).toMatchObject({ verified: true, diagnosis: undefined });
    expect(outcome.signature.repairs).toEqual([]);
  });

  it('the documented vector verifies with the documented public key', () => {
    expect(verifyRequestSignature({ params: docVector.params, offerKey: KEY, given: docVector.sign, publicKey }).verified).toBe(true);
  });

  it('lists the single mistakes it tried by stable id, in order (trimmed only when the key has whitespace)', () => {
    const d = diagnoseSignature({ params: PARAMS, offerKey: KEY, signature: signWith('unrelated'), publicKey });
    const singles = d.tried.filter((t) => !t.id.includes('+')).map((t) => t.id);
    expect(singles).toEqual(MISTAKE_IDS.filter((id) => id !== 'offer-key-trimmed'));
    expect(MISTAKE_IDS).toEqual([
      'values-uri-encoded', 'values-form-encoded', 'values-rfc3986-encoded', 'amp-before-key', 'key-param-before-key', 'no-offer-key',
      'offer-key-trailing-newline', 'offer-key-trailing-space', 'offer-key-leading-space', 'offer-key-trimmed',
      'insertion-order', 'locale-sort', 'case-insensitive-sort', 'sign-included', 'empty-dropped', 'sha1',
    ]);
    expect(d.tried.some((t) => t.id === 'values-uri-encoded+sha1')).toBe(true);
    // Pairs within one dimension, and "no key" with whitespace around the key, make no sense.
    expect(d.tried.some((t) => t.id === 'values-uri-encoded+values-form-encoded')).toBe(false);
    expect(d.tried.some((t) => t.id === 'no-offer-key+offer-key-trailing-space')).toBe(false);
    expect(d.matched).toBeUndefined();
    expect(d.issues.map((i) => i.code)).toEqual(['sign.no-known-mistake']);
    expect(JSON.stringify(d)).not.toContain(KEY);
  });

  it('merges mistakes that give the same string, and never offers one that equals the correct string', () => {
    // No spaces or ! ( ) and no empty values: the three encodings coincide, empty-dropped is a no-op.
    const params = { b: '金', a: '1' };
    const d = diagnoseSignature({ params, offerKey: KEY, signature: signWith(`a=1&b=${encodeURIComponent('金')}${KEY}`), publicKey });
    expect(d.matched?.id).toBe('values-uri-encoded');
    expect(d.matched?.sameAs).toEqual(['values-form-encoded', 'values-rfc3986-encoded']);
    expect(d.tried.map((t) => t.id)).not.toContain('empty-dropped');
    expect(d.tried.map((t) => t.id)).not.toContain('locale-sort');
  });

  it('a signature from another key matches nothing', () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const d = diagnoseSignature({ params: PARAMS, offerKey: KEY, signature: signWith(canonicalString(PARAMS, KEY), 'sha256', other), publicKey });
    expect(d.matched).toBeUndefined();
    expect(d.tried.length).toBeGreaterThan(50);
  });

  it('a signature of the wrong length is named as made by another key size, without trying variants', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    const d = diagnoseSignature({ params: PARAMS, offerKey: KEY, signature: signWith(canonicalString(PARAMS, KEY), 'sha256', small), publicKey });
    expect(d.tried).toEqual([]);
    expect(d.issues[0]?.code).toBe('sign.length-mismatch');
    expect(d.issues[0]?.message).toContain('128 bytes');
    expect(d.issues[0]?.message).toContain('1024-bit');
    const tiny = diagnoseSignature({ params: PARAMS, offerKey: KEY, signature: Buffer.from('abcd'), publicKey });
    expect(tiny.issues[0]?.message).toContain('truncated');
  });
});

describe('readSignature: transport damage is repaired and reported', () => {
  const good = docVector.sign; // has +, / and == padding
  const wrapped = good.replace(/(.{76})/g, '$1\n');
  const cases: Array<[string, string, string[]]> = [
    ['strict Base64', good, []],
    ['"+" turned into spaces by form decoding', good.replaceAll('+', ' '), ['plus-from-space']],
    ['percent-encoded (copied from a URL)', encodeURIComponent(good), ['percent-decoded']],
    ['URL-safe alphabet without padding', good.replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, ''), ['url-safe-alphabet', 'padding-added']],
    ['wrapped at 76 columns with a final newline', wrapped + '\n', ['line-breaks-removed']],
    ['in quotes', `"${good}"`, ['quotes-removed']],
    ['a trailing space pasted along', `${good} `, ['spaces-trimmed']],
  ];

  it.each(cases)('%s', (_name, given, repairs) => {
    const r = readSignature(given);
    expect(r.issues).toEqual([]);
    expect(r.repairs.map((x) => x.id)).toEqual(repairs);
    expect(r.base64).toBe(good);
    expect(r.bytes?.equals(Buffer.from(good, 'base64'))).toBe(true);
  });

  it('a repaired signature then verifies', () => {
    const outcome = verifyRequestSignature({ params: docVector.params, offerKey: KEY, given: good.replaceAll('+', ' '), publicKey });
    expect(outcome.verified).toBe(true);
    expect(outcome.signature.repairs.map((r) => r.id)).toEqual(['plus-from-space']);
  });

  it.each([
    ['not-a-sig!', '"!"'],
    ['', 'empty'],
    ['abcde', 'length or padding'],
  ])('%j is not Base64 and says why', (given, words) => {
    const r = readSignature(given);
    expect(r.base64).toBeUndefined();
    expect(r.issues[0]?.code).toBe('sign.not-base64');
    expect(r.issues[0]?.message).toContain(words);
    expect(verifyRequestSignature({ params: PARAMS, offerKey: KEY, given, publicKey })).toMatchObject({ verified: false, diagnosis: undefined });
  });

  it('never throws, and whatever it accepts is strict Base64', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const r = readSignature(s);
        if (r.base64 !== undefined) expect(r.base64).toMatch(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
        else expect(r.issues.length).toBe(1);
      }),
    );
  });
});

describe('display helpers', () => {
  it('the placeholder names the length only', () => {
    expect(offerKeyPlaceholder(32)).toBe('<offerKey: 32 chars>');
  });

  it('SHA-256 of the documented string-to-sign (as sha256sum prints it)', () => {
    expect(canonicalSha256(docVector.original)).toBe('906af1ef25445bc8f833da06817a562fb2ae8e1d5d3e1c9431cbd57ac3aa96b7');
    expect(canonicalSha256(docVector.original)).toBe(createHash('sha256').update(Buffer.from(docVector.original, 'utf8')).digest('hex'));
  });
});
