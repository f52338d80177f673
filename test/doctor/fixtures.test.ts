// Whole fixture project trees, good and broken, through the real command (in-process): each
// variant's expect.json names exactly the check ids that must fail and warn; nothing else may.
import { describe, expect, it } from 'vitest';
import { cleanEnv, json, runCli } from '../helpers/cli.js';
import { variants } from './helpers.js';

const all = variants();

interface Check {
  id: string;
  status: string;
  category: string;
}

describe('fixture projects', () => {
  it('has a correct and several broken variants for each of the four layouts', () => {
    for (const platform of ['ios-native', 'android-native', 'react-native', 'flutter']) {
      const mine = all.filter((v) => v.name.startsWith(`${platform}/`));
      expect(mine.some((v) => v.name.endsWith('/good')), platform).toBe(true);
      expect(mine.filter((v) => v.expect.fail.length > 0).length, platform).toBeGreaterThanOrEqual(2);
    }
  });

  for (const v of all.filter((x) => x.expect.noProject)) {
    it(`${v.name}: no app to check: one error naming ${v.expect.noProject!.mentions.join(', ')}`, async () => {
      const r = await runCli(['doctor', v.dir, '--json', ...(v.expect.args ?? [])], { env: cleanEnv(), cwd: v.dir });
      expect(r.code).toBe(1);
      const doc = json<{ error: { message: string; hint?: string }; checks?: unknown }>(r);
      expect(doc.checks).toBeUndefined();
      const text = `${doc.error.message} ${doc.error.hint ?? ''}`;
      for (const m of v.expect.noProject!.mentions) expect(text).toContain(m);
      expect(doc.error.message).not.toContain('\n');
    });
  }

  for (const v of all.filter((x) => !x.expect.noProject)) {
    it(`${v.name}: fails exactly ${v.expect.fail.join(', ') || 'nothing'}${v.expect.warn.length ? `; warns ${v.expect.warn.join(', ')}` : ''}`, async () => {
      const r = await runCli(['doctor', v.dir, '--json', ...(v.expect.args ?? [])], { env: cleanEnv(), cwd: v.dir });
      const doc = json<{ checks: Check[]; summary: { errors: number; warnings: number }; exitCode: number; layouts: string[] }>(r);
      const failed = doc.checks.filter((c) => c.status === 'fail').map((c) => c.id).sort();
      const warned = doc.checks.filter((c) => c.status === 'warn').map((c) => c.id).sort();
      expect(failed).toEqual(v.expect.fail);
      expect(warned).toEqual(v.expect.warn);
      expect(doc.summary.errors).toBe(v.expect.fail.length);
      expect(r.code).toBe(v.expect.fail.length ? 1 : 0);
      expect(doc.exitCode).toBe(r.code);
      expect(doc.layouts.length).toBeGreaterThan(0);
      for (const m of v.expect.mentions ?? []) expect(r.stdout).toContain(m);
      // Manual items are never reported as passed.
      for (const c of doc.checks.filter((x) => x.category === 'manual')) expect(['manual', 'skip']).toContain(c.status);
    });
  }
});
