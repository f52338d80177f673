// Runs the built CLI (node bin/tacpay.js) on the fixture projects as a user or CI would: the --json
// shape, exit codes, --strict, --skip, and --fix --yes on a temporary copy. `npm test` builds
// first; when running this file alone, run `node scripts/build.mjs` before.
import { cpSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifest, parsePlistDict } from '../../src/doctor/parsers/index.js';
import { json, ROOT, spawnCli, tempDir } from '../helpers/cli.js';
import { PROJECTS, variants } from '../doctor/helpers.js';

interface Doc {
  root: string;
  layouts: string[];
  strict: boolean;
  files: { used: Array<{ role: string; path: string; source: string; format?: string; error?: string }>; missing: Array<{ role: string; lookedFor: string[] }> };
  checks: Array<{ id: string; title: string; category: string; severity: string; status: string; summary: string; hint?: string; docs: string; details?: string[] }>;
  summary: { errors: number; warnings: number; passed: number; manual: number; skipped: number; total: number };
  exitCode: number;
  fix?: { edits: Array<{ path: string; changes: string[]; checks: string[]; diff: string }>; refused: Array<{ path: string; reason: string; checks: string[] }>; written: string[]; before?: Doc['summary'] };
}

function copy(v: string): string {
  const dir = join(tempDir('tacpay-doctor-e2e-'), 'project');
  cpSync(join(PROJECTS, v), dir, { recursive: true });
  return dir;
}

const failed = (d: Doc) => d.checks.filter((c) => c.status === 'fail').map((c) => c.id).sort();

describe('tacpay doctor (built CLI)', () => {
  it('--json: one document with every check, the files used and the summary; exit 0 on a correct project', async () => {
    const r = await spawnCli(['doctor', join(PROJECTS, 'flutter/good'), '--json']);
    expect(r.code).toBe(0);
    const doc = json<Doc>(r);
    expect(Object.keys(doc)).toEqual(['root', 'layouts', 'strict', 'notes', 'uses', 'files', 'checks', 'summary', 'exitCode']);
    expect(doc.layouts).toEqual(['flutter']);
    expect(doc.summary).toMatchObject({ errors: 0, warnings: 0 });
    expect(doc.summary.passed + doc.summary.manual + doc.summary.skipped).toBe(doc.checks.length);
    expect(doc.checks.length).toBeGreaterThanOrEqual(40);
    for (const c of doc.checks) {
      expect(typeof c.id).toBe('string');
      expect(['config', 'ios', 'android', 'pay_info', 'log', 'manual']).toContain(c.category);
      expect(['pass', 'warn', 'fail', 'skip', 'manual']).toContain(c.status);
    }
    expect(doc.files.used.find((f) => f.role === 'android.gradle')).toMatchObject({ path: 'android/app/build.gradle.kts', format: 'Gradle', source: 'discovered' });
    // The same run twice gives the same document (deterministic order).
    expect((await spawnCli(['doctor', join(PROJECTS, 'flutter/good'), '--json'])).stdout).toBe(r.stdout);
  });

  it('exit 1 with exactly the expected failures on every broken variant', async () => {
    for (const v of variants().filter((x) => x.expect.fail.length)) {
      const r = await spawnCli(['doctor', v.dir, '--json', ...(v.expect.args ?? [])], { cwd: v.dir });
      expect(r.code, v.name).toBe(1);
      expect(failed(json<Doc>(r)), v.name).toEqual(v.expect.fail);
      expect(r.stderr, v.name).not.toMatch(/\n\s+at /);
    }
  }, 240_000);

  it('--strict turns warnings into failures; --skip takes them out again', async () => {
    const dir = join(PROJECTS, 'android-native/warn-only');
    expect((await spawnCli(['doctor', dir, '--json'])).code).toBe(0);
    const strict = await spawnCli(['doctor', dir, '--json', '--strict']);
    expect(strict.code).toBe(1);
    expect(failed(json<Doc>(strict))).toEqual(['android.qqwallet-scheme', 'android.repositories']);
    const skipped = await spawnCli(['doctor', dir, '--json', '--strict', '--skip', 'android.qqwallet-scheme', '--skip', 'android.repositories']);
    expect(skipped.code).toBe(0);
    expect(json<Doc>(skipped).summary).toMatchObject({ errors: 0, skipped: expect.any(Number) });
  });

  it('tacpay --help loads none of the doctor parsers; doctor loads them when it runs', async () => {
    const { spawnSync } = await import('node:child_process');
    const script = `const m = require(${JSON.stringify(join(ROOT, 'dist/main.cjs'))});
const io = { stdout: { write() {} }, stderr: { write() {} }, stdin: process.stdin, env: {}, cwd: process.cwd() };
const mods = () => Object.keys(require.cache).filter((k) => /node_modules[\\/](@xmldom|bplist-parser|xcode|diff)[\\/]/.test(k)).length;
m.main(['--help'], io).then(() => { const a = mods(); return m.main(['doctor', ${JSON.stringify(join(PROJECTS, 'flutter/good'))}, '--json'], io).then(() => console.log(a, mods())); });`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    const [help, doctor] = r.stdout.trim().split(' ').map(Number);
    expect(help).toBe(0);
    expect(doctor).toBeGreaterThan(0);
  });

  it('a usage error exits 2 with one JSON error document and no stack', async () => {
    const r = await spawnCli(['doctor', 'does/not/exist', '--json']);
    expect(r.code).toBe(2);
    expect(json(r).error).toMatchObject({ code: 'usage', message: 'directory does/not/exist does not exist' });
    expect(r.stderr).toBe('');
  });

  it('--fix --yes on a copy: shows the diff, rewrites the XML plist so it re-parses, and the checks then pass', async () => {
    const dir = copy('ios-native/broken-schemes');
    const plistPath = join(dir, 'TacShop/Info.plist');
    const before = readFileSync(plistPath, 'utf8');
    const human = await spawnCli(['doctor', dir, '--fix'], { cwd: dir });
    expect(human.code).toBe(1);
    expect(human.stdout).toContain('--- a/TacShop/Info.plist\n+++ b/TacShop/Info.plist');
    expect(human.stdout).toContain('+\t\t\t\t<string>wx5e1f3c9a2b7d4e60</string>');
    expect(human.stderr).toContain('nothing was written');
    expect(readFileSync(plistPath, 'utf8')).toBe(before);

    const r = await spawnCli(['doctor', dir, '--fix', '--yes', '--json'], { cwd: dir });
    const doc = json<Doc>(r);
    expect(doc.fix!.written).toEqual(['TacShop/Info.plist']);
    expect(doc.fix!.edits[0]!.diff).toContain('+\t\t<string>weixinULAPI</string>');
    const after = readFileSync(plistPath, 'utf8');
    const parsed = parsePlistDict(Buffer.from(after)).value;
    expect(parsed.LSApplicationQueriesSchemes).toEqual(['mqqopensdkapiV2', 'weixin', 'mqqwallet', 'weixinULAPI']);
    // Only additions: every original line is still there, in order.
    const kept = before.split('\n');
    const lines = after.split('\n');
    let i = 0;
    for (const l of lines) if (l === kept[i]) i++;
    expect(i).toBe(kept.length);
    const status = (id: string) => doc.checks.find((c) => c.id === id)!.status;
    for (const id of ['ios.wechat-url-scheme', 'ios.qqwallet-url-scheme', 'ios.tencent-url-scheme', 'ios.query-schemes', 'ios.tac-wechat-app-id']) expect(status(id), id).toBe('pass');
    // What --fix cannot do (pbxproj build phases) still fails: exit 1.
    expect(failed(doc)).toEqual(['ios.build-phases']);
    expect(r.code).toBe(1);
    // A second run has nothing left to fix in the plist.
    const again = json<Doc>(await spawnCli(['doctor', dir, '--fix', '--yes', '--json'], { cwd: dir }));
    expect(again.fix!.edits).toEqual([]);
  });

  it('--fix --yes on an Android copy adds <queries> and the permission; the manifest re-parses', async () => {
    const dir = copy('android-native/broken-manifest');
    const r = await spawnCli(['doctor', dir, '--fix', '--yes', '--json']);
    const doc = json<Doc>(r);
    expect(doc.fix!.edits[0]!.changes).toEqual(['add ACCESS_NETWORK_STATE, ACCESS_WIFI_STATE permissions', 'add com.tencent.mm, com.tencent.mobileqq to <queries>']);
    const m = parseManifest(readFileSync(join(dir, 'app/src/main/AndroidManifest.xml'), 'utf8'));
    expect(m.queries.packages).toEqual(['com.tencent.mm', 'com.tencent.mobileqq']);
    expect(failed(doc)).toEqual(['android.midas-activities', 'android.qqwallet-scheme']);
  });

  it('--fix never touches a binary plist', async () => {
    const dir = copy('ios-native/broken-binary-plist');
    const plistPath = join(dir, 'TacShop/Info.plist');
    const before = readFileSync(plistPath);
    const mtime = statSync(plistPath).mtimeMs;
    const r = await spawnCli(['doctor', dir, '--fix', '--yes', '--json']);
    expect(r.code).toBe(1);
    const doc = json<Doc>(r);
    expect(doc.fix!.edits).toEqual([]);
    expect(doc.fix!.refused).toEqual([{ path: 'TacShop/Info.plist', checks: ['ios.query-schemes', 'ios.universal-link'], reason: expect.stringMatching(/binary plist/) }]);
    expect(readFileSync(plistPath).equals(before)).toBe(true);
    expect(statSync(plistPath).mtimeMs).toBe(mtime);
    expect(failed(doc)).toEqual(['ios.query-schemes']);
  });
});
