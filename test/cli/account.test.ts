// `tacpay account ...` against the built-in sandbox, as a user runs it: the hosted-account calls
// signed like the order API, their answers shown, failures as one line with the ret's hint.
import { describe, expect, it } from 'vitest';
import { cleanEnv, json, runCli, tempDir } from '../helpers/cli.js';

describe('tacpay account', () => {
  const env = cleanEnv({ TACPAY_SANDBOX_DIR: tempDir('tacpay-account-') });
  const run = (args: string[]) => runCli(['account', ...args], { env });

  it('save, present, pay (gifted part first), cancel-pay and balance on the sandbox', async () => {
    expect((await run(['save', '--user-id', 'acct1', '--amt', '1000', '--billno', 's1'])).code).toBe(0);
    expect((await run(['present', '--user-id', 'acct1', '--amt', '100', '--billno', 'g1'])).code).toBe(0);
    const pay = json(await run(['pay', '--user-id', 'acct1', '--amt', '300', '--billno', 'p1', '--json']));
    expect(pay.account).toMatch(/^TC\d+_001$/);
    expect(pay.response).toMatchObject({ ret: 0, balance: 800, gen_balance: 0, used_gen_amt: 100 });
    expect(json(await run(['cancel-pay', '--user-id', 'acct1', '--billno', 'p1', '--json'])).response).toMatchObject({ balance: 1100, gen_balance: 100 });
    const balance = await run(['balance', '--user-id', 'acct1']);
    expect(balance.stdout).toMatch(/balance +1100 fen/);
    expect(balance.stdout).toMatch(/save_amt +1000 fen/);
  });

  it('a pay larger than the balance fails with ret 1012 and its hint; bad flags are usage errors', async () => {
    const r = await run(['pay', '--user-id', 'acct2', '--amt', '5']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: pay failed: ret 1012, balance 0 of user_id acct2 is less than amt 5\nhint: top the account up/);
    expect((await run(['pay', '--user-id', 'acct2', '--amt', '1.5'])).code).toBe(2);
    expect((await run(['balance', '--user-id', 'acct2', '--account', 'TC1-005'])).code).toBe(2);
    expect((await run(['pay', '--amt', '1'])).code).toBe(2);
  });

  it('sandbox merchant add takes a hosted-account id, which then signs with keys of its own', async () => {
    const add = await runCli(['sandbox', 'merchant', 'add', '--offer-id', 'TC200001_007', '--json'], { env });
    expect(add.code, add.stderr).toBe(0);
    const r = json(await run(['save', '--user-id', 'acct3', '--amt', '50', '--offer-id', 'TC200001_007', '--account', 'TC200001_007', '--json']));
    expect(r).toMatchObject({ account: 'TC200001_007', response: { ret: 0, balance: 50 } });
    expect((await runCli(['sandbox', 'merchant', 'add', '--offer-id', 'TC2000_01_7'], { env })).code).toBe(2);
  });
});
