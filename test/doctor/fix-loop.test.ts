// The --fix loop as a unit (src/doctor/fix-loop.ts): typed input, a real copy of a fixture project
// in a temp dir, and a confirm callback that says yes or no. The skip list (skipMap) beside it.
import { cpSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS, fixLoop, runDoctor, skipMap, type FixPlan, type GatherInput } from '../../src/doctor/index.js';
import { TacpayError } from '../../src/errors.js';
import { tempDir } from '../helpers/cli.js';
import { PROJECTS } from './helpers.js';

function copy(v: string): string {
  const dir = join(tempDir('tacpay-fix-loop-'), 'project');
  cpSync(join(PROJECTS, v), dir, { recursive: true });
  return dir;
}

const origin = 'test';
const config = { offerId: { value: 'TC101983', origin }, wechatAppId: { value: 'wx5e1f3c9a2b7d4e60', origin }, qqAppId: { value: '1107123456', origin } };
const input = (root: string): GatherInput => ({ root, paths: {}, config });
const failed = (r: { report: { checks: Array<{ id: string; status: string }> } }) => r.report.checks.filter((c) => c.status === 'fail').map((c) => c.id).sort();

describe('fixLoop', () => {
  it('confirm says yes: writes the plan, re-runs the checks, and the fixed checks pass', async () => {
    const root = copy('ios-native/broken-schemes');
    const plist = join(root, 'TacShop/Info.plist');
    const before = readFileSync(plist, 'utf8');
    const first = await runDoctor(input(root));
    expect(failed(first)).toEqual(['ios.build-phases', 'ios.qqwallet-url-scheme', 'ios.query-schemes', 'ios.tac-wechat-app-id', 'ios.wechat-url-scheme']);
    const seen: string[] = [];
    const outcome = await fixLoop(first, input(root), {}, {
      onPlan: (plan) => seen.push(`plan ${plan.edits.map((e) => e.path).join(',')}`),
      confirm: async (plan) => {
        seen.push(`confirm ${plan.edits.length}`);
        // Asked before anything is written.
        expect(readFileSync(plist, 'utf8')).toBe(before);
        return true;
      },
    });
    expect(seen).toEqual(['plan TacShop/Info.plist', 'confirm 1']);
    expect(outcome.status).toBe('written');
    if (outcome.status !== 'written') return;
    expect(outcome.written).toEqual(['TacShop/Info.plist']);
    expect(readFileSync(plist, 'utf8')).toBe(outcome.plan.edits[0]!.after);
    expect(readFileSync(plist, 'utf8')).toContain('<string>wx5e1f3c9a2b7d4e60</string>');
    // What --fix cannot do (pbxproj build phases) still fails after.
    expect(failed(outcome.after)).toEqual(['ios.build-phases']);
    expect(outcome.after.report.exitCode).toBe(1);
  });

  it('confirm says no: nothing is written and the outcome says so', async () => {
    const root = copy('ios-native/broken-schemes');
    const plist = join(root, 'TacShop/Info.plist');
    const before = readFileSync(plist, 'utf8');
    let asked: FixPlan | undefined;
    const outcome = await fixLoop(await runDoctor(input(root)), input(root), {}, {
      confirm: async (plan) => {
        asked = plan;
        return false;
      },
    });
    expect(outcome).toEqual({ status: 'not-confirmed', plan: asked });
    expect(asked!.edits.map((e) => e.changes.length)).toEqual([expect.any(Number)]);
    expect(readFileSync(plist, 'utf8')).toBe(before);
  });

  it('nothing to fix: confirm is never asked', async () => {
    const root = copy('ios-native/good');
    let asked = 0;
    let planned = 0;
    const outcome = await fixLoop(await runDoctor(input(root)), input(root), {}, {
      onPlan: () => planned++,
      confirm: async () => {
        asked++;
        return true;
      },
    });
    expect(outcome.status).toBe('nothing-to-fix');
    expect(outcome.plan.edits).toEqual([]);
    expect([planned, asked]).toEqual([1, 0]);
  });

  it('a file changed between plan and write: a TacpayError with a hint, and the file keeps the change made meanwhile', async () => {
    const root = copy('ios-native/broken-schemes');
    const plist = join(root, 'TacShop/Info.plist');
    const edited = readFileSync(plist, 'utf8').replace('</dict>\n</plist>', '\t<key>Edited</key>\n\t<string>meanwhile</string>\n</dict>\n</plist>');
    const err = await fixLoop(await runDoctor(input(root)), input(root), {}, {
      confirm: async () => {
        writeFileSync(plist, edited);
        return true;
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TacpayError);
    expect((err as TacpayError).hint).toBe('run tacpay doctor --fix again: it plans from the file as it is now');
    expect(readFileSync(plist, 'utf8')).toBe(edited);
  });

  it('a file gone before the write: the error names it and its code; nothing is left behind', async () => {
    const root = copy('ios-native/broken-schemes');
    const dir = join(root, 'TacShop');
    const err = await fixLoop(await runDoctor(input(root)), input(root), {}, {
      confirm: async () => {
        rmSync(join(dir, 'Info.plist'));
        return true;
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TacpayError);
    expect((err as TacpayError).message).toBe('could not write TacShop/Info.plist (ENOENT)');
    expect((err as TacpayError).hint).toBe('check the file permissions; the file was left as it was');
    expect(readdirSync(dir).filter((n) => n.includes('Info.plist'))).toEqual([]);
  });

  it('a file that became a link out of the project: refused, and the file outside is untouched', async () => {
    const root = copy('ios-native/broken-schemes');
    const plist = join(root, 'TacShop/Info.plist');
    const outside = join(tempDir('tacpay-fix-loop-outside-'), 'Info.plist');
    const text = readFileSync(plist, 'utf8');
    const err = await fixLoop(await runDoctor(input(root)), input(root), {}, {
      confirm: async () => {
        writeFileSync(outside, text);
        rmSync(plist);
        symlinkSync(outside, plist);
        return true;
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TacpayError);
    expect((err as TacpayError).message).toBe('TacShop/Info.plist is outside the project directory; not written');
    expect((err as TacpayError).hint).toBe('run tacpay doctor on the directory that holds the file');
    expect(readFileSync(outside, 'utf8')).toBe(text);
  });
});

describe('skipMap', () => {
  it('a category names all its checks, a check id itself; the first source to name a check gives the reason', () => {
    const skip = skipMap(CHECKS, [
      { ids: ['android.repositories'], why: 'doctor.skip in tacpay.config.json' },
      { ids: ['android', 'ios.wechat-url-scheme'], why: '--skip' },
    ]);
    const android = CHECKS.filter((c) => c.category === 'android').map((c) => c.id);
    expect(android.length).toBeGreaterThan(5);
    expect([...skip.keys()].sort()).toEqual([...android, 'ios.wechat-url-scheme'].sort());
    expect(skip.get('android.repositories')).toBe('doctor.skip in tacpay.config.json');
    expect(skip.get('android.qqwallet-scheme')).toBe('--skip');
    expect(skip.get('ios.wechat-url-scheme')).toBe('--skip');
  });

  it('passes over ids that are neither a check nor a category', () => {
    expect(skipMap(CHECKS, [{ ids: ['no.such', 'nothing'], why: '--skip' }]).size).toBe(0);
  });

  it('runs as skipped what it names', async () => {
    const root = copy('ios-native/broken-schemes');
    const r = await runDoctor(input(root), { skip: skipMap(CHECKS, [{ ids: ['ios.build-phases'], why: '--skip' }]) });
    expect(r.report.checks.find((c) => c.id === 'ios.build-phases')).toMatchObject({ status: 'skip', summary: 'skipped by --skip' });
  });
});
