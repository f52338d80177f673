/** The network-wait spinner: silent for fast answers, on a terminal only, gone once the call settles. */
import { clearLine, cursorTo, moveCursor } from 'node:readline';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Ctx } from '../../src/cli/context.js';
import { startWaiting } from '../../src/cli/wait-spinner.js';

function fakeCtx(opts: { tty: boolean; json?: boolean; env?: Record<string, string> }): { ctx: Ctx; written: () => string } {
  let out = '';
  // What a tty.WriteStream adds that the spinner uses, writing the same escapes node:readline does.
  const stream: PassThrough = Object.assign(new PassThrough(), {
    isTTY: opts.tty,
    columns: 80,
    cursorTo: (x: number, y?: unknown, cb?: unknown) => cursorTo(stream, x, y as undefined, cb as undefined),
    moveCursor: (dx: number, dy: number, cb?: unknown) => moveCursor(stream, dx, dy, cb as undefined),
    clearLine: (dir: -1 | 0 | 1, cb?: unknown) => clearLine(stream, dir, cb as undefined),
  });
  stream.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const ctx = {
    json: Boolean(opts.json),
    env: opts.env ?? {},
    tty: { stdin: false, stdout: false, stderr: opts.tty },
    stderr: { write: (s: string) => stream.write(s), isTTY: opts.tty, writableStream: () => stream },
    importModule: (s: string) => import(s),
  } as unknown as Ctx;
  return { ctx, written: () => out };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('startWaiting', () => {
  // yocto-spinner draws only when the process is not in CI; the CI of this repo sets CI.
  let ci: string | undefined;
  beforeEach(() => {
    ci = process.env.CI;
    delete process.env.CI;
  });
  afterEach(() => {
    if (ci !== undefined) process.env.CI = ci;
  });

  it('draws nothing for a call that settles within 300 ms', async () => {
    const { ctx, written } = fakeCtx({ tty: true });
    const w = startWaiting(ctx, 'waiting for 127.0.0.1:4010 (query_order)');
    await sleep(100);
    w.stop();
    await sleep(400);
    expect(written()).toBe('');
  });

  it('after 300 ms shows the host and the elapsed time, and clears its line when stopped', async () => {
    const { ctx, written } = fakeCtx({ tty: true });
    const w = startWaiting(ctx, 'waiting for api.openmidas.com (unified_order)');
    await sleep(700);
    const during = written();
    expect(during).toMatch(/waiting for api\.openmidas\.com \(unified_order\) 0\.\d s/);
    w.stop();
    const after = written().slice(during.length);
    // The line is erased (cursor to column 0, clear line) and the cursor shown again.
    expect(after).toMatch(/\x1b\[2K|\x1b\[\d*G/);
    expect(after).toContain('\x1b[?25h');
    await sleep(250);
    expect(written().length).toBe(during.length + after.length);
  });

  it('stays silent on a pipe, with --json, in CI and on TERM=dumb', async () => {
    const cases: Array<{ tty: boolean; json?: boolean; env?: Record<string, string> }> = [{ tty: false }, { tty: true, json: true }, { tty: true, env: { CI: 'true' } }, { tty: true, env: { TERM: 'dumb' } }];
    for (const o of cases) {
      const { ctx, written } = fakeCtx(o);
      const w = startWaiting(ctx, 'waiting');
      await sleep(450);
      w.stop();
      expect(written(), JSON.stringify(o)).toBe('');
    }
  });
});
