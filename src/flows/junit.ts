/**
 * JUnit XML for `simulate scenario --junit` (and runScenario's junit option), built with junit-report-builder (escaping, counts and
 * timing are its job, not string concatenation). Required at run time through createRequire, which
 * the bundler cannot follow: it stays in node_modules instead of adding ~160 KB that V8 would
 * pre-parse on every `tacpay` start.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import type { Builder } from 'junit-report-builder';
import { inert } from '../core/inert.js';
import { TacpayError } from '../errors.js';
import { failureText, type ScenarioReport } from './scenario.js';

export interface JunitCase {
  name: string;
  className: string;
  timeS: number;
  status: 'passed' | 'failed' | 'skipped';
  failure?: string;
  output?: string;
}

/** One <testsuites> document with one suite of cases. */
export function junitXml(suite: { name: string; timestamp: Date; timeS: number; cases: readonly JunitCase[] }): string {
  const load = createRequire(import.meta.url);
  const mod = load('junit-report-builder') as { default?: Builder } & Builder;
  const builder = (mod.default ?? mod).newBuilder();
  const s = builder.testSuite().name(suite.name).timestamp(suite.timestamp).time(suite.timeS);
  for (const c of suite.cases) {
    const tc = s.testCase().className(c.className).name(c.name).time(c.timeS);
    if (c.status === 'failed') tc.failure(c.failure ?? 'failed', 'ExpectationFailed');
    if (c.status === 'skipped') tc.skipped();
    if (c.output) tc.standardOutput(c.output);
  }
  return builder.build();
}

/** Writes the JUnit XML of a scenario run (a case per step) to `file`, relative to `cwd`; returns the path written. */
export async function writeScenarioJunit(file: string, r: ScenarioReport, cwd: string): Promise<string> {
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
  const path = resolve(cwd, file);
  try {
    // CI scripts name a report in a directory that does not exist yet (reports/...): make it, with a
    // walk that ends (recursive mkdirSync loops for ever under /proc).
    const { makeDirs } = await import('../sandbox/make-dirs.js');
    makeDirs(dirname(path), 0o755);
    writeFileSync(path, xml);
  } catch (err) {
    throw new TacpayError(`cannot write the JUnit report ${inert(file, { singleLine: true })}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'check that its directory is writable');
  }
  return path;
}
