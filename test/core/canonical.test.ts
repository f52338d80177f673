import { createPrivateKey } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalString, compareCodeUnits, joinParams } from '../../src/core/canonical.js';
import { signText, verifyBytes } from '../../src/core/signature.js';
import { parseKey } from '../../src/core/keys.js';
import { docPublicPem, docVector } from '../helpers/fixtures.js';

describe('canonical string (spec §1.4)', () => {
  it('reproduces the documented original string byte for byte', () => {
    expect(canonicalString(docVector.params, docVector.offerKey)).toBe(docVector.original);
  });

  it('reproduces the documented signature byte for byte (SHA256withRSA, PKCS#1 v1.5)', () => {
    const key = createPrivateKey({ key: Buffer.from(docVector.privateKey, 'base64'), format: 'der', type: 'pkcs8' });
    const sign = signText(canonicalString(docVector.params, docVector.offerKey), key);
    expect(sign).toBe(docVector.sign);
  });

  it('the documented signature verifies with the derived public key', () => {
    const pub = parseKey(docPublicPem, 'public').value!;
    expect(verifyBytes(docVector.original, Buffer.from(docVector.sign, 'base64'), pub.publicKey)).toBe(true);
    expect(verifyBytes(docVector.original + 'x', Buffer.from(docVector.sign, 'base64'), pub.publicKey)).toBe(false);
  });

  it('drops sign, skips absent values, keeps empty strings, appends the key with no separator', () => {
    expect(canonicalString({ b: '2', a: '1', sign: 'zzz', c: undefined, d: '' }, 'KEY')).toBe('a=1&b=2&d=KEY');
  });

  it('sorts by code unit like Java, not by locale (capitals and _ before lowercase)', () => {
    expect(joinParams({ b: '1', B: '2', _x: '3', a: '4' })).toBe('B=2&_x=3&a=4&b=1');
  });

  it('renders arrays and objects as compact JSON (§7 D2)', () => {
    expect(joinParams({ list: [{ a: 1 }], n: 5 })).toBe('list=[{"a":1}]&n=5');
  });

  it('equals the plain reference (filter, sort by code unit, k=v joined by &) on any parameters, astral characters and exclusions included', () => {
    const reference = (params: Record<string, string | undefined>, exclude: string[]): string =>
      Object.keys(params)
        .filter((k) => !exclude.includes(k) && params[k] !== undefined)
        .sort(compareCodeUnits)
        .map((k) => `${k}=${params[k]}`)
        .join('&');
    const key = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom('sign', 'ts', 'a', 'B', '_'));
    fc.assert(
      fc.property(fc.dictionary(key, fc.option(fc.string({ unit: 'grapheme' }), { nil: undefined })), fc.subarray(['sign', 'ts', 'a', '']), (params, exclude) => {
        expect(joinParams(params, { exclude })).toBe(reference(params, exclude));
        expect(joinParams(params)).toBe(reference(params, ['sign']));
      }),
    );
  });

  it('orders any key set consistently with compareCodeUnits', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }).filter((k) => k !== 'sign' && !k.includes('=') && !k.includes('&')), fc.string().filter((v) => !v.includes('&'))), (params) => {
        const keys = joinParams(params)
          .split('&')
          .filter(Boolean)
          .map((kv) => kv.slice(0, kv.indexOf('=')));
        const sorted = [...keys].sort(compareCodeUnits);
        expect(keys).toEqual(sorted);
      }),
    );
  });
});
