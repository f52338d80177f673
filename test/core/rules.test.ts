import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkParam, hasRule, PARAM_RULES, quoteValue } from '../../src/core/rules.js';

const codes = (name: string, value: unknown) => checkParam(name, value).map((i) => `${i.severity}:${i.code}`);

describe('checkParam (spec §5.1)', () => {
  // [param, value, expected "severity:code" list]
  const table: ReadonlyArray<readonly [string, unknown, string[]]> = [
    ['user_id', 'rickenwang', []],
    ['user_id', 'abcde', []],
    ['user_id', 'a'.repeat(255), []],
    ['user_id', 'abcd', ['error:user_id.too-short']],
    ['user_id', 'a'.repeat(256), ['error:user_id.too-long']],
    ['user_id', 'ricken_wang', ['error:user_id.charset']],
    ['user_id', 'rick wang', ['error:user_id.charset']],
    ['user_id', '用户名字很长', ['error:user_id.charset']],
    ['user_id', '', ['error:user_id.empty']],
    ['user_id', 12345, ['error:user_id.type']],
    ['user_id', undefined, ['error:user_id.missing']],
    ['user_id', null, ['error:user_id.missing']],
    ['out_trade_no', 'open_1517568769743', []],
    ['out_trade_no', 'a.b-c_d', []],
    ['out_trade_no', 'x'.repeat(32), []],
    ['out_trade_no', 'x'.repeat(33), ['error:out_trade_no.too-long']],
    ['out_trade_no', 'open/1', ['error:out_trade_no.charset']],
    ['refund_id', 'r'.repeat(33), ['error:refund_id.too-long']],
    ['refund_id', 'refund#1', ['error:refund_id.charset']],
    ['billno', 'bill_0001', []],
    ['billno', 'b'.repeat(33), ['error:billno.too-long']],
    ['product_id', 'product_test', []],
    ['product_id', 'p'.repeat(128), []],
    ['product_id', 'p'.repeat(129), ['error:product_id.too-long']],
    ['product_id', 'product test', ['error:product_id.charset']],
    ['offerId', 'TC100008', []],
    ['offerId', 'TC', ['error:offerId.format']],
    ['offerId', 'tc100008', ['error:offerId.format']],
    ['offerId', 'TC10000a', ['error:offerId.format']],
    ['appid', 'TX1', ['error:appid.format']],
    ['pay_method', 'wechat', []],
    ['pay_method', 'qqwallet', []],
    ['pay_method', 'WeChat', ['error:pay_method.case']],
    ['pay_method', 'alipay', ['error:pay_method.unknown-value']],
    ['channel', 'bank', ['error:channel.unknown-value']],
    ['pay_channel', 'bank', []],
    ['currency_type', 'CNY', []],
    ['currency_type', 'cny', ['warning:currency_type.case']],
    ['currency_type', 'USD', ['error:currency_type.unknown-value']],
    ['amount', 1, []],
    ['amount', '100', []],
    ['amount', 0, ['error:amount.not-positive']],
    ['amount', '0', ['error:amount.not-positive']],
    ['amount', -1, ['error:amount.negative']],
    ['amount', '1.50', ['error:amount.not-integer']],
    ['amount', 1.5, ['error:amount.not-integer']],
    ['amount', '1e3', ['error:amount.not-integer']],
    ['amount', 2 ** 60, ['error:amount.too-large']],
    ['amount', true, ['error:amount.type']],
    ['platform_income', 0, []],
    ['platform_income', -5, ['error:platform_income.negative']],
    ['ts', '1519669241', []],
    ['ts', '15196692410', ['error:ts.too-long']],
    ['ts', '2018-02-26', ['error:ts.format']],
    ['product_name', '金元宝', []],
    ['product_name', '宝'.repeat(129), ['error:product_name.too-long']],
  ];

  it.each(table)('%s = %j -> %j', (name, value, expected) => {
    expect(codes(name, value)).toEqual(expected);
  });

  it('puts the path and the rule hint on every finding', () => {
    const [found] = checkParam('user_id', 'ab', 'data.user_id');
    expect(found).toMatchObject({ code: 'user_id.too-short', path: 'data.user_id' });
    expect(found?.hint).toMatch(/5–255 letters and digits/);
    expect(found?.message).toContain('"ab"');
  });

  it('defaults the path to the parameter name', () => {
    expect(checkParam('amount', 0)[0]?.path).toBe('amount');
  });

  it('judges nothing it has no rule for', () => {
    expect(hasRule('nonsense')).toBe(false);
    expect(hasRule('user_id')).toBe(true);
    expect(checkParam('nonsense', 'anything at all')).toEqual([]);
    // Inherited object keys are not rules.
    expect(checkParam('toString', 'x')).toEqual([]);
    expect(checkParam('__proto__', 'x')).toEqual([]);
  });

  it('counts characters, not UTF-16 units, for free-text limits', () => {
    // 128 astral characters are 256 UTF-16 units but within product_name[128].
    expect(codes('product_name', '😀'.repeat(128))).toEqual([]);
    expect(codes('product_name', '😀'.repeat(129))).toEqual(['error:product_name.too-long']);
  });

  it('quotes long or odd values shortly and safely', () => {
    expect(quoteValue('x'.repeat(100))).toBe(JSON.stringify('x'.repeat(37) + '...'));
    expect(quoteValue({ a: 1 })).toBe('"{\\"a\\":1}"');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => quoteValue(cyclic)).not.toThrow();
  });

  it('never throws and always returns well-formed issues, whatever the value', () => {
    const names = Object.keys(PARAM_RULES);
    fc.assert(
      fc.property(fc.constantFrom(...names, 'unknown'), fc.anything(), (name, value) => {
        const found = checkParam(name, value);
        for (const i of found) {
          expect(i.code.startsWith(`${name}.`)).toBe(true);
          expect(['error', 'warning', 'info']).toContain(i.severity);
          expect(typeof i.message).toBe('string');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('accepts every value made of the documented charset and length (user_id, out_trade_no)', () => {
    const alnum = fc.constantFrom(...'abcXYZ0189');
    fc.assert(fc.property(fc.string({ unit: alnum, minLength: 5, maxLength: 255 }), (v) => {
        expect(checkParam('user_id', v)).toEqual([]);
      }));
    const id = fc.constantFrom(...'aZ09_.-');
    fc.assert(fc.property(fc.string({ unit: id, minLength: 1, maxLength: 32 }), (v) => {
        expect(checkParam('out_trade_no', v)).toEqual([]);
      }));
  });
});
