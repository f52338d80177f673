/**
 * Scenarios from a test suite: the same run as `tacpay simulate scenario` (a fresh sandbox, the
 * built-in handler or yours, the steps through the real order API), the same report as its --json.
 */
import { parseRetryScale } from '../core/notification.js';
import type { ScenarioReport, StepReport } from '../flows/scenario.js';
import { runScenario as runFlow } from '../flows/scenario.js';
import { checkScenario, findScenario, listBuiltins, readScenario, unknownScenarioHint } from '../flows/scenario-file.js';
import { flowEnv } from '../flows/env.js';
import { TacpayLibError } from './errors.js';

export type { ScenarioReport, StepReport } from '../flows/scenario.js';

export interface RunScenarioOptions {
  /** Scale of the notification retry schedule, above 0 and at most 1; default the scenario's own (0.001 unless it says). */
  retryScale?: number;
  /** Per API call and per notification attempt, in ms. Default 10000. */
  timeoutMs?: number;
  /** Send the notifications to your handler instead of the built-in one (use with sandboxDir, so it can know the platform key). */
  notifyUrl?: string;
  /** Run against the sandbox of this data dir (its platform key and default merchant; its data stays) instead of a fresh one. */
  sandboxDir?: string;
  /** Keep the fresh sandbox's temp dir (its path is report.dataDir). */
  keep?: boolean;
  /** Also write a JUnit XML report to this file. */
  junit?: string;
  /** Called as each step finishes. */
  onStep?: (step: StepReport) => void;
  /** Aborting it stops the run, cleans up, and rejects with a TacpayError whose code is 'cancelled'. */
  signal?: AbortSignal;
  /** Where relative paths (a scenario file, sandboxDir, junit) start; default process.cwd(). */
  cwd?: string;
}

/** The built-in scenarios: name, description, step count. */
export function listScenarios(): Array<{ name: string; description: string; steps: number }> {
  return listBuiltins().map(({ name, description, steps }) => ({ name, description, steps }));
}

function checked(options: RunScenarioOptions): { retryScale?: number; timeoutMs: number } {
  let retryScale: number | undefined;
  if (options.retryScale !== undefined) {
    retryScale = typeof options.retryScale === 'number' ? parseRetryScale(String(options.retryScale)) : undefined;
    if (retryScale === undefined) throw new TacpayLibError(`retryScale must be a number above 0 and at most 1, not ${String(options.retryScale)}`, 'scenario.retry-scale', 'e.g. 0.001: the 15 s first retry after 15 ms');
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new TacpayLibError(`timeoutMs must be a whole number of milliseconds from 1, not ${String(timeoutMs)}`, 'scenario.timeout', 'e.g. 5000');
  if (options.notifyUrl !== undefined && !/^https?:\/\//i.test(options.notifyUrl)) throw new TacpayLibError('notifyUrl must be an http:// or https:// URL', 'scenario.notify-url', 'e.g. http://127.0.0.1:3000/notify');
  if (options.sandboxDir === '') throw new TacpayLibError('sandboxDir is empty', 'scenario.sandbox-dir', 'give the data dir of a sandbox, or leave it out for a fresh one');
  return { ...(retryScale !== undefined ? { retryScale } : {}), timeoutMs };
}

/**
 * Runs a built-in scenario by name, a scenario JSON file by path, or a scenario object; resolves with
 * the report (`report.failed` counts the failed steps: a failed step is a result, not a rejection).
 * @example const report = await runScenario('happy-path'); expect(report.failed).toBe(0)
 */
export async function runScenario(nameOrObject: string | object, options: RunScenarioOptions = {}): Promise<ScenarioReport> {
  const { retryScale, timeoutMs } = checked(options);
  const env = flowEnv({ ...(options.cwd !== undefined ? { cwd: options.cwd } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  let loaded;
  if (typeof nameOrObject === 'string') {
    const file = findScenario(nameOrObject, env.cwd);
    if (file === undefined) throw new TacpayLibError(`no scenario file or built-in scenario ${JSON.stringify(nameOrObject)}`, 'scenario.unknown', unknownScenarioHint());
    loaded = await readScenario(file);
  } else {
    loaded = { scenario: await checkScenario(nameOrObject, 'scenario', 'the scenario object'), source: 'object' };
  }
  const report = await runFlow(
    loaded.scenario,
    loaded.source,
    {
      timeoutMs,
      ...(retryScale !== undefined ? { retryScale } : {}),
      ...(options.notifyUrl !== undefined ? { notifyUrl: options.notifyUrl } : {}),
      ...(options.sandboxDir !== undefined ? { sandboxDir: options.sandboxDir } : {}),
      ...(options.keep ? { keep: true } : {}),
      ...(options.onStep ? { onStep: options.onStep } : {}),
    },
    env,
  );
  if (options.junit !== undefined) {
    const { writeScenarioJunit } = await import('../flows/junit.js');
    await writeScenarioJunit(options.junit, report, env.cwd);
  }
  return report;
}
