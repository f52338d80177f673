/**
 * The doctor, as the CLI loads it (lazily: the parsers are only evaluated when `tacpay doctor`
 * runs): gather the project once, run every check, build the report; plan and apply fixes.
 */
import { CHECKS } from './checks/index.js';
import { gather, type GatherInput } from './gather.js';
import { buildReport, runChecks, type RunOptions } from './run.js';
import type { Finding, Report, Snapshot } from './types.js';

export { CHECKS } from './checks/index.js';
export { planFixes, writeAtomic, type FixPlan, type PlannedEdit } from './fix.js';
export { renderFixPlan, renderReport, summaryLine } from './render.js';
export { skippable } from './run.js';
export type { ExplicitPaths, GatherInput } from './gather.js';

export interface DoctorRun {
  snapshot: Snapshot;
  findings: Finding[];
  report: Report;
}

/** Reads the project and runs every check. Never throws for the project's contents. */
export async function runDoctor(input: GatherInput, opts: RunOptions = {}): Promise<DoctorRun> {
  const snapshot = await gather(input);
  const findings = runChecks(snapshot, CHECKS, opts);
  return { snapshot, findings, report: buildReport(snapshot, findings, Boolean(opts.strict)) };
}
