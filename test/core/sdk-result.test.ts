/** The five SDK results (spec §4.3) as iOS, Android and Web deliver them (§4.1, §4.2, §4.6). */
import { describe, expect, it } from 'vitest';
import { androidResult, iosResult, payScene, sdkResult, SDK_RESULTS, webResult } from '../../src/core/sdk-result.js';

describe('result codes (spec §4.3)', () => {
  it('has the documented numbers and names on every platform, sic spellings kept', () => {
    expect(SDK_RESULTS.map((r) => [r.code, r.ios, r.android])).toEqual([
      [0, 'TACPaymentCodeSuccess', 'PAYRESULT_SUCC'],
      [-1, 'TACPaymentCodeError', 'PAYRESULT_ERROR'],
      [-2, 'TACPaymentCodeCancel', 'PAYRESULT_CANCEL'],
      [-3, 'TACPaymentCodeParamterError', 'PAYRESULT_PARAMERROR'],
      [-4, 'TACPaymentCodeUnkown', 'PAYRESULT_UNKNOWN'],
    ]);
  });

  it('looks results up by name, number or SDK name; nothing else', () => {
    expect(sdkResult('cancel')?.code).toBe(-2);
    expect(sdkResult('-3')?.key).toBe('param-error');
    expect(sdkResult('0')?.key).toBe('success');
    expect(sdkResult('PAYRESULT_UNKNOWN')?.code).toBe(-4);
    expect(sdkResult('ok')).toBeUndefined();
    expect(sdkResult('-5')).toBeUndefined();
  });
});

describe('shapes', () => {
  const cancel = sdkResult('cancel')!;
  const meta = [
    ['order', '42'],
    ['from', 'app'],
  ] as const;

  it('iOS TACPaymentResult: resultCode with its enum name, payMethod from the pay_info, appMetadata as one string', () => {
    expect(iosResult(sdkResult('success')!, { payMethod: 'qqwallet', metadata: meta })).toEqual({
      resultCode: 0,
      resultCodeName: 'TACPaymentCodeSuccess',
      payMethod: 'qqwallet',
      innerCode: '',
      resultMsg: '支付成功',
      appMetadata: 'order=42&from=app',
    });
  });

  it('Android: int resultCode plus PaymentResult {code, message, metaData} with metaData as a map', () => {
    expect(androidResult(cancel, { metadata: meta })).toEqual({
      resultCode: -2,
      resultCodeName: 'PAYRESULT_CANCEL',
      paymentResult: { code: '', message: '用户取消支付', metaData: { order: '42', from: 'app' } },
    });
  });

  it('Web: callback arguments, and the redirect query with resultMsg urlencoded, appended to callback_url', () => {
    const w = webResult(sdkResult('error')!, { metadata: [['a', 'b c']], callbackUrl: 'https://shop.example/return?x=1' });
    expect(w.callbackArgs).toEqual([-1, '100-1-2', '支付失败，请稍后重试', 'a=b c']);
    expect(w.redirectQuery).toBe(`resultCode=-1&innerCode=100-1-2&resultMsg=${encodeURIComponent('支付失败，请稍后重试')}&appMetadata=a%3Db%20c`);
    expect(w.redirectUrl).toBe(`https://shop.example/return?x=1&${w.redirectQuery}`);
    expect(new URLSearchParams(w.redirectQuery).get('resultMsg')).toBe('支付失败，请稍后重试');
    expect(webResult(cancel).redirectUrl).toBeUndefined();
  });

  it('pay_scene per platform (spec §3.1)', () => {
    expect([payScene('android'), payScene('ios'), payScene('web')]).toEqual([1, 2, 3]);
  });
});
