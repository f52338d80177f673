/** pay_info: FAQ "WeChat Pay does not launch" item 4 (the order failed, or pay_info is empty or invalid) and item 14 (reuse). */
import { checkPayInfo, type PayInfoCheck } from '../../core/payinfo-verify.js';
import { parsePayInfo } from '../../core/payinfo.js';
import type { Check, LogLine, Snapshot } from '../types.js';
import { dig, fail, pass, quote, skip, str, warn } from './common.js';

const DOCS = 'FAQ "WeChat Pay does not launch" item 4 (spec §4.7); spec §2.1';

const memo = new WeakMap<Snapshot, PayInfoCheck>();

function checked(s: Snapshot): PayInfoCheck {
  let r = memo.get(s);
  if (!r) {
    const k = s.config.platformPublicKey;
    const key = k?.publicKey && k.fingerprint && k.bits ? { publicKey: k.publicKey, bits: k.bits, fingerprint: k.fingerprint } : undefined;
    r = checkPayInfo(s.payInfo ?? '', key ? { key } : {});
    memo.set(s, r);
  }
  return r;
}

/** Issues that belong to other checks or do not stop a launch: appid (payinfo.appid), length (a storage concern). */
const ELSEWHERE = new Set(['appid.unexpected', 'payinfo.long']);

const present: Check = {
  id: 'payinfo.present',
  title: 'pay_info given and not empty',
  category: 'pay_info',
  severity: 'error',
  docs: DOCS,
  run(s) {
    if (s.payInfo === undefined) return skip('no --pay-info given');
    if (s.payInfo.trim() === '') return fail('the pay_info is empty: the order failed, or its response was not passed on', 'check that unified_order returned ret 0 and hand its pay_info field to the SDK unchanged (tacpay order create shows a whole response)');
    return pass(`pay_info of ${s.payInfo.length} characters`);
  },
};

const decodes: Check = {
  id: 'payinfo.decodes',
  title: 'pay_info decodes (data=…&sign=…)',
  category: 'pay_info',
  severity: 'error',
  docs: DOCS,
  run(s) {
    if (s.payInfo === undefined) return skip('no --pay-info given');
    if (s.payInfo.trim() === '') return skip('the pay_info is empty (see payinfo.present)');
    const { parsed } = checked(s);
    const issues = parsed.issues.filter((i) => !ELSEWHERE.has(i.code));
    const errors = issues.filter((i) => i.severity === 'error');
    const details = issues.filter((i) => i.severity !== 'info').map((i) => `${i.severity}: ${i.message} [${i.code}]`);
    if (errors.length) return fail(errors[0]!.message, errors[0]!.hint ?? 'pass the pay_info exactly as unified_order returned it (tacpay decode explains each problem)', { details });
    const warnings = issues.filter((i) => i.severity === 'warning');
    if (warnings.length) return warn(warnings[0]!.message, warnings[0]!.hint ?? 'see tacpay decode', { details });
    const d = parsed.data ?? {};
    return pass(`out_trade_no ${quote(String(d.out_trade_no ?? ''))}, pay_method ${quote(String(d.pay_method ?? ''))}`);
  },
};

const appid: Check = {
  id: 'payinfo.appid',
  title: 'pay_info appid = configured offerId',
  category: 'pay_info',
  severity: 'error',
  docs: DOCS,
  run(s) {
    if (s.payInfo === undefined) return skip('no --pay-info given');
    const { parsed } = checked(s);
    const got = parsed.data?.appid;
    if (typeof got !== 'string') return skip('the pay_info has no readable appid (see payinfo.decodes)');
    const want = s.config.offerId?.value ?? str(dig(s.ios?.tac, 'services.payment.offerId')) ?? str(dig(s.android?.tac, 'services.payment.offerId'));
    if (!want) return skip(`appid ${got}; no offerId configured to compare with`);
    if (got !== want) return fail(`pay_info appid ${quote(got)} is not the offerId ${quote(want)}`, 'the order was placed for another app (another offerId): place it with this app\'s offerId, or fix the app\'s TAC config');
    return pass(`appid ${got} is the offerId`);
  },
};

const signature: Check = {
  id: 'payinfo.signature',
  title: 'pay_info signature (platform public key)',
  category: 'pay_info',
  severity: 'error',
  docs: 'spec §2.2, §7 D1 (assumed scheme)',
  run(s) {
    if (s.payInfo === undefined) return skip('no --pay-info given');
    const k = s.config.platformPublicKey;
    if (!k?.publicKey) return skip(k?.error ? `platformPublicKey unusable: ${k.error}` : 'no platformPublicKey configured: signature not checked');
    const { signature: sig } = checked(s);
    if (sig.status === 'verified') return pass(`verified with ${sig.keyFingerprint} (${sig.hash}, ${sig.candidate}; scheme assumed, §7 D1)`);
    if (sig.status === 'not-checked') return skip(`not checked: ${sig.reason ?? 'no signature'}`);
    const causes = (sig.causes ?? []).map((c) => `${c.message}${c.confirmed ? ' (confirmed)' : ''}: ${c.evidence}`);
    return fail(`the signature does not verify with ${k.fingerprint} (scheme assumed, §7 D1)`, causes[0] ?? 'the pay_info was changed after signing, or signed by another key: run tacpay decode --public-key for the details', { details: causes });
  },
};

const LAUNCH = /launchPayment|TACPaymentService|PaymentRequest|\bpay:|startPay|launchPay|OpenMidas\.pay/i;
const PAYINFO_IN_LOG = /data=(?:%7B|\{)[^\s"'<>]*?&sign=[^\s"'&<>]+/gi;
const OUT_TRADE_NO = /out_trade_no["']?\s*[:=]\s*["']?([A-Za-z0-9_.-]{1,32})/;

/** Payment launches in a log: the line and the out_trade_no launched. */
export function launches(lines: readonly LogLine[]): Array<{ line: number; outTradeNo: string }> {
  const out: Array<{ line: number; outTradeNo: string }> = [];
  for (const l of lines) {
    if (!LAUNCH.test(l.text)) continue;
    let no: string | undefined;
    for (const m of l.text.matchAll(PAYINFO_IN_LOG)) {
      const d = parsePayInfo(m[0]).data?.out_trade_no;
      if (typeof d === 'string') no = d;
    }
    no ??= OUT_TRADE_NO.exec(l.text)?.[1];
    if (no) out.push({ line: l.line, outTradeNo: no });
  }
  return out;
}

const reuse: Check = {
  id: 'payinfo.not-reused',
  title: 'no pay_info launched twice (same out_trade_no)',
  category: 'pay_info',
  severity: 'error',
  docs: 'FAQ item 14 (spec §4.7): each launch needs a fresh order [DOC S15]',
  run(s) {
    if (!s.log) return skip('no --log given');
    if (!s.log.value) return skip('the log could not be read');
    const seen = new Map<string, number[]>();
    for (const l of launches(s.log.value)) seen.set(l.outTradeNo, [...(seen.get(l.outTradeNo) ?? []), l.line]);
    const twice = [...seen].filter(([, lines]) => lines.length > 1).sort((a, b) => a[1][0]! - b[1][0]!);
    if (twice.length) {
      return fail(`${twice.length} order${twice.length === 1 ? ' was' : 's were'} launched more than once`, 'place a new order (new out_trade_no, new pay_info) for every launch, including retries after a cancel', { details: twice.map(([no, lines]) => `out_trade_no ${quote(no)} launched at lines ${lines.join(', ')}`) });
    }
    const mine = s.payInfo !== undefined ? parsePayInfo(s.payInfo).data?.out_trade_no : undefined;
    return pass(`${seen.size} launch${seen.size === 1 ? '' : 'es'} in the log, each a different order${typeof mine === 'string' && seen.has(mine) ? ` (the --pay-info order was launched at line ${seen.get(mine)![0]})` : ''}`);
  },
};

export const PAYINFO_CHECKS: readonly Check[] = [present, decodes, appid, signature, reuse];
