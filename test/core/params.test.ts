import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalString } from '../../src/core/canonical.js';
import { checkTs, describeOffset, encodeRfc3986, mergeParams, parseParamArg, parseParamsJson, parseQueryString, requestQuery } from '../../src/core/params.js';
import { docVector } from '../helpers/fixtures.js';

describe('parseParamArg (--param k=v)', () => {
  it.each([
    ['amount=1', ['amount', '1']],
    ['metadata=', ['metadata', '']],
    ['url=https://x.test/a?b=c', ['url', 'https://x.test/a?b=c']],
    ['product_name=金元宝', ['product_name', '金元宝']],
    ['x==', ['x', '=']],
  ])('%s splits at the first =', (arg, entry) => {
    expect(parseParamArg(arg)).toEqual({ value: entry, issues: [] });
  });

  it.each([
    ['amount', 'param.no-equals', 'amount='],
    ['=1', 'param.empty-key', 'key=value'],
  ])('%s is rejected with a hint', (arg, code, hint) => {
    const r = parseParamArg(arg);
    expect(r.value).toBeUndefined();
    expect(r.issues[0]?.code).toBe(code);
    expect(r.issues[0]?.hint).toContain(hint);
  });
});

describe('parseQueryString (--query)', () => {
  const pairs = (q: string) => parseQueryString(q).value.map((p) => [p.key, p.value]);

  it.each([
    ['a=1&b=2', [['a', '1'], ['b', '2']]],
    ['?a=1', [['a', '1']]],
    ['product_name=%E9%87%91%E5%85%83%E5%AE%9D', [['product_name', '金元宝']]],
    ['a=&b', [['a', ''], ['b', '']]],
    ['a=1&&b=2&', [['a', '1'], ['b', '2']]],
    ['a=x%2By', [['a', 'x+y']]],
    ['a=%zz', [['a', '%zz']]],
    ['https://api.openmidas.com/v1/r/TC100008/unified_order?amount=1&ts=2#frag', [['amount', '1'], ['ts', '2']]],
  ])('%s', (q, expected) => {
    expect(pairs(q)).toEqual(expected);
  });

  it('"+" is a plus, as the sandbox reads a query string, and a note says so (not for sign, which is not signed)', () => {
    const r = parseQueryString('product_name=gold+bar&sign=ab+c');
    expect(r.value.map((p) => p.value)).toEqual(['gold+bar', 'ab+c']);
    expect(r.issues.map((i) => [i.code, i.path])).toEqual([['query.plus-is-plus', 'product_name']]);
    expect(r.issues[0]?.hint).toContain('%20');
  });

  it('keeps what was given next to what it decoded to', () => {
    expect(parseQueryString('n=%E9%87%91').value[0]).toEqual({ key: 'n', value: '金', rawKey: 'n', rawValue: '%E9%87%91' });
  });

  it('warns when escapes are not UTF-8, and about nameless pairs', () => {
    const r = parseQueryString('a=%FF&=x');
    expect(r.value).toEqual([{ key: 'a', value: '\uFFFD', rawKey: 'a', rawValue: '%FF' }]);
    expect(r.issues.map((i) => i.code)).toEqual(['query.bad-utf8', 'query.empty-key']);
  });

  it('a URL is noted', () => {
    expect(parseQueryString('http://x/?a=1').issues.map((i) => i.code)).toEqual(['query.url']);
  });

  it('never throws', () => {
    fc.assert(fc.property(fc.string(), (s) => void parseQueryString(s)));
  });

  it('reads back the request query it writes (round trip through RFC 3986 encoding)', () => {
    const name = fc.string({ minLength: 1 }).filter((k) => k !== 'sign');
    fc.assert(
      fc.property(fc.dictionary(name, fc.string()), fc.base64String({ minLength: 4 }), (params, sign) => {
        const back = parseQueryString(requestQuery(params, sign));
        const decoded = Object.fromEntries(back.value.map((p) => [p.key, p.value]));
        expect(decoded).toEqual({ ...params, sign });
      }),
    );
  });
});

describe('parseParamsJson (--params-file)', () => {
  it('keeps strings as is and in the given order', () => {
    const r = parseParamsJson(JSON.stringify(docVector.params));
    expect(r.issues).toEqual([]);
    expect(Object.fromEntries(r.value!)).toEqual(docVector.params);
    expect(r.value!.map(([k]) => k)).toEqual(Object.keys(docVector.params));
  });

  it('strips a BOM', () => {
    expect(parseParamsJson('\uFEFF{"a":"1"}').value).toEqual([['a', '1']]);
  });

  it('notes null (left out), JSON-typed values (§7 D2), and numbers whose text is lost', () => {
    const r = parseParamsJson('{"a": null, "list": [1], "amount": 1, "price": 1.50, "big": 12345678901234567890, "ok": true}');
    expect(r.value!.map(([k]) => k)).toEqual(['a', 'list', 'amount', 'price', 'big', 'ok']);
    expect(r.issues.map((i) => [i.code, i.path])).toEqual([
      ['params.null', 'a'],
      ['params.json-value', 'list'],
      ['params.number-text', 'price'],
      ['params.number-text', 'big'],
    ]);
    expect(canonicalString(Object.fromEntries(r.value!), 'K')).toBe('amount=1&big=12345678901234567000&list=[1]&ok=true&price=1.5K');
  });

  it('keeps __proto__ an ordinary parameter', () => {
    const merged = mergeParams([{ label: 'f', entries: parseParamsJson('{"__proto__": "x", "a": "1"}').value! }]);
    expect(Object.keys(merged.params)).toEqual(['__proto__', 'a']);
    expect(canonicalString(merged.params, 'K')).toBe('__proto__=x&a=1K');
  });

  it.each([
    ['[1,2]', 'params.not-object', 'an array'],
    ['"a=1"', 'params.not-object', 'a string'],
    ['null', 'params.not-object', 'null'],
    ['{"a":', 'params.json', 'not valid JSON'],
  ])('%s is rejected', (text, code, words) => {
    const r = parseParamsJson(text);
    expect(r.value).toBeUndefined();
    expect(r.issues[0]?.code).toBe(code);
    expect(r.issues[0]?.message).toContain(words);
  });
});

describe('mergeParams', () => {
  it('the later source wins, keeps the first position, and reports the override', () => {
    const m = mergeParams([
      { label: 'order.json', entries: [['amount', '1'], ['ts', '100']] },
      { label: '--param', entries: [['ts', '200']] },
      { label: '--query', entries: [['user_id', 'abcde']] },
    ]);
    expect(m.params).toEqual({ amount: '1', ts: '200', user_id: 'abcde' });
    expect(Object.keys(m.params)).toEqual(['amount', 'ts', 'user_id']);
    expect(m.origin).toEqual({ amount: 'order.json', ts: '--param', user_id: '--query' });
    expect(m.overrides).toEqual([{ key: 'ts', from: 'order.json', to: '--param' }]);
  });
});

describe('requestQuery', () => {
  it('sorts like the string-to-sign, RFC 3986-encodes every value, puts sign last', () => {
    expect(requestQuery({ b: "it's (ok)!*", a: '金 元', sign: 'old', n: undefined, e: '' }, 'A+/=')).toBe(
      "a=%E9%87%91%20%E5%85%83&b=it%27s%20%28ok%29%21%2A&e=&sign=A%2B%2F%3D",
    );
  });

  it('encodeRfc3986 leaves only unreserved characters', () => {
    expect(encodeRfc3986("AZaz09-._~!*'() +/=&")).toBe('AZaz09-._~%21%2A%27%28%29%20%2B%2F%3D%26');
  });
});

describe('checkTs (spec §1.4.4)', () => {
  const now = new Date('2026-01-01T08:00:00Z');
  const nowS = now.getTime() / 1000;

  it('warns when ts is missing', () => {
    const r = checkTs({ amount: '1' }, now);
    expect(r.value).toBeUndefined();
    expect(r.issues.map((i) => i.code)).toEqual(['ts.missing']);
  });

  it('a ts made the official way (epoch − 28800) is "now" in that reading, 8 h ago as epoch, and not warned about', () => {
    const r = checkTs({ ts: String(nowS - 28800) }, now);
    expect(r.value).toEqual({ ts: nowS - 28800, epochOffset: -28800, beijingNaiveOffset: 0, closer: 'beijing-naive' });
    expect(r.issues).toEqual([]);
  });

  it('a true-epoch ts is fine too', () => {
    const r = checkTs({ ts: String(nowS + 10) }, now);
    expect(r.value?.closer).toBe('epoch');
    expect(r.value?.epochOffset).toBe(10);
    expect(r.issues).toEqual([]);
  });

  it('warns when both readings are outside ±300 s', () => {
    const r = checkTs({ ts: docVector.params.ts }, now);
    expect(r.issues.map((i) => i.code)).toEqual(['ts.far']);
    expect(r.issues[0]?.message).toMatch(/years ago as epoch and .* years ago as epoch−28800/);
  });

  it.each([
    ['1519669241000', 'ts.milliseconds'],
    ['2018-02-26', 'ts.not-seconds'],
    ['', 'ts.not-seconds'],
  ])('%j: %s', (ts, code) => {
    expect(checkTs({ ts }, now).issues.map((i) => i.code)).toEqual([code]);
  });

  it.each([
    [0, 'now'],
    [-45, '45 s ago'],
    [600, 'in 10 min'],
    [-28800, '8 h ago'],
    [86400 * 3, 'in 3 days'],
    [-86400 * 365.25 * 8, '8 years ago'],
  ])('describeOffset(%d) = %s', (s, text) => {
    expect(describeOffset(s)).toBe(text);
  });
});
