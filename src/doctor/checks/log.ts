/**
 * log: FAQ "WeChat Pay does not launch" item 5: initialisation errors or error codes in the console
 * or device log. The SDK's own log texts are not published, so the patterns are the failure texts of
 * the platforms around it (iOS canOpenURL, Android activity lookup), the TAC names in spec §4, and
 * the result codes of §4.3. Every finding carries its line number.
 */
import type { Check, LogLine } from '../types.js';
import { fail, pass, skip, warn } from './common.js';

interface Pattern {
  re: RegExp;
  /** What it means and where to look, for the details line. */
  means: string | ((m: RegExpExecArray) => string);
}

// Chinese words in these patterns are written as \u escapes: the bundle stays ASCII, a one-byte
// string V8 reads and hashes faster at every start (esbuild leaves regex literals as they are).
export const INIT: readonly Pattern[] = [
  { re: /This app is not allowed to query for scheme ([A-Za-z0-9.+-]+)/i, means: (m) => `${m[1]} is missing from LSApplicationQueriesSchemes (see ios.query-schemes)` },
  { re: /-canOpenURL: failed for URL: "(weixin|mqqwallet|mqq|mqqopensdkapiV2|weixinULAPI)[^"]*"/i, means: (m) => `iOS could not query ${m[1]}:// (not installed, or not in LSApplicationQueriesSchemes)` },
  { re: /tac_services?_configurations[\w.]*.{0,80}?(not found|missing|cannot|could not|failed|does not exist|\u4e0d\u5b58\u5728|\u627e\u4e0d\u5230|\u8bfb\u53d6\u5931\u8d25)/i, means: 'a TAC config file was not found in the app (see ios.tac-offer-id / android.tac-offer-id)' },
  { re: /unpackage.{0,80}?(packaged|in the bundle|in bundle|in the apk|\u6253\u5305)/i, means: 'the *_unpackage config file was packaged into the app (see ios.unpackage-not-in-target / android.unpackage-not-packaged)' },
  { re: /\bofferId\b.{0,40}?(empty|null|nil|invalid|missing|not set|\u4e3a\u7a7a|\u65e0\u6548)/i, means: 'the SDK has no usable offerId (check services.payment.offerId)' },
  { re: /TACApplication.{0,80}?(error|fail|exception|not configured|\u672a\u914d\u7f6e|\u5931\u8d25)/i, means: 'TACApplication failed to configure (TAC config files, or configure() not called at start-up)' },
  { re: /(?:ActivityNotFoundException|Unable to find explicit activity class|ClassNotFoundException).{0,120}?(openmidas|midas|wxapi)/i, means: 'a Midas activity is not in the manifest (see android.midas-activities)' },
  { re: /(?:APMidas|OpenMidas|TACPayment)\w*.{0,80}?\b(?:init\w*|configur\w*|setup)\b.{0,60}?\b(?:error|exception|fail(?:ed|ure)?)\b/i, means: 'the Midas SDK failed to initialise' },
  { re: /registerApp.{0,60}?\b(fail(?:ed)?|false|NO)\b/i, means: 'WXApi registerApp failed (WeChat AppID, or Universal Link on current OpenSDKs)' },
  { re: /(\u7b7e\u540d\u4e0d\u5bf9|\u5305\u540d\u4e0d\u5bf9|signature (?:does not match|mismatch)|package name (?:does not match|mismatch))/i, means: 'WeChat rejected the app signature or package (see manual.android-signing)' },
  { re: /(SecurityException|Permission denial).{0,80}?(INTERNET|NETWORK|network)/i, means: 'a network permission is missing (see android.permissions)' },
];

const CODES: readonly Pattern[] = [
  { re: /\b(?:resultCode|result_code|payResult|onResult)\b["']?\s*[=:(]?\s*(-1|-3|-4)(?!\d)/i, means: (m) => `payment result ${m[1]} (${m[1] === '-1' ? 'flow failed' : m[1] === '-3' ? 'parameter error: check the pay_info' : 'result unknown: ask your server'})` },
  { re: /\b(PAYRESULT_ERROR|PAYRESULT_PARAMERROR|PAYRESULT_UNKNOWN|TACPaymentCodeError|TACPaymentCodeParamterError|TACPaymentCodeUnkown)\b/, means: (m) => `payment result ${m[1]}` },
  { re: /\binnerCode\s*[=:]\s*["']?([\w-]+)/i, means: (m) => `innerCode ${m[1]} (internal error code; the app SDKs' table is not published)` },
  { re: /\berrCode\s*[=:]\s*(-[1-9]\d*)/i, means: (m) => `WeChat errCode ${m[1]}${m[1] === '-1' ? ' (usually signature, package or AppID not matching the Open Platform registration)' : ''}` },
];

/** Every line matching a pattern, in line order, one finding per line. */
export function scanLog(lines: readonly LogLine[], patterns: readonly Pattern[]): string[] {
  const out: string[] = [];
  for (const l of lines) {
    for (const p of patterns) {
      const m = p.re.exec(l.text);
      if (!m) continue;
      const text = l.text.trim();
      const shown = text.length > 160 ? `${text.slice(0, 157)}...` : text;
      out.push(`line ${l.line}: ${shown} → ${typeof p.means === 'string' ? p.means : p.means(m)}`);
      break;
    }
  }
  return out;
}

const initErrors: Check = {
  id: 'log.init-errors',
  title: 'no initialisation errors in the log',
  category: 'log',
  severity: 'error',
  docs: 'FAQ "WeChat Pay does not launch" item 5 (spec §4.7) [DOC S14]',
  run(s) {
    if (!s.log) return skip('no --log given');
    if (!s.log.value) return fail(`the log ${s.log.path} ${s.log.error ?? 'could not be read'}`, 'give a readable text file');
    const found = scanLog(s.log.value, INIT);
    if (found.length) return fail(`${found.length} initialisation error${found.length === 1 ? '' : 's'} in ${s.log.path}`, 'fix the first one first: later errors often follow from it', { details: found });
    return pass(`no initialisation errors in ${s.log.value.length} lines`);
  },
};

const errorCodes: Check = {
  id: 'log.error-codes',
  title: 'no payment error codes in the log',
  category: 'log',
  severity: 'error',
  docs: 'FAQ "WeChat Pay does not launch" item 5 (spec §4.7); result codes spec §4.3',
  run(s) {
    if (!s.log) return skip('no --log given');
    if (!s.log.value) return skip('the log could not be read (see log.init-errors)');
    const found = scanLog(s.log.value, CODES);
    if (!found.length) return pass(`no error codes in ${s.log.value.length} lines`);
    const hard = found.some((f) => /payment result (-1|-3|PAYRESULT_ERROR|PAYRESULT_PARAMERROR|TACPaymentCodeError|TACPaymentCodeParamterError)\b|errCode -/.test(f));
    const summary = `${found.length} error code${found.length === 1 ? '' : 's'} in ${s.log.path}`;
    const hint = '-1 and errCode -1: check signature/package/AppID (manual checks) and the pay_info; -3: the pay_info is invalid (--pay-info); -4: ask your server for the order state';
    return hard ? fail(summary, hint, { details: found }) : warn(summary, hint, { details: found });
  },
};

export const LOG_CHECKS: readonly Check[] = [initErrors, errorCodes];
