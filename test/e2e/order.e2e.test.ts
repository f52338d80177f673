/**
 * `tacpay order create` as a user runs it, from the built bin: with nothing configured it starts the
 * built-in sandbox in-process (the README's first command), and with `tacpay sandbox start` running
 * on the same data dir it reuses that one. Build first (node scripts/build.mjs).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanEnv, json, spawnCli, tempDir } from '../helpers/cli.js';
import { exitWithin, killAll, startSandboxProcess } from '../helpers/sandbox-process.js';

afterEach(killAll);

describe('order create from the built CLI', () => {
  it('works with no credentials and no network: embedded sandbox, verified pay_info, exit 0', async () => {
    const env = cleanEnv();
    const r = await spawnCli(['order', 'create', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const doc = json(r);
    expect(doc.target.kind).toBe('sandbox-embedded');
    expect(doc.response).toMatchObject({ ret: 0, transaction_id: expect.stringMatching(/^E-\d{18}$/) });
    expect(doc.payInfo.signature.status).toBe('verified');
    expect(r.stderr).toMatch(/no credentials configured: using the built-in sandbox/);
    // The order persists in the default data dir (under HOME): the same CLI can query it afterwards.
    const q = await spawnCli(['order', 'query', '--out-trade-no', doc.response.out_trade_no, '--json'], { env });
    expect(json(q).response).toMatchObject({ ret: 0, order_state: '0', amount: 1 });
  });

  it('reuses a running `tacpay sandbox start` on the same data dir', async () => {
    const dir = join(tempDir(), 'sandbox');
    const env = cleanEnv({ TACPAY_SANDBOX_DIR: dir });
    const s = await startSandboxProcess(['--port', '0', '--data', dir, '--json'], 15_000, env);
    const { url } = JSON.parse(s.readyLine) as { url: string };
    const r = await spawnCli(['order', 'create', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(json(r).target).toMatchObject({ kind: 'sandbox-running', baseUrl: url });
    expect(r.stderr).toMatch(new RegExp(`using the sandbox running at ${url.replace(/[.]/g, '\\.')}`));
    s.child.kill('SIGTERM');
    expect((await exitWithin(s)).code).toBe(0);
  });

  it('human output on a pipe has no colour and the pay_info on its own line', async () => {
    const r = await spawnCli(['order', 'create', '--amount-yuan', '0.01'], { env: cleanEnv() });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/\u001b\[/);
    expect(r.stdout.split('\n')).toContainEqual(expect.stringMatching(/^data=%7B%22appid%22%3A%22TC\d+%22.*&sign=[A-Za-z0-9%]+$/));
  });
});
