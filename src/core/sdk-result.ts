/**
 * The five results a payment SDK hands the app (spec §4.3), shaped as each SDK delivers them: iOS
 * `TACPaymentResult` (§4.1), Android `onResult(int resultCode, PaymentResult)` (§4.2), and Web
 * `OpenMidas.pay` callback arguments or the redirect query sent to callback_url (§4.6). No innerCode
 * table is published, so innerCode and resultMsg are plausible examples and say so. Pure.
 */

export type ResultKey = 'success' | 'error' | 'cancel' | 'param-error' | 'unknown';

export interface SdkResultInfo {
  key: ResultKey;
  code: 0 | -1 | -2 | -3 | -4;
  ios: string;
  android: string;
  meaning: string;
  /** What the result does to a sandbox order: success pays it; the others leave it unpaid. */
  orderEffect: 'paid' | 'unpaid' | 'unchanged';
  /** Examples only: the SDKs' innerCode values are not published (§4.3). */
  example: { innerCode: string; resultMsg: string };
}

/** The table of §4.3, in code order. The names keep the SDKs' own spellings ([sic] in the docs). */
export const SDK_RESULTS: readonly SdkResultInfo[] = [
  { key: 'success', code: 0, ios: 'TACPaymentCodeSuccess', android: 'PAYRESULT_SUCC', meaning: 'payment flow succeeded (confirm with the server notification)', orderEffect: 'paid', example: { innerCode: '', resultMsg: '支付成功' } },
  { key: 'error', code: -1, ios: 'TACPaymentCodeError', android: 'PAYRESULT_ERROR', meaning: 'payment flow failed', orderEffect: 'unpaid', example: { innerCode: '100-1-2', resultMsg: '支付失败，请稍后重试' } },
  { key: 'cancel', code: -2, ios: 'TACPaymentCodeCancel', android: 'PAYRESULT_CANCEL', meaning: 'user cancelled', orderEffect: 'unpaid', example: { innerCode: '', resultMsg: '用户取消支付' } },
  { key: 'param-error', code: -3, ios: 'TACPaymentCodeParamterError', android: 'PAYRESULT_PARAMERROR', meaning: 'parameter error (e.g. an invalid or reused pay_info)', orderEffect: 'unchanged', example: { innerCode: '100-3-1', resultMsg: '参数错误' } },
  { key: 'unknown', code: -4, ios: 'TACPaymentCodeUnkown', android: 'PAYRESULT_UNKNOWN', meaning: 'result unknown (e.g. the channel did not call back); ask the server', orderEffect: 'unchanged', example: { innerCode: '', resultMsg: '支付结果未知，请以服务端通知为准' } },
];

/** Looks a result up by name (success, cancel, ...) or number (0, -1, ...). */
export function sdkResult(input: string): SdkResultInfo | undefined {
  const t = input.trim().toLowerCase();
  return SDK_RESULTS.find((r) => r.key === t || String(r.code) === t || r.ios.toLowerCase() === t || r.android.toLowerCase() === t);
}

/** The accepted spellings, for usage errors and completion. */
/** The five result names, in code order. */
export const RESULT_KEYS: readonly ResultKey[] = SDK_RESULTS.map((r) => r.key);
export const RESULT_NAMES: readonly string[] = [...SDK_RESULTS.map((r) => r.key), ...SDK_RESULTS.map((r) => String(r.code))];

/**
 * App metadata pairs as each SDK carries them: Android `addMetaData(key, value)` gives a map; iOS's
 * `appMeataData:` and the Web SDK take one string, which the Web docs describe as key=value (max
 * 255). tacpay joins pairs with `&` for those (an assumption: the docs show a single pair).
 */
export function metadataString(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

export interface IosResult {
  resultCode: number;
  resultCodeName: string;
  payMethod: string;
  innerCode: string;
  resultMsg: string;
  appMetadata: string;
}

export interface AndroidResult {
  resultCode: number;
  resultCodeName: string;
  paymentResult: { code: string; message: string; metaData: Record<string, string> };
}

export interface WebResult {
  /** `callback(resultCode, innerCode, resultMsg, appMetadata)` in popup mode. */
  callbackArgs: [number, string, string, string];
  /** The query string appended to callback_url in redirect mode. */
  redirectQuery: string;
  /** callback_url + query, when the order's callback_url is known. */
  redirectUrl?: string;
}

export interface ShapeInput {
  /** pay_method from the pay_info (wechat / qqwallet); empty when no pay_info was given. */
  payMethod?: string;
  metadata?: ReadonlyArray<readonly [string, string]>;
  callbackUrl?: string;
}

export function iosResult(r: SdkResultInfo, input: ShapeInput = {}): IosResult {
  return { resultCode: r.code, resultCodeName: r.ios, payMethod: input.payMethod ?? '', innerCode: r.example.innerCode, resultMsg: r.example.resultMsg, appMetadata: metadataString(input.metadata ?? []) };
}

export function androidResult(r: SdkResultInfo, input: ShapeInput = {}): AndroidResult {
  return {
    resultCode: r.code,
    resultCodeName: r.android,
    paymentResult: { code: r.example.innerCode, message: r.example.resultMsg, metaData: Object.fromEntries(input.metadata ?? []) },
  };
}

/** Web: popup callback arguments and the redirect query (§4.6: resultCode, innerCode, resultMsg urlencoded, appMetadata). */
export function webResult(r: SdkResultInfo, input: ShapeInput = {}): WebResult {
  const appMetadata = metadataString(input.metadata ?? []);
  const pairs: Array<[string, string]> = [
    ['resultCode', String(r.code)],
    ['innerCode', r.example.innerCode],
    ['resultMsg', r.example.resultMsg],
    ['appMetadata', appMetadata],
  ];
  const redirectQuery = pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  const out: WebResult = { callbackArgs: [r.code, r.example.innerCode, r.example.resultMsg, appMetadata], redirectQuery };
  if (input.callbackUrl) out.redirectUrl = `${input.callbackUrl}${input.callbackUrl.includes('?') ? '&' : '?'}${redirectQuery}`;
  return out;
}

export type Platform = 'ios' | 'android' | 'web';
export const PLATFORMS: readonly Platform[] = ['ios', 'android', 'web'];

/** pay_scene of the notification for a payment made on `platform` (spec §3.1): Android 1, iOS 2, Web 3 (PC). */
export function payScene(platform: Platform): number {
  return platform === 'android' ? 1 : platform === 'ios' ? 2 : 3;
}
