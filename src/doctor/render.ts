/**
 * Human rendering of a doctor report: grouped by category with ✓ ! ✗ – ☐ marks, fix hints under
 * failures and warnings, details with --verbose, and the one-line summary. Every string that may
 * hold project text goes through `safe` (the CLI passes its inert()). Pure: returns text.
 */
import type { ChalkInstance } from 'chalk';
import type { FixPlan } from './fix.js';
import { CATEGORIES, type Category, type Finding, type Report, type Status, type Summary } from './types.js';

export interface RenderOptions {
  color: ChalkInstance;
  verbose: boolean;
  /** Makes untrusted text safe to print (control characters escaped). */
  safe: (text: string) => string;
}

export const MARKS: Readonly<Record<Status, string>> = { pass: '✓', warn: '!', fail: '✗', skip: '–', manual: '☐' };

const LABELS: Readonly<Record<Category, string>> = {
  config: 'Config',
  ios: 'iOS',
  android: 'Android',
  pay_info: 'pay_info',
  log: 'Log',
  manual: 'Manual (cannot be read from files: check by hand)',
};

const LAYOUT_WORDS: Readonly<Record<string, string>> = {
  'ios-native': 'native iOS',
  'android-native': 'native Android',
  'react-native': 'React Native',
  flutter: 'Flutter',
  capacitor: 'Capacitor',
  expo: 'Expo (managed)',
  'uni-app': 'uni-app (not checked)',
  cordova: 'Cordova (not checked)',
};

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "2 errors, 1 warning, 14 passed, 3 manual" (+ skipped when any). */
export function summaryLine(s: Summary): string {
  const parts = [plural(s.errors, 'error'), plural(s.warnings, 'warning'), `${s.passed} passed`, `${s.manual} manual`];
  if (s.skipped) parts.push(`${s.skipped} skipped`);
  return parts.join(', ');
}

function paintMark(c: ChalkInstance, status: Status): string {
  const m = MARKS[status];
  return status === 'pass' ? c.green(m) : status === 'warn' ? c.yellow(m) : status === 'fail' ? c.red(m) : status === 'manual' ? c.cyan(m) : c.dim(m);
}

function finding(f: Finding, o: RenderOptions): string[] {
  const c = o.color;
  const s = (t: string) => o.safe(t);
  const lines: string[] = [];
  const id = c.dim(`[${f.id}]`);
  const head = `  ${paintMark(c, f.status)} ${f.title}: ${s(f.summary)}`;
  lines.push(f.status === 'skip' ? c.dim(`  ${MARKS.skip} ${f.title}: ${s(f.summary)} [${f.id}]`) : `${head} ${id}`);
  if (f.status === 'fail' || f.status === 'warn') {
    if (f.hint) lines.push(`      ${c.bold('fix:')} ${s(f.hint)}`);
    if (f.fix?.length) lines.push(`      ${c.dim('tacpay doctor --fix can make this change')}`);
    lines.push(`      ${c.dim(`docs: ${f.docs}`)}`);
  } else if (f.status === 'manual') {
    if (f.hint) lines.push(`      ${c.bold('compare:')} ${s(f.hint)}`);
    if (o.verbose) lines.push(`      ${c.dim(`docs: ${f.docs}`)}`);
  } else if (o.verbose && f.status === 'pass') {
    lines.push(`      ${c.dim(`docs: ${f.docs}`)}`);
  }
  const showDetails = f.status === 'fail' || f.status === 'warn' || (o.verbose && f.status !== 'skip');
  if (showDetails) for (const d of f.details ?? []) lines.push(`      ${c.dim('·')} ${s(d)}`);
  return lines;
}

/** The whole report as text. */
export function renderReport(r: Report, o: RenderOptions): string {
  const c = o.color;
  const s = (t: string) => o.safe(t);
  const out: string[] = [];
  const layouts = r.layouts.length ? r.layouts.map((l) => LAYOUT_WORDS[l] ?? l).join(', ') : 'no iOS or Android project found';
  out.push(`${c.bold('tacpay doctor')} ${s(r.root)}  ${c.dim(`(${layouts}${r.strict ? '; --strict' : ''})`)}`);
  out.push('');
  out.push(c.bold('Files'));
  for (const f of r.files.used) {
    const what = f.error ? c.red(`unusable: ${s(f.error)}`) : c.dim(f.format ?? '');
    out.push(`  ${c.dim(f.role.padEnd(22))} ${s(f.path)}${f.source === 'flag' ? c.dim(' (given)') : ''}  ${what}`);
  }
  for (const m of r.files.missing) out.push(`  ${c.dim(m.role.padEnd(22))} ${c.dim(`not found; looked for ${s(m.lookedFor.join(', '))}`)}`);
  for (const k of r.files.skipped) out.push(`  ${c.dim('not read'.padEnd(22))} ${s(k.path)}  ${c.yellow(s(k.reason))}`);
  if (r.notes.length) {
    out.push('');
    out.push(c.bold('Notes'));
    for (const n of r.notes) out.push(`  ${c.dim('·')} ${s(n)}`);
  }
  // TAC-only checks on a project without TAC: one line, not a dozen skips.
  const na = r.checks.filter((f) => f.notApplicable === 'tac');
  if (na.length) {
    out.push('');
    out.push(`${c.bold('TAC')}  ${c.dim(`${MARKS.skip} ${s(na[0]!.summary)}: ${plural(na.length, 'TAC check')} not run${o.verbose ? ` (${na.map((f) => f.id).join(', ')})` : ''}`)}`);
  }
  for (const cat of CATEGORIES) {
    const list = r.checks.filter((f) => f.category === cat && f.notApplicable !== 'tac');
    if (!list.length) continue;
    out.push('');
    const allSkipped = list.every((f) => f.status === 'skip');
    if (allSkipped && !o.verbose) {
      out.push(`${c.bold(LABELS[cat])}  ${c.dim(`${MARKS.skip} ${plural(list.length, 'check')} skipped: ${s(list[0]!.summary)}`)}`);
      continue;
    }
    out.push(c.bold(LABELS[cat]));
    for (const f of list) out.push(...finding(f, o));
  }
  out.push('');
  const line = summaryLine(r.summary);
  out.push(r.summary.errors ? c.red(line) : r.summary.warnings ? c.yellow(line) : c.green(line));
  if (r.summary.errors) out.push(c.dim('exit 1: an error-severity check failed' + (r.strict ? ' (--strict: warnings count as failures)' : '')));
  return out.join('\n') + '\n';
}

/** The --fix plan: each file's changes and diff, and what will not be touched. */
export function renderFixPlan(plan: FixPlan, o: RenderOptions): string {
  const c = o.color;
  const s = (t: string) => o.safe(t);
  const out: string[] = ['', c.bold('Fixes')];
  if (!plan.edits.length && !plan.refused.length) out.push('  nothing to fix mechanically');
  for (const e of plan.edits) {
    out.push(`  ${s(e.path)}: ${s(e.changes.join('; '))} ${c.dim(`[${e.checks.join(', ')}]`)}`);
  }
  for (const r of plan.refused) out.push(`  ${c.yellow('not editing')} ${s(r.path)}: ${s(r.reason)} ${c.dim(`[${r.checks.join(', ')}]`)}`);
  for (const e of plan.edits) {
    out.push('');
    for (const l of e.diff.replace(/\n$/, '').split('\n')) {
      if (l.startsWith('===')) continue;
      out.push(l.startsWith('+') && !l.startsWith('+++') ? c.green(s(l)) : l.startsWith('-') && !l.startsWith('---') ? c.red(s(l)) : l.startsWith('@@') ? c.cyan(s(l)) : s(l));
    }
  }
  return out.join('\n') + '\n';
}
