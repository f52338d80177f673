/** Human rendering of a `tacpay sign` result: results only (warnings go to stderr separately). */
import { describeOffset } from '../../../core/params.js';
import { offerKeyPlaceholder } from '../../../core/sign-diagnosis.js';
import type { Ctx } from '../../context.js';
import { rows } from '../../output.js';
import { inert } from '../../../core/inert.js';
import type { KeyView, SignResult, VerifyView } from './result.js';

/** Human rendering of a result: results only (warnings go to stderr separately). */
export function renderSign(r: SignResult, ctx: Ctx): string {
  const c = ctx.color;
  const one = (s: string) => inert(s, { singleLine: true });
  const out: string[] = [];
  if (r.decoded.length) {
    out.push(c.dim('decoded from --query:'));
    out.push(rows(r.decoded.map((d) => [one(d.given), `→ ${one(d.decoded)}`])).trimEnd());
    out.push('');
  }
  if (ctx.verbose) {
    out.push(c.dim('parameters:'));
    out.push(rows(Object.entries(r.params).map(([k, v]) => [one(k), `${one(v)}  ${c.dim(`from ${one(r.origin[k] ?? '?')}${r.excluded.includes(k) ? ', not signed' : ''}`)}`])).trimEnd());
    out.push('');
  }
  const pairs: Array<[string, string]> = [
    ['string to sign', one(r.canonical) + c.dim(offerKeyPlaceholder(r.offerKeyAppended.length))],
    ['sha-256', `${r.stringToSignSha256}  ${c.dim('(of the string to sign, offerKey included)')}`],
  ];
  if (ctx.verbose) pairs.push(['offerKey', `${r.offerKeyAppended.length} chars (not shown), from ${one(r.offerKeyAppended.source)}`]);
  if (r.signature && r.key) {
    pairs.push(['signature', c.bold(r.signature)]);
    pairs.push(['key', describeKey(r.key, ctx.verbose)]);
  }
  if (r.ts) {
    pairs.push(['ts', `${r.ts.ts}: ${describeOffset(r.ts.epochOffset)} as epoch, ${describeOffset(r.ts.beijingNaiveOffset)} as epoch−28800 ${c.dim('(spec §1.4.4)')}`]);
  }
  if (r.verify) pairs.push(...verifyRows(r.verify, ctx));
  if (r.request) pairs.push(['request', r.request.query]);
  out.push(rows(pairs).trimEnd());
  return out.join('\n') + '\n';
}

function describeKey(k: KeyView, verbose: boolean): string {
  return `RSA-${k.bits} ${k.kind} key ${k.fingerprint} (${k.formatDescription}${verbose ? `, from ${inert(k.source, { singleLine: true })}` : ''})`;
}

function verifyRows(v: VerifyView, ctx: Ctx): Array<[string, string]> {
  const c = ctx.color;
  const one = (s: string) => inert(s, { singleLine: true });
  const rowsOut: Array<[string, string]> = [];
  if (v.verified) {
    rowsOut.push(['verify', `${c.green('OK')}: the signature verifies (SHA256withRSA) with ${describeKey(v.publicKey, ctx.verbose)}`]);
    if (v.repairs.length) rowsOut.push(['', c.dim(`after repairs: ${v.repairs.map((r) => r.description).join('; ')}`)]);
    return rowsOut;
  }
  if (v.signature === null) {
    rowsOut.push(['verify', `${c.red('FAILED')}: ${one(v.problems?.[0]?.message ?? 'the signature cannot be read')}`]);
    if (v.problems?.[0]?.hint) rowsOut.push(['fix', v.problems[0].hint]);
    return rowsOut;
  }
  rowsOut.push(['verify', `${c.red('FAILED')}: the signature does not verify over this string with ${describeKey(v.publicKey, ctx.verbose)}`]);
  const d = v.diagnosis;
  if (!d) return rowsOut;
  const m = d.matched;
  if (m) {
    rowsOut.push(['cause', `${m.description} ${c.dim(`[${m.id}]`)}`]);
    if (m.sameAs?.length) rowsOut.push(['', c.dim(`(gives the same string as: ${m.sameAs.join(', ')})`)]);
    rowsOut.push(['their string', one(m.canonical)]);
    rowsOut.push(['fix', m.fix]);
  } else {
    const why = d.issues.find((i) => i.severity === 'error') ?? d.issues[0];
    rowsOut.push(['cause', why ? `${why.message}${why.hint ? `: ${why.hint}` : ''}` : 'unknown']);
  }
  if (d.tried.length) rowsOut.push(['', c.dim(`checked ${d.tried.length} variants of common mistakes${ctx.verbose ? ':' : ' (--verbose lists them)'}`)]);
  if (ctx.verbose) for (const t of d.tried) rowsOut.push(['', c.dim(`${t.id}: ${t.description}`)]);
  return rowsOut;
}
