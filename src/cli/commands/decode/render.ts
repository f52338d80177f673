/** Human rendering of a `tacpay decode` report; every decoded or quoted string goes through inert(). */
import type { Severity } from '../../../core/issues.js';
import { PAYINFO_FIELDS } from '../../../core/payinfo.js';
import { CANDIDATE_WORDS, HASH_WORDS } from '../../../core/payinfo-scheme.js';
import type { Ctx } from '../../context.js';
import { inert } from '../../../core/inert.js';
import type { DecodeReport } from '../../../core/payinfo-report.js';

/** The reason a signature is not checked when no key was given (also in --json). */
export const NO_KEY_WORDS = 'no public key; pass --public-key or set platformPublicKey';

/** Field names longer than this set no width for the rest (the documented ones are at most 12 characters). */
const MAX_PADDED_LABEL = 16;

const MARK: Record<Severity, string> = { error: '✗', warning: '!', info: 'i' };

/** Human rendering of a report; every decoded or quoted string goes through inert(). */
export function renderDecode(r: DecodeReport, ctx: Pick<Ctx, 'color'>): string {
  const c = ctx.color;
  const one = (s: string) => inert(s, { singleLine: true });
  const lines: string[] = [c.bold(`pay_info (${r.input.length} characters)`)];
  const fields: Array<[string, string]> = [];
  if (r.data) {
    const keys = [...PAYINFO_FIELDS.filter((f) => Object.hasOwn(r.data!, f)), ...Object.keys(r.data).filter((k) => !(PAYINFO_FIELDS as readonly string[]).includes(k))];
    for (const k of keys) {
      const v = r.data[k];
      fields.push([one(k), one(typeof v === 'string' ? v : JSON.stringify(v) ?? String(v))]);
    }
  } else {
    fields.push(['data', c.dim('(not decoded: see the issues)')]);
  }
  fields.push(['sign', r.sign.base64Length === null ? c.dim('(none)') : `${r.sign.base64Length} Base64 characters${r.sign.bytes === null ? ' (not valid Base64)' : `, ${r.sign.bytes} bytes`}`]);
  // Labels are padded to the longest short one only: padding every row to one 30,000-character key
  // would make the report grow with keys x longest key, not with the input.
  let width = 0;
  for (const [k] of fields) if (k.length <= MAX_PADDED_LABEL && k.length > width) width = k.length;
  for (const [k, v] of fields) lines.push(`  ${k.padEnd(width)}  ${v}`);

  if (r.issues.length) {
    lines.push('', c.bold('issues'));
    const paint = (s: Severity, t: string) => (s === 'error' ? c.red(t) : s === 'warning' ? c.yellow(t) : c.cyan(t));
    for (const i of r.issues) {
      lines.push(`  ${paint(i.severity, `${MARK[i.severity]} ${i.severity}`)}  ${one(i.message)} ${c.dim(`[${i.code}]`)}`);
      if (i.hint) lines.push(`      ${c.dim('hint:')} ${one(i.hint)}`);
    }
  }

  const s = r.signature;
  lines.push('', `${c.bold('signature')}  ${c.dim(`scheme ${s.scheme}; production's pay_info scheme is undocumented`)}`);
  const key = s.keyFingerprint ? `key ${s.keyFingerprint}${s.keyBits ? ` (RSA-${s.keyBits})` : ''}` : '';
  if (s.status === 'verified') {
    lines.push(`  ${c.green('✓ verified')}: ${HASH_WORDS[s.hash ?? 'sha256']} over ${CANDIDATE_WORDS[s.candidate ?? 'decoded-json']}, ${key}`);
  } else if (s.status === 'failed') {
    lines.push(`  ${c.red('✗ failed')} with ${key}${s.expectedFingerprint ? `; expected key ${s.expectedFingerprint}` : ''}`);
    lines.push('  likely causes, most likely first:');
    (s.causes ?? []).forEach((cause, n) => {
      const tag = cause.confirmed ? c.green('[confirmed] ') : '';
      lines.push(`  ${n + 1}. ${tag}${one(cause.message)} ${c.dim(`[${cause.code}]`)}`);
      lines.push(`     ${c.dim('evidence:')} ${one(cause.evidence)}`);
    });
  } else {
    lines.push(`  not checked (${one(s.reason ?? NO_KEY_WORDS)})`);
  }

  const counts = (['error', 'warning'] as const).map((sev) => [sev, r.issues.filter((i) => i.severity === sev).length] as const).filter(([, n]) => n > 0);
  const tail = counts.length ? ` (${counts.map(([sev, n]) => `${n} ${sev}${n > 1 ? 's' : ''}`).join(', ')})` : '';
  lines.push('', r.valid ? c.green(`valid${tail}`) : c.red(`invalid${tail}${s.status === 'failed' ? ', signature failed' : ''}`));
  return lines.join('\n') + '\n';
}
