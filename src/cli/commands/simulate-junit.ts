/**
 * JUnit XML for `simulate scenario --junit`, built with junit-report-builder (escaping, counts and
 * timing are its job, not string concatenation). Required at run time through createRequire, which
 * the bundler cannot follow: it stays in node_modules instead of adding ~160 KB that V8 would
 * pre-parse on every `tacpay` start.
 */
import { createRequire } from 'node:module';
import type { Builder } from 'junit-report-builder';

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
