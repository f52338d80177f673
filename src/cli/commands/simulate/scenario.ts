/**
 * `tacpay simulate scenario <name | file>`: a whole payment flow as one command for CI smoke tests.
 * The run itself is flows/scenario.ts; this file declares the command, parses its flags into the
 * flow's typed options (UsageError here), turns SIGINT/SIGTERM into the flow's abort signal, and
 * renders: one line per step, a summary, --json, --junit. Exit 1 when any step failed.
 */
import type { Command } from 'commander';
import { inert } from '../../../core/inert.js';
import { UsageError } from '../../../errors.js';
import type { ScenarioReport, ScenarioRunOptions, StepReport } from '../../../flows/scenario.js';
import { failureText } from '../../../flows/scenario.js';
import { findScenario, listBuiltins, unknownScenarioHint } from '../../../flows/scenario-file.js';
import { flowEnvOf, type Ctx } from '../../context.js';
import { retryScaleOption, targetUrl, timeoutOption } from '../../flags.js';
import { action, examples, type App } from '../../kit.js';
import { table, writeJson } from '../../output.js';
import { onStopSignal } from '../../stop-signal.js';

export interface ScenarioFlags {
  list?: boolean;
  junit?: string;
  notifyUrl?: string;
  retryScale?: string;
  timeout: string;
  keep?: boolean;
  sandboxDir?: string;
}

/** The flags as the flow's typed options. */
export async function parseScenarioFlags(f: ScenarioFlags): Promise<ScenarioRunOptions> {
  if (f.sandboxDir === '') throw new UsageError('--sandbox-dir is empty', 'give the data dir of a sandbox, e.g. --sandbox-dir ./.tacpay-sandbox');
  return {
    ...(f.retryScale !== undefined ? { retryScale: await retryScaleOption(f.retryScale) } : {}),
    timeoutMs: timeoutOption(f.timeout),
    ...(f.notifyUrl !== undefined ? { notifyUrl: targetUrl(f.notifyUrl, '--notify-url') } : {}),
    ...(f.keep ? { keep: true } : {}),
    ...(f.sandboxDir !== undefined ? { sandboxDir: f.sandboxDir } : {}),
  };
}

/** Runs the flow with Ctrl-C and SIGTERM as its abort signal (the flow cleans up, then throws Cancelled). */
async function runWithStopSignal(ref: string, opts: ScenarioRunOptions, ctx: Ctx): Promise<ScenarioReport> {
  const file = findScenario(ref, ctx.cwd);
  if (file === undefined) throw new UsageError(`no scenario file or built-in scenario "${inert(ref, { singleLine: true })}"`, unknownScenarioHint());
  const { readScenario } = await import('../../../flows/scenario-file.js');
  const { runScenario } = await import('../../../flows/scenario.js');
  const { scenario, source } = await readScenario(file);
  if (!ctx.json) ctx.note(`scenario ${inert(scenario.name, { singleLine: true })}: ${scenario.steps.length} step${scenario.steps.length === 1 ? '' : 's'} against ${opts.sandboxDir !== undefined ? 'the sandbox of --sandbox-dir' : 'a fresh sandbox'}`);
  const stop = onStopSignal();
  const abort = new AbortController();
  void stop.stopped.then((signal) => abort.abort(signal));
  try {
    return await runScenario(scenario, source, opts, flowEnvOf(ctx, abort.signal));
  } finally {
    stop.dispose();
  }
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v));

export function stepLine(s: StepReport, ctx: Ctx): string {
  const c = ctx.color;
  const mark = s.status === 'passed' ? c.green('✓') : s.status === 'failed' ? c.red('✗') : c.dim('-');
  const what = s.status === 'passed' ? inert(stepSummary(s), { singleLine: true }) : s.status === 'failed' ? inert(failureText(s), { singleLine: true }) : 'skipped';
  return `${mark} ${s.id.padEnd(14)} ${what} ${c.dim(`${s.durationMs}ms`)}\n`;
}

function stepSummary(s: StepReport): string {
  const r = s.result ?? {};
  switch (s.action) {
    case 'create':
      return `unified_order ret ${str(r.ret)}, out_trade_no ${inert(str(r.out_trade_no ?? ''), { singleLine: true })}`;
    case 'pay':
      return `${str(r.result)} (${str(r.resultCode)}) on ${str(r.platform)}, order state ${str(r.order_state)}`;
    case 'deliver':
      return `${r.delivered ? 'delivered' : 'not delivered'} after ${str(r.attempts)} attempt(s), order state ${str(r.order_state)}`;
    case 'query':
      return `query_order ret ${str(r.ret)}, order_state ${str(r.order_state ?? '-')}`;
    case 'query_refund':
      return `query_refund ret ${str(r.ret)}, state ${str(r.state ?? '-')}`;
    default:
      return `${s.action === 'close' ? 'close_order' : 'refund'} ret ${str(r.ret)}`;
  }
}

export function summaryLine(r: ScenarioReport, ctx: Ctx): string {
  const c = ctx.color;
  const counts = `${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}`;
  return `${r.failed ? c.red(counts) : c.green(counts)} ${c.dim(`(scenario ${inert(r.scenario, { singleLine: true })}, ${(r.durationMs / 1000).toFixed(2)} s)`)}\n`;
}

export function registerSimulateScenario(simulate: Command, app: App): void {
  const cmd = simulate
    .command('scenario')
    .description('run a payment flow (create, pay, deliver, query, close, refund, query refund) against a fresh sandbox: CI smoke tests')
    .argument('[name|file]', 'a built-in scenario (--list) or a scenario JSON file')
    .option('--list', 'list the built-in scenarios')
    .option('--junit <file>', 'also write a JUnit XML report')
    .option('--notify-url <url>', 'deliver notifications to your handler instead of the built-in one (with --sandbox-dir, so it can know the platform key)')
    .option('--retry-scale <factor>', "scale of the notification retry schedule (default: the scenario's, else 0.001)")
    .option('--timeout <ms>', 'per API call and per notification attempt', '10000')
    .option('--keep', 'keep the temp sandbox data dir and print where it is')
    .option('--sandbox-dir <dir>', "use this sandbox data dir (its platform key and merchant) instead of a fresh one: the running sandbox on it, else one started here; its data stays");
  cmd
    .addHelpText(
      'after',
      `
A scenario file: {"name", "description", "retryScale", "receiver": {"replies": ["fail", "ok"]},
"steps": [{"id", "action", "params", "expect"}]}. Actions: create, pay (params result, platform),
deliver (waits for the notification: wait "final" or "first"), query, close, refund, query_refund.
A step refers to earlier results as \${stepId.field}, e.g. "\${create.out_trade_no}"; ids default
to the action name (then refund2, ...). expect is matched as a subset; API steps expect ret 0 and
deliver expects delivered true unless told otherwise. A file is read only if it is a regular file
of at most 1 MB, nested at most 32 levels, and runs at most 1000 steps.

Your own handler (--notify-url) verifies each notification with a sandbox's platform public key:
give the scenario that sandbox with --sandbox-dir DIR (tacpay sandbox keys --sandbox-dir DIR prints the
key). A fresh sandbox has a new key each run, which no handler can know in advance.
Exit codes: 0 every step passed, 1 a step failed (or the file is refused), 2 usage,
130 stopped by Ctrl-C or SIGTERM (the sandbox is stopped and its temp dir removed first).`,
    )
    .action(
      action<ScenarioFlags>(app, async (flags, ctx, args) => {
        if (flags.list) {
          const list = listBuiltins();
          if (ctx.json) writeJson(ctx.stdout, { scenarios: list });
          else ctx.stdout.write(table(['NAME', 'STEPS', 'DESCRIPTION'], list.map((s) => [inert(s.name, { singleLine: true }), String(s.steps), inert(s.description, { singleLine: true })]), (h) => ctx.color.bold(h)));
          return 0;
        }
        if (args[0] === undefined) throw new UsageError('which scenario? give a name or a file', 'tacpay simulate scenario --list shows the built-in ones');
        const opts = await parseScenarioFlags(flags);
        if (!ctx.json) opts.onStep = (s) => ctx.stdout.write(stepLine(s, ctx));
        const r = await runWithStopSignal(args[0], opts, ctx);
        if (flags.junit) {
          const { writeScenarioJunit } = await import('../../../flows/junit.js');
          const path = await writeScenarioJunit(flags.junit, r, ctx.cwd);
          if (!ctx.json) ctx.note(`JUnit report: ${inert(path, { singleLine: true })}`);
        }
        if (ctx.json) writeJson(ctx.stdout, r);
        else ctx.stdout.write(summaryLine(r, ctx));
        if (r.dataDir && !ctx.json) ctx.note(`sandbox data ${flags.sandboxDir !== undefined ? 'left in place' : 'kept'} at ${inert(r.dataDir, { singleLine: true })}`);
        return r.failed ? 1 : 0;
      }),
    );
  examples(cmd, [
    'tacpay simulate scenario --list',
    'tacpay simulate scenario happy-path',
    'tacpay simulate scenario delivery-retry --junit reports/tacpay.xml',
    'tacpay simulate scenario ./checkout.json --notify-url http://127.0.0.1:3000/notify --json',
    'tacpay simulate scenario happy-path --sandbox-dir .tacpay-sandbox --notify-url http://127.0.0.1:3000/notify',
  ]);
}
