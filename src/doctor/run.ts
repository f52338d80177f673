/**
 * The runner: gathers the project once and runs every check against that snapshot, in registry
 * order. A check that throws becomes a failure ("check crashed: ..."), never a crash of the run.
 * Skips (--skip, doctor.skip), the warning-severity cap and --strict are applied here, so checks
 * stay oblivious of them.
 */
import { CHECKS } from './checks/index.js';
import { gather, type GatherInput } from './gather.js';
import { CATEGORIES, type Check, type Finding, type Report, type Snapshot, type Summary } from './types.js';

export const TAC_NOT_FOUND = 'TAC not found in this project (no TAC config files, TAC pods or Gradle dependencies, Midas activities, configured offerId or TAC imports)';

export interface RunOptions {
  strict?: boolean;
  /** Check id -> why it is skipped (e.g. "--skip", "doctor.skip in tacpay.config.json"). */
  skip?: ReadonlyMap<string, string>;
}

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

/** Runs `checks` against the snapshot. Never throws. */
export function runChecks(snapshot: Snapshot, checks: readonly Check[], opts: RunOptions = {}): Finding[] {
  return checks.map((check): Finding => {
    const base = { id: check.id, title: check.title, category: check.category, severity: check.severity, docs: check.docs };
    const why = opts.skip?.get(check.id);
    if (why !== undefined) return { ...base, status: 'skip', summary: `skipped by ${why}` };
    // TAC-only checks on a project without TAC: not run, and reported as one line (render.ts).
    if (check.requires === 'tac' && !snapshot.uses.tac.length) return { ...base, status: 'skip', summary: TAC_NOT_FOUND, notApplicable: 'tac' };
    let result;
    try {
      result = check.run(snapshot);
    } catch (err) {
      const e = err as Error;
      return { ...base, status: 'fail', summary: `check crashed: ${e?.message ?? String(err)}`, hint: 'this is a bug in tacpay; please report it with the file that caused it (secrets removed), and --skip this check meanwhile' };
    }
    let status = result.status;
    // A warning-severity check can warn, never fail the run (unless --strict).
    if (status === 'fail' && check.severity === 'warning') status = 'warn';
    if (status === 'warn' && opts.strict) status = 'fail';
    return { ...base, ...result, status, docs: result.docs ?? check.docs };
  });
}

/** Counts by status. */
export function summarize(findings: readonly Finding[]): Summary {
  const count = (s: Finding['status']) => findings.filter((f) => f.status === s).length;
  return { errors: count('fail'), warnings: count('warn'), passed: count('pass'), manual: count('manual'), skipped: count('skip'), total: findings.length };
}

/** The whole report: files, findings (grouped order kept), summary and the exit code it implies. */
export function buildReport(snapshot: Snapshot, findings: readonly Finding[], strict: boolean): Report {
  const order = new Map(CATEGORIES.map((c, i) => [c, i]));
  const checks = [...findings].sort((a, b) => order.get(a.category)! - order.get(b.category)!);
  const summary = summarize(checks);
  return {
    root: snapshot.root,
    layouts: snapshot.layouts,
    strict,
    notes: snapshot.notes,
    uses: snapshot.uses,
    files: {
      used: snapshot.files.used.map((f) => ({ role: f.role, path: f.path, source: f.source, ...(f.format ? { format: f.format } : {}), ...(f.error ? { error: f.error } : {}) })),
      missing: snapshot.files.missing,
      skipped: snapshot.skipped,
    },
    checks,
    summary,
    exitCode: summary.errors > 0 ? 1 : 0,
  };
}

/** Every check id and category name, for validating --skip. */
export function skippable(checks: readonly Check[]): Set<string> {
  return new Set([...checks.map((c) => c.id), ...CATEGORIES]);
}

/**
 * The skip list: check id -> why it is skipped. A category names all its checks; the first source
 * to name a check gives the reason (doctor.skip before --skip). Ids that are neither are passed over:
 * callers check them against skippable() first, each with its own error or warning.
 */
export function skipMap(checks: readonly Check[], sources: ReadonlyArray<{ ids: readonly string[]; why: string }>): Map<string, string> {
  const skip = new Map<string, string>();
  for (const { ids, why } of sources) {
    for (const id of ids) {
      const inCategory = checks.filter((c) => c.category === id);
      for (const c of inCategory.length ? inCategory : checks.filter((c) => c.id === id)) if (!skip.has(c.id)) skip.set(c.id, why);
    }
  }
  return skip;
}
