/**
 * `--fix` as one unit: plan the mechanical fixes from a run's findings, ask before writing, write
 * each file atomically, then run every check again so the outcome says how things stand now.
 * Asking is a callback the caller supplies (the CLI prompts on a terminal, or answers yes for
 * --yes), so the doctor has no prompts and no terminal. Here rather than in src/flows: it needs
 * nothing a FlowEnv gives (no config, clock or cancellation), only the doctor's own planner, writer
 * and runner, and it is loaded with the doctor bundle.
 */
import { inert } from '../core/inert.js';
import { TacpayError } from '../errors.js';
import { applyEdit, ChangedSinceRead, planFixes, type FixPlan } from './fix.js';
import { Refused } from './fsread.js';
import type { GatherInput } from './gather.js';
import { runDoctor, type DoctorRun, type RunOptions } from './run.js';

export interface FixHooks {
  /** The plan, as soon as it is made (also when it has nothing to write): the CLI shows the diff here. */
  onPlan?: (plan: FixPlan) => void;
  /** Asked once there is something to write; true writes every edit. */
  confirm: (plan: FixPlan) => Promise<boolean>;
}

export type FixOutcome =
  /** Nothing the fixer can change: nothing was asked or written. */
  | { status: 'nothing-to-fix'; plan: FixPlan }
  /** confirm said no: nothing was written. */
  | { status: 'not-confirmed'; plan: FixPlan }
  /** Every edit was written (`written`, paths as shown) and the checks ran again (`after`). */
  | { status: 'written'; plan: FixPlan; written: string[]; after: DoctorRun };

/**
 * Plans from `first` (a run of `input` with `run`), asks, writes, re-runs. A write that fails
 * stops the loop with a TacpayError naming the files already written; the failed file is left as
 * it was (writes are atomic).
 */
export async function fixLoop(first: DoctorRun, input: GatherInput, run: RunOptions, hooks: FixHooks): Promise<FixOutcome> {
  const plan = await planFixes(first.findings, first.snapshot);
  hooks.onPlan?.(plan);
  if (!plan.edits.length) return { status: 'nothing-to-fix', plan };
  if (!(await hooks.confirm(plan))) return { status: 'not-confirmed', plan };
  const written: string[] = [];
  for (const e of plan.edits) {
    try {
      await applyEdit(e, input.root);
      written.push(e.path);
    } catch (err) {
      throw writeError(err, e.path, written);
    }
  }
  // Re-run every check on the rewritten files, so the exit code says how things stand now.
  const after = await runDoctor(input, run);
  return { status: 'written', plan, written, after };
}

/** Why an edit could not be written, as the user-facing error (with what was written before it). */
function writeError(err: unknown, path: string, written: readonly string[]): TacpayError {
  const already = written.length ? `; already written: ${written.join(', ')}` : '';
  if (err instanceof ChangedSinceRead) return new TacpayError(`${inert(err.message, { singleLine: true })}${already}`, 'run tacpay doctor --fix again: it plans from the file as it is now');
  if (err instanceof Refused) return new TacpayError(`${inert(err.reason, { singleLine: true })}${already}`, 'run tacpay doctor on the directory that holds the file');
  return new TacpayError(`could not write ${inert(path, { singleLine: true })} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})${already}`, 'check the file permissions; the file was left as it was');
}
