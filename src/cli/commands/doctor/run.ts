/**
 * `tacpay doctor` when it runs (imported by index.ts's action, so the doctor bundle loads only
 * then): parse the flags, resolve the config, build the skip list, run the checks, and with --fix
 * hand the doctor's fix loop a confirm that asks on the terminal; then render.
 */
import { inert } from '../../../core/inert.js';
import { CHECKS, fixLoop, noProject, runDoctor, skipMap, skippable, type FixOutcome, type FixPlan, type GatherInput } from '../../../doctor/index.js';
import { TacpayError } from '../../../errors.js';
import type { Ctx, GlobalFlags } from '../../context.js';
import { EXIT } from '../../errors.js';
import { writableOf } from '../../output.js';
import { resolveInputs } from './config-inputs.js';
import { parse, type DoctorFlags } from './parse.js';
import { render, renderPlan, type Rendered } from './render.js';

/** Runs the command; returns its exit code. */
export async function runDoctorCommand(flags: DoctorFlags, ctx: Ctx, dirArg: string | undefined, globals: GlobalFlags): Promise<number> {
  const req = await parse(flags, dirArg, ctx);
  const { config, configSkip } = await resolveInputs(ctx, req.root, globals, req.ids);
  const known = skippable(CHECKS);
  for (const id of configSkip) if (!known.has(id)) ctx.warn(`doctor.skip in ${config.file}: no check ${JSON.stringify(id)}; ignored`);
  const skip = skipMap(CHECKS, [
    { ids: configSkip, why: 'doctor.skip in tacpay.config.json' },
    { ids: req.skip, why: '--skip' },
  ]);

  const input: GatherInput = { root: req.root, paths: req.paths, config, ...(req.payInfo !== undefined ? { payInfo: req.payInfo } : {}), ...(req.logFile ? { logFile: req.logFile } : {}) };
  const runOpts = { strict: req.strict, skip };
  const first = await runDoctor(input, runOpts);
  const none = noProject(first.snapshot, req.dirArg);
  if (none && req.payInfo === undefined && !req.logFile) throw new TacpayError(inert(none.message, { singleLine: true }), inert(none.hint, { singleLine: true }));
  if (!req.fix) {
    write(ctx, render({ first }, ctx));
    return first.report.exitCode;
  }

  const { yes } = req.fix;
  const fix = await fixLoop(first, input, runOpts, {
    onPlan: (plan) => write(ctx, { stdout: renderPlan(first, plan, ctx), stderr: '' }),
    confirm: (plan) => confirmWrite(ctx, plan, yes),
  });
  write(ctx, render({ first, fix, yes }, ctx));
  return exitCode(first.report.exitCode, fix);
}

/** --fix's question: yes with --yes; on a terminal, asked (default no); with no one to ask, no. */
async function confirmWrite(ctx: Ctx, plan: FixPlan, yes: boolean): Promise<boolean> {
  if (yes) return true;
  if (!ctx.interactive) return false;
  const { default: confirm } = (await ctx.importModule('@inquirer/confirm')) as typeof import('@inquirer/confirm');
  return confirm(
    { message: `Write ${plan.edits.length === 1 ? 'this change' : `these changes to ${plan.edits.length} files`}?`, default: false },
    { input: ctx.stdin as NodeJS.ReadableStream, output: writableOf(ctx.stderr) },
  );
}

/** Nothing to fix: the report's code; not confirmed: failed (nothing was written); written: how things stand now. */
function exitCode(before: number, fix: FixOutcome): number {
  if (fix.status === 'not-confirmed') return EXIT.failed;
  return fix.status === 'written' ? fix.after.report.exitCode : before;
}

function write(ctx: Ctx, out: Rendered): void {
  if (out.stdout) ctx.stdout.write(out.stdout);
  if (out.stderr) ctx.stderr.write(out.stderr);
}
