/**
 * What `tacpay doctor` prints: the report (human or one --json document), the fix plan before the
 * question, and after --fix what was written and the report as it is now. Text from project files is
 * made inert here, in the JSON document as in the human report.
 */
import { renderFixPlan, renderReport, type DoctorRun, type FixOutcome, type FixPlan } from '../../../doctor/index.js';
import { inert } from '../../../core/inert.js';
import type { Ctx } from '../../context.js';
import { EXIT } from '../../errors.js';

type RenderCtx = Pick<Ctx, 'json' | 'color' | 'colorErr' | 'verbose' | 'interactive'>;

/** Text for stdout and stderr. */
export interface Rendered {
  stdout: string;
  stderr: string;
}

const safe = (t: string) => inert(t);

/** Every string in a JSON document made inert: project files can hold control and bidi characters JSON.stringify leaves raw. */
function inertDeep<T>(value: T): T {
  if (typeof value === 'string') return inert(value) as T;
  if (Array.isArray(value)) return value.map(inertDeep) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inertDeep(v)])) as T;
  return value;
}

function json(value: unknown): string {
  return JSON.stringify(inertDeep(value), null, 2) + '\n';
}

function reportOptions(ctx: RenderCtx) {
  return { color: ctx.color, verbose: ctx.verbose, safe };
}

/** Why nothing was written when confirm said no: --yes or a terminal means someone said no. */
export function notWrittenWhy(yes: boolean, interactive: boolean): string {
  return yes || interactive ? 'not confirmed' : 'no terminal to confirm on and no --yes';
}

/** Shown before --fix asks (human output only): the report and the diff of every planned edit. */
export function renderPlan(first: DoctorRun, plan: FixPlan, ctx: RenderCtx): string {
  if (ctx.json) return '';
  const o = reportOptions(ctx);
  return renderReport(first.report, o) + renderFixPlan(plan, o);
}

/** The end of a run: without --fix the report; with it, the outcome of the fix loop (the plan was shown already). */
export function render(out: { first: DoctorRun; fix?: FixOutcome; yes?: boolean }, ctx: RenderCtx): Rendered {
  const { first, fix } = out;
  if (!fix) return { stdout: ctx.json ? json(first.report) : renderReport(first.report, reportOptions(ctx)), stderr: '' };
  const planJson = {
    edits: fix.plan.edits.map((e) => ({ path: e.path, changes: e.changes, checks: e.checks, diff: e.diff })),
    refused: fix.plan.refused,
  };
  if (fix.status === 'nothing-to-fix') return { stdout: ctx.json ? json({ ...first.report, fix: { ...planJson, written: [] } }) : '', stderr: '' };
  if (fix.status === 'not-confirmed') {
    const why = notWrittenWhy(Boolean(out.yes), ctx.interactive);
    if (ctx.json) return { stdout: json({ ...first.report, exitCode: EXIT.failed, fix: { ...planJson, written: [], notWritten: why } }), stderr: '' };
    return { stdout: '', stderr: `${ctx.colorErr.yellow('nothing was written')} (${why}); run again with --fix --yes to write these changes\n` };
  }
  if (ctx.json) return { stdout: json({ ...fix.after.report, fix: { ...planJson, written: fix.written, before: first.report.summary } }), stderr: '' };
  const head = `\n${ctx.color.green(`wrote ${fix.written.join(', ')}`)}\n\n${ctx.color.bold('After fixing')}\n`;
  return { stdout: head + renderReport(fix.after.report, reportOptions(ctx)), stderr: '' };
}
