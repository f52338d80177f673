/**
 * A scenario run: a whole payment flow against a sandbox, for CI smoke tests and for a merchant's
 * own test suite. Each run gets a fresh sandbox in a temp dir (nothing shared, nothing left behind,
 * even when cancelled), or the sandbox of a data dir the merchant's handler knows the key of; a
 * built-in notify handler that verifies every notification and answers as the scenario scripts it
 * (or the merchant's own handler at `notifyUrl`); then the steps in order through the real order API
 * over HTTP. After a failed step the rest are skipped (they build on it).
 *
 * Progress goes out through `onStep`; cancellation comes in through the FlowEnv's signal (the CLI
 * turns SIGINT/SIGTERM into it, with the signal's name as the reason). The CLI and the library
 * (`runScenario` in src/lib) both call this.
 */
import type { Scenario } from '../core/scenario.js';
import { Cancelled } from '../errors.js';
import type { FlowEnv } from './env.js';
import { openScenarioSandbox, type ScenarioSandbox } from './scenario-sandbox.js';
import { runStep, skipped, type StepEnv, type StepReport } from './scenario-steps.js';

export type { StepReport } from './scenario-steps.js';

export interface ScenarioRunOptions {
  /** Scale of the notification retry schedule; default the scenario's own (itself default 0.001). */
  retryScale?: number | undefined;
  /** Per API call and per notification attempt. */
  timeoutMs: number;
  /** Deliver notifications to this handler instead of the built-in one. */
  notifyUrl?: string | undefined;
  /** Keep the temp data dir (its path is in the report). */
  keep?: boolean | undefined;
  /** Run against the sandbox of this data dir (relative to env.cwd) instead of a fresh one. */
  sandboxDir?: string | undefined;
  /** Called as each step finishes. */
  onStep?: ((step: StepReport) => void) | undefined;
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

/** Why a step failed, as one line: its error, or each expectation that did not hold. */
export function failureText(s: StepReport): string {
  if (s.error) return s.error;
  return (s.mismatches ?? []).map((m) => `expected ${m.path} = ${JSON.stringify(m.expected)}, got ${JSON.stringify(m.actual) ?? 'nothing'}`).join('; ');
}

/** Resolves with the abort reason (a signal's name from the CLI) once `signal` aborts. */
function whenAborted(signal: AbortSignal | undefined): { aborted: Promise<string>; dispose(): void } {
  if (!signal) return { aborted: new Promise(() => {}), dispose: () => {} };
  const reasonOf = (): string => (typeof signal.reason === 'string' ? signal.reason : 'aborted');
  let onAbort = (): void => {};
  const aborted = new Promise<string>((resolve) => {
    onAbort = () => resolve(reasonOf());
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return { aborted, dispose: () => signal.removeEventListener('abort', onAbort) };
}

/**
 * Runs `scenario` (read from `source`, shown in the report). A cancelled run cleans everything up
 * first, then throws Cancelled (exit 130 in the CLI). Step failures are in the report, not thrown.
 */
export async function runScenario(scenario: Scenario, source: string, opts: ScenarioRunOptions, env: FlowEnv): Promise<ScenarioReport> {
  const retryScale = opts.retryScale ?? scenario.retryScale;
  const started = Date.now();
  // Listening before the temp dir exists: an abort at any moment after it is made finds a clean-up.
  const stop = whenAborted(env.signal);
  let reason: string | undefined;
  const stopped = stop.aborted.then((r) => (reason = r));
  let sb: ScenarioSandbox | undefined;
  try {
    if (env.signal?.aborted) throw new Cancelled(`cancelled (${await stopped})`);
    sb = await openScenarioSandbox({ sandboxDir: opts.sandboxDir, keep: opts.keep, retryScale, timeoutMs: opts.timeoutMs }, env);
    const stepEnv = await prepare(scenario, sb, opts, retryScale, env);
    const results: Record<string, unknown> = {};
    const steps: StepReport[] = [];
    let failed = false;
    for (const step of scenario.steps) {
      if (reason) break;
      let report: StepReport;
      if (failed) report = skipped(step);
      else {
        const running = runStep(step, results, stepEnv);
        // The step is abandoned, not awaited, once cancelled: its late failure (the store is closed under it) is expected.
        running.catch(() => {});
        const r = await Promise.race([running, stopped]);
        if (typeof r === 'string') break;
        report = r;
      }
      if (report.status === 'failed') failed = true;
      if (report.result) results[step.id] = report.result;
      steps.push(report);
      opts.onStep?.(report);
    }
    if (reason) {
      env.note(`${reason}: stopping after ${steps.length} of ${scenario.steps.length} steps (the sandbox stops${sb.temporary ? ' and its temp dir goes' : ''})`);
      throw new Cancelled(`cancelled (${reason})`);
    }
    const count = (status: StepReport['status']): number => steps.filter((s) => s.status === status).length;
    return {
      scenario: scenario.name,
      description: scenario.description,
      source,
      passed: count('passed'),
      failed: count('failed'),
      skipped: count('skipped'),
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

/** The handler (built-in unless notifyUrl), the merchant's notify URL and a signing client, all closed with the sandbox. */
async function prepare(scenario: Scenario, sb: ScenarioSandbox, opts: ScenarioRunOptions, retryScale: number, env: FlowEnv): Promise<StepEnv> {
  const { startReceiver } = await import('../sandbox/notify-receiver.js');
  const { OrderClient } = await import('../client/order-client.js');
  const { createPrivateKey, createPublicKey } = await import('node:crypto');
  const { merchant, store } = sb;
  const platformPublicKey = createPublicKey(sb.platformPublicPem);
  const replies = scenario.receiverReplies;
  const receiver =
    opts.notifyUrl !== undefined
      ? undefined
      : await startReceiver({
          keysFor: (appid) => (appid === merchant.offer_id ? { offerKey: merchant.offer_key, platformPublicKey } : undefined),
          replyTo: (n) => (replies[Math.min(n, replies.length) - 1] === 'ok' ? { ret: 0, msg: 'ok' } : { ret: -1, msg: 'scenario: this attempt is scripted to fail' }),
          now: () => env.now(),
        });
  if (receiver) sb.onClose(() => receiver.close());
  else if (replies.includes('fail')) {
    env.warn(`the scenario scripts the built-in handler's replies (${replies.join(', ')}); with --notify-url your handler answers instead, so expectations about failed attempts may not hold`);
  }
  sb.setNotifyUrl(opts.notifyUrl ?? receiver!.url);
  const client = new OrderClient({
    baseUrl: sb.url,
    credentials: { offerId: merchant.offer_id, offerKey: merchant.offer_key, privateKey: createPrivateKey(merchant.private_key_pem) },
    tsMode: 'beijing-naive',
    now: () => env.now(),
    retries: 0,
    totalTimeoutMs: opts.timeoutMs,
  });
  sb.onClose(() => client.close());
  return { now: () => env.now(), store, offerId: merchant.offer_id, offerKey: merchant.offer_key, platformPublicKey, client, retryScale, receiver, scenarioName: scenario.name };
}
