/**
 * `tacpay simulate scenario <name | file>`: a whole payment flow as one command for CI smoke tests.
 * Each run gets a fresh sandbox in a temp dir (nothing shared, nothing left behind, even on Ctrl-C or
 * SIGTERM), or with --sandbox-dir the sandbox of a data dir your handler knows the key of; a built-in
 * notify handler that verifies every notification and answers as the scenario scripts it (or your
 * own handler with --notify-url), then runs the steps in order through the real order API over
 * HTTP: one line per step, a summary, --json, --junit. After a failed step the rest are skipped
 * (they build on it); the exit code is 1 when any step failed.
 */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import type { ApiName } from '../../core/order-api.js';
import type { Scenario, ScenarioStep, Mismatch } from '../../core/scenario.js';
import { newOrderNo } from '../../core/order-defaults.js';
import type { Ctx } from '../context.js';
import { Cancelled, TacpayError, UsageError } from '../../errors.js';
import { action, examples, type App } from '../kit.js';
import { writeJson } from '../output.js';
import { inert } from '../../core/inert.js';
import { table } from '../output.js';
import { onStopSignal } from '../stop-signal.js';
import { listBuiltins, loadScenario } from './simulate-scenario-file.js';
import { openScenarioSandbox, type ScenarioSandbox } from './simulate-scenario-sandbox.js';
import { retryScaleOption, targetUrl, timeoutOption } from '../flags.js';

export interface ScenarioOptions {
  list?: boolean;
  junit?: string;
  notifyUrl?: string;
  retryScale?: string;
  timeout: string;
  keep?: boolean;
  sandboxDir?: string;
}

export interface StepReport {
  id: string;
  name: string;
  action: string;
  status: 'passed' | 'failed' | 'skipped';
  durationMs: number;
  /** What the step was given, references resolved. */
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  mismatches?: Mismatch[];
  error?: string;
}

export interface ScenarioReport {
  scenario: string;
  description: string;
  source: string;
  passed: number;
  failed: number;
  skipped: number;
  durationMs: number;
  steps: StepReport[];
  dataDir?: string;
}

export { builtinDir, listBuiltins, loadScenario, type ScenarioEntry } from './simulate-scenario-file.js';

/** A fresh id of the order-no charset (§5.1), at most 32 characters. */
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v));

/**
 * Runs a scenario (against a fresh sandbox, or the one of --sandbox-dir); steps are reported through
 * `onStep` as they finish. SIGINT or SIGTERM stops it between or during steps: everything is cleaned
 * up first, then Cancelled (exit 130) is thrown.
 */
export async function runScenario(scenario: Scenario, source: string, opts: ScenarioOptions, ctx: Ctx, onStep?: (s: StepReport) => void): Promise<ScenarioReport> {
  const retryScale = opts.retryScale !== undefined ? await retryScaleOption(opts.retryScale) : scenario.retryScale;
  const timeoutMs = timeoutOption(opts.timeout);
  const notifyUrl = opts.notifyUrl !== undefined ? targetUrl(opts.notifyUrl, '--notify-url') : undefined;
  const started = Date.now();
  // Listening before the temp dir exists: a signal at any moment after it is made finds a clean-up.
  const stop = onStopSignal();
  let signal: NodeJS.Signals | undefined;
  const stopped = stop.stopped.then((s) => (signal = s));
  let sb: ScenarioSandbox | undefined;
  try {
    sb = await openScenarioSandbox({ sandboxDir: opts.sandboxDir, keep: opts.keep, retryScale, timeoutMs }, ctx);
    const { startReceiver } = await import('../../sandbox/notify-receiver.js');
    const { OrderClient } = await import('../../client/order-client.js');
    const { createPrivateKey, createPublicKey } = await import('node:crypto');
    const { merchant, store } = sb;
    const platformPublicKey = createPublicKey(sb.platformPublicPem);
    const receiver = notifyUrl
      ? undefined
      : await startReceiver({
          keysFor: (appid) => (appid === merchant.offer_id ? { offerKey: merchant.offer_key, platformPublicKey } : undefined),
          replyTo: (n) => (scenario.receiverReplies[Math.min(n, scenario.receiverReplies.length) - 1] === 'ok' ? { ret: 0, msg: 'ok' } : { ret: -1, msg: 'scenario: this attempt is scripted to fail' }),
          now: () => ctx.now(),
        });
    if (receiver) sb.onClose(() => receiver.close());
    else if (scenario.receiverReplies.includes('fail')) {
      ctx.warn(`the scenario scripts the built-in handler's replies (${scenario.receiverReplies.join(', ')}); with --notify-url your handler answers instead, so expectations about failed attempts may not hold`);
    }
    sb.setNotifyUrl(notifyUrl ?? receiver!.url);
    const client = new OrderClient({
      baseUrl: sb.url,
      credentials: { offerId: merchant.offer_id, offerKey: merchant.offer_key, privateKey: createPrivateKey(merchant.private_key_pem) },
      tsMode: 'beijing-naive',
      now: () => ctx.now(),
      retries: 0,
      totalTimeoutMs: timeoutMs,
    });
    sb.onClose(() => client.close());

    const env: RunEnv = { ctx, store, offerId: merchant.offer_id, offerKey: merchant.offer_key, platformPublicKey, client, retryScale, receiver, scenario };
    const results: Record<string, unknown> = {};
    const steps: StepReport[] = [];
    let failed = false;
    for (const step of scenario.steps) {
      if (signal) break;
      let report: StepReport;
      if (failed) report = skipped(step);
      else {
        const running = runStep(step, results, env);
        // The step is abandoned, not awaited, once a signal comes: its late failure (the store is closed under it) is expected.
        running.catch(() => {});
        const r = await Promise.race([running, stopped]);
        if (typeof r === 'string') break;
        report = r;
      }
      if (report.status === 'failed') failed = true;
      if (report.result) results[step.id] = report.result;
      steps.push(report);
      onStep?.(report);
    }
    if (signal) {
      ctx.note(`${signal}: stopping after ${steps.length} of ${scenario.steps.length} steps (the sandbox stops${sb.temporary ? ' and its temp dir goes' : ''})`);
      throw new Cancelled(`cancelled (${signal})`);
    }
    return {
      scenario: scenario.name,
      description: scenario.description,
      source,
      passed: steps.filter((s) => s.status === 'passed').length,
      failed: steps.filter((s) => s.status === 'failed').length,
      skipped: steps.filter((s) => s.status === 'skipped').length,
      durationMs: Date.now() - started,
      steps,
      ...(opts.keep || !sb.temporary ? { dataDir: sb.dir } : {}),
    };
  } finally {
    try {
      await sb?.close();
    } finally {
      stop.dispose();
    }
  }
}

/**
 * Whether the order's notifications verify (D2) with the platform public key and the offerKey:
 * as the built-in handler received them, or, when your handler receives them (--notify-url), as
 * the sandbox logged sending them. False when none was sent.
 */
async function signaturesVerified(env: RunEnv, outTradeNo: string, sent: ReadonlyArray<{ body: string; at: string }>): Promise<boolean> {
  const isSign = (code: string): boolean => code.startsWith('notify.sign');
  if (env.receiver) {
    const got = env.receiver.received.filter((r) => r.check.body?.out_trade_no === outTradeNo);
    return got.length > 0 && got.every((r) => !r.check.issues.some((i) => isSign(i.code)));
  }
  const bodies = sent.filter((a) => a.body !== '');
  if (!bodies.length) return false;
  const { verifyNotification } = await import('../../core/notification.js');
  return bodies.every((a) => !verifyNotification(a.body, env.offerKey, env.platformPublicKey, { now: new Date(a.at) }).issues.some((i) => isSign(i.code)));
}

interface RunEnv {
  offerKey: string;
  platformPublicKey: import('node:crypto').KeyObject;
  ctx: Ctx;
  store: import('../../sandbox/store.js').Store;
  offerId: string;
  client: import('../../client/order-client.js').OrderClient;
  retryScale: number;
  receiver: import('../../sandbox/notify-receiver.js').Receiver | undefined;
  scenario: Scenario;
}

function skipped(step: ScenarioStep): StepReport {
  return { id: step.id, name: step.name, action: step.action, status: 'skipped', durationMs: 0, error: 'skipped: an earlier step failed' };
}

async function runStep(step: ScenarioStep, results: Record<string, unknown>, env: RunEnv): Promise<StepReport> {
  const { resolveRefs, matchExpect, RefError } = await import('../../core/scenario.js');
  const t0 = Date.now();
  const base = { id: step.id, name: step.name, action: step.action };
  let params: Record<string, unknown> = {};
  try {
    params = resolveRefs(step.params, results);
    const expected = resolveRefs(step.expect, results);
    const result = await STEPS[step.action](params, env);
    const mismatches = matchExpect(result, expected);
    return { ...base, status: mismatches.length ? 'failed' : 'passed', durationMs: Date.now() - t0, params, result, ...(mismatches.length ? { mismatches } : {}) };
  } catch (err) {
    if (err instanceof RefError || err instanceof StepError) return { ...base, status: 'failed', durationMs: Date.now() - t0, params, error: err.message };
    if (err instanceof TacpayError) return { ...base, status: 'failed', durationMs: Date.now() - t0, params, error: err.message };
    if ((err as Error)?.name === 'TransportError') return { ...base, status: 'failed', durationMs: Date.now() - t0, params, error: (err as Error).message };
    throw err;
  }
}

/** A step that cannot run as written (an order it names does not exist, ...). */
class StepError extends Error {}

type StepFn = (p: Record<string, unknown>, env: RunEnv) => Promise<Record<string, unknown>>;

function orderOf(p: Record<string, unknown>, env: RunEnv) {
  const no = p.out_trade_no !== undefined ? str(p.out_trade_no) : undefined;
  const tid = p.transaction_id !== undefined ? str(p.transaction_id) : undefined;
  return no !== undefined ? env.store.orderByOutTradeNo(env.offerId, no) : tid !== undefined ? env.store.orderByTransactionId(env.offerId, tid) : undefined;
}

/** Calls the order API; the answer (ret may be non-zero) is the step's result. */
async function call(env: RunEnv, api: ApiName, params: Record<string, unknown>): Promise<Record<string, unknown>> {
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) flat[k] = str(v);
  const r = await env.client.call(api, flat);
  return r.body;
}

/** Params for a call about one order: the user_id the order was placed with unless given. */
function byOrder(p: Record<string, unknown>, env: RunEnv): Record<string, unknown> {
  const order = orderOf(p, env);
  return { ...p, user_id: p.user_id ?? order?.user_id ?? 'tacpayuser1' };
}

const STEPS: Readonly<Record<ScenarioStep['action'], StepFn>> = {
  async create(p, env) {
    const now = env.ctx.now();
    const params = {
      user_id: 'tacpayuser1',
      out_trade_no: newOrderNo('tacpay_', now),
      product_id: 'product_test',
      product_name: 'tacpay scenario',
      product_detail: `scenario ${env.scenario.name}`,
      amount: 100,
      currency_type: 'CNY',
      ...p,
    };
    const body = await call(env, 'unified_order', params);
    return { ...body, user_id: params.user_id, amount: Number(params.amount) };
  },

  async pay(p, env) {
    const { sdkResult, payScene } = await import('../../core/sdk-result.js');
    let order = orderOf(p, env);
    if (!order && p.pay_info !== undefined) {
      const { parsePayInfo } = await import('../../core/payinfo.js');
      const no = parsePayInfo(str(p.pay_info)).data?.out_trade_no;
      order = typeof no === 'string' ? env.store.orderByOutTradeNo(env.offerId, no) : undefined;
      if (order && order.pay_info !== str(p.pay_info)) throw new StepError(`the pay_info is not the one the sandbox issued for ${order.out_trade_no}`);
    }
    if (!order) throw new StepError('pay: no sandbox order for the given out_trade_no / pay_info');
    const r = sdkResult(str(p.result ?? 'success'));
    if (!r) throw new StepError(`pay: unknown result ${str(p.result)}`);
    const platform = (p.platform ?? 'android') as 'ios' | 'android' | 'web';
    let ret: number | undefined;
    let msg: string | undefined;
    if (r.orderEffect === 'paid') {
      const { payAndQueue } = await import('../../sandbox/index.js');
      const paid = await payAndQueue(env.store, env.offerId, order.out_trade_no, env.ctx.now(), { retryScale: env.retryScale, payScene: payScene(platform) });
      ret = paid.ret;
      msg = paid.msg;
    }
    const now = env.store.orderById(order.id)!;
    return {
      result: r.key,
      resultCode: r.code,
      platform,
      paid: now.order_state >= 2 && now.order_state <= 4,
      order_state: now.order_state,
      out_trade_no: now.out_trade_no,
      ...(ret !== undefined ? { ret, msg } : {}),
    };
  },

  async deliver(p, env) {
    const { waitForDelivery } = await import('../../sandbox/deliveries.js');
    const order = orderOf(p, env);
    if (!order) throw new StepError(`deliver: no sandbox order ${str(p.out_trade_no)}`);
    const wait = p.wait === 'first' ? 'first' : 'final';
    const d = await waitForDelivery(env.store, order.id, wait, typeof p.timeout_ms === 'number' ? p.timeout_ms : 10_000);
    const state = env.store.orderById(order.id)!.order_state;
    if (!d) return { delivered: false, status: 'none', attempts: 0, history: [], order_state: state };
    const rows = env.store.attemptsOf(d.id);
    const history = rows.map((a) => ({ attempt: a.attempt, delivered: a.delivered === 1, http_status: a.http_status, reason: a.reason ?? '', order_state: a.order_state }));
    return {
      delivered: d.status === 'delivered',
      status: d.status,
      attempts: d.attempts,
      history,
      order_state: state,
      signature_verified: await signaturesVerified(env, order.out_trade_no, rows),
    };
  },

  query: (p, env) => call(env, 'query_order', { type: 'by_order', ...byOrder(p, env) }),
  close: (p, env) => call(env, 'close_order', byOrder(p, env)),

  async refund(p, env) {
    const params = { refund_id: newOrderNo('tacpay_r_', env.ctx.now()), ...byOrder(p, env) };
    const body = await call(env, 'refund', params);
    return { refund_id: params.refund_id, ...body };
  },

  async query_refund(p, env) {
    const r = env.store.refund(env.offerId, str(p.refund_id));
    const user = r ? env.store.orderById(r.order_id)?.user_id : undefined;
    return call(env, 'query_refund', { ...p, user_id: p.user_id ?? user ?? 'tacpayuser1' });
  },
};

/** JUnit XML of a run: a case per step. */
export async function writeJunit(file: string, r: ScenarioReport, ctx: Ctx): Promise<string> {
  const { junitXml } = await import('./simulate-junit.js');
  const xml = junitXml({
    // XML cannot carry most control characters at all: the name goes in escaped, as on a terminal.
    name: `tacpay scenario ${inert(r.scenario, { singleLine: true })}`,
    timestamp: new Date(Date.now() - r.durationMs),
    timeS: r.durationMs / 1000,
    cases: r.steps.map((s) => ({
      name: `${s.id} (${s.action})`,
      className: `tacpay.scenario.${inert(r.scenario, { singleLine: true })}`,
      timeS: s.durationMs / 1000,
      status: s.status,
      ...(s.status === 'failed' ? { failure: failureText(s) } : {}),
      ...(s.result ? { output: JSON.stringify(s.result, null, 2) } : {}),
    })),
  });
  const path = resolve(ctx.cwd, file);
  try {
    // CI scripts name a report in a directory that does not exist yet (reports/...): make it, with a
    // walk that ends (recursive mkdirSync loops for ever under /proc).
    const { makeDirs } = await import('../../sandbox/make-dirs.js');
    makeDirs(dirname(path), 0o755);
    writeFileSync(path, xml);
  } catch (err) {
    throw new TacpayError(`cannot write the JUnit report ${inert(file, { singleLine: true })}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'check that its directory is writable');
  }
  return path;
}

export function failureText(s: StepReport): string {
  if (s.error) return s.error;
  return (s.mismatches ?? []).map((m) => `expected ${m.path} = ${JSON.stringify(m.expected)}, got ${JSON.stringify(m.actual) ?? 'nothing'}`).join('; ');
}

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
      action<ScenarioOptions>(app, async (opts, ctx, args) => {
        if (opts.list) {
          const list = listBuiltins();
          if (ctx.json) writeJson(ctx.stdout, { scenarios: list });
          else ctx.stdout.write(table(['NAME', 'STEPS', 'DESCRIPTION'], list.map((s) => [inert(s.name, { singleLine: true }), String(s.steps), inert(s.description, { singleLine: true })]), (h) => ctx.color.bold(h)));
          return 0;
        }
        if (args[0] === undefined) throw new UsageError('which scenario? give a name or a file', 'tacpay simulate scenario --list shows the built-in ones');
        const { scenario, source } = await loadScenario(args[0], ctx);
        if (!ctx.json) ctx.note(`scenario ${inert(scenario.name, { singleLine: true })}: ${scenario.steps.length} step${scenario.steps.length === 1 ? '' : 's'} against ${opts.sandboxDir !== undefined ? 'the sandbox of --sandbox-dir' : 'a fresh sandbox'}`);
        const r = await runScenario(scenario, source, opts, ctx, ctx.json ? undefined : (s) => ctx.stdout.write(stepLine(s, ctx)));
        if (opts.junit) {
          const path = await writeJunit(opts.junit, r, ctx);
          if (!ctx.json) ctx.note(`JUnit report: ${inert(path, { singleLine: true })}`);
        }
        if (ctx.json) writeJson(ctx.stdout, r);
        else ctx.stdout.write(summaryLine(r, ctx));
        if (r.dataDir && !ctx.json) ctx.note(`sandbox data ${opts.sandboxDir !== undefined ? 'left in place' : 'kept'} at ${inert(r.dataDir, { singleLine: true })}`);
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
