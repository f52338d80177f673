/**
 * `simulate notify --to <a handler that is down>`: before the first attempt it says on stderr the
 * schedule it will follow (the intervals, the total, Ctrl-C, how to shorten it), and each wait as it
 * starts. At scale 1 that is three hours in the foreground; the built CLI is stopped with SIGINT.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { durationText, scheduleNotice, waitNotice } from '../../src/cli/commands/simulate/notify-schedule.js';
import { cleanEnv, json, runCli, tempDir } from '../helpers/cli.js';
import { spawnRunning } from '../helpers/running-cli.js';
import { exitWithin, killAll, until } from '../helpers/sandbox-process.js';
import { downUrl } from '../sandbox/notify-handlers.js';

afterEach(killAll);
const env = cleanEnv();

describe('simulate notify: the retry schedule, said before it is followed', () => {
  it('at scale 1: the production intervals and 3 h 4 min, Ctrl-C and --retry-scale named; the 15 s wait shown; SIGINT ends it (130)', async () => {
    const data = join(tempDir('tacpay-sched-'), 'data');
    const run = spawnRunning(['simulate', 'notify', '--to', await downUrl(), '--data', data], env);
    await until(() => /waiting 15 s before attempt 2 of 10; Ctrl-C stops/.test(run.err()), 'the first wait');
    const lines = run.err().split('\n');
    const notice = lines.findIndex((l) => l.startsWith('until the handler accepts'));
    expect(lines[notice]).toBe(
      'until the handler accepts, up to 10 attempts on the production schedule: waits of 15 s, 15 s, 30 s, 3 min, 30 min, 30 min, 30 min, 30 min, 1 h ' +
        '(3 h 4 min in all, plus up to 5 s per attempt); Ctrl-C stops; --retry-scale 0.001 shortens it (15 s becomes 15 ms), --no-retry sends once',
    );
    // Said before the first attempt went out, not after.
    expect(run.out()).toMatch(/^attempt 1 .*next attempt in 15 s$/m);
    run.child.kill('SIGINT');
    expect((await exitWithin(run, 5000)).code).toBe(130);
    expect(run.out()).toMatch(/stopped after 1 attempt, not delivered/);
  });

  it('scaled: the scaled waits, each retry announced; stdout stays one JSON document', async () => {
    const data = join(tempDir('tacpay-sched-'), 'data');
    const r = await runCli(['--json', 'simulate', 'notify', '--to', await downUrl(), '--data', data, '--retry-scale', '0.0001'], { env });
    expect(r.code).toBe(1);
    expect(json(r).attempts).toHaveLength(10);
    expect(r.stderr).toContain('up to 10 attempts on the schedule scaled by 0.0001: waits of 2 ms, 2 ms, 3 ms, 18 ms, 180 ms, 180 ms, 180 ms, 180 ms, 360 ms (1.1 s in all, plus up to 5 s per attempt); Ctrl-C stops\n');
    const waits = r.stderr.split('\n').filter((l) => l.startsWith('waiting '));
    expect(waits).toHaveLength(9);
    expect(waits[0]).toBe('waiting 2 ms before attempt 2 of 10; Ctrl-C stops');
    expect(waits[8]).toBe('waiting 360 ms before attempt 10 of 10; Ctrl-C stops');
  });

  it('--no-retry: one attempt, said as such, no waits', async () => {
    const data = join(tempDir('tacpay-sched-'), 'data');
    const r = await runCli(['simulate', 'notify', '--to', await downUrl(), '--data', data, '--no-retry'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^one attempt only \(--no-retry\)$/m);
    expect(r.stderr).not.toMatch(/waiting/);
  });

  it('durations read as people say them; a long wait says until when', () => {
    expect([15, 1800, 15_000, 180_000, 3_600_000, 11_040_000, 90_500].map(durationText)).toEqual(['15 ms', '1.8 s', '15 s', '3 min', '1 h', '3 h 4 min', '1 min 31 s']);
    expect(waitNotice(6, 1_800_000, new Date('2026-01-01T00:00:00.250Z'))).toBe('waiting 30 min before attempt 6 of 10 (at 2026-01-01T00:30:00Z); Ctrl-C stops');
    expect(scheduleNotice({ retry: true, retryScale: 1, timeoutMs: 5000 })).toContain('(3 h 4 min in all');
  });
});
