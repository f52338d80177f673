// `tacpay doctor` through main() with fake streams: the rendered report, options, exit codes and
// user mistakes (exit 2 with one line, never a stack).
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, json, runCli, tempDir } from '../helpers/cli.js';
import { docPayInfo } from '../helpers/fixtures.js';
import { PROJECTS } from './helpers.js';

const P = (v: string) => join(PROJECTS, v);

function copy(v: string): string {
  const dir = join(tempDir('tacpay-doctor-'), 'project');
  cpSync(P(v), dir, { recursive: true });
  return dir;
}

interface Doc {
  checks: Array<{ id: string; status: string; summary: string; hint?: string; docs: string; details?: string[]; category: string; severity: string; title: string }>;
  files: { used: Array<{ role: string; path: string; format?: string; error?: string; source: string }>; missing: Array<{ role: string; lookedFor: string[] }> };
  summary: { errors: number; warnings: number; passed: number; manual: number; skipped: number; total: number };
  exitCode: number;
  strict: boolean;
}

describe('tacpay doctor: human output', () => {
  it('groups by category with marks, hints and docs under failures, and ends with the summary line', async () => {
    const r = await runCli(['doctor', P('ios-native/broken-schemes')]);
    expect(r.code).toBe(1);
    const out = r.stdout;
    expect(out).toMatch(/^iOS$/m);
    expect(out).toMatch(/^ {2}✗ URL scheme = WeChat AppID: no URL scheme "wx5e1f3c9a2b7d4e60" .* \[ios\.wechat-url-scheme\]$/m);
    expect(out).toMatch(/^ {6}fix: add a URL type with scheme wx5e1f3c9a2b7d4e60/m);
    expect(out).toMatch(/^ {6}docs: FAQ "cannot return to the app" item 6/m);
    expect(out).toMatch(/^ {2}! URL scheme tencent<QQ AppID>: /m);
    expect(out).toMatch(/^ {2}☐ WeChat merchant account/m);
    expect(out).toMatch(/^Android {2}– 13 checks skipped: no Android project found/m);
    expect(out.trimEnd().split('\n').slice(-2)[0]).toBe('5 errors, 2 warnings, 9 passed, 5 manual, 24 skipped');
    expect(out).not.toContain('\x1b[');
    // Files used and what was not found.
    expect(out).toMatch(/^ {2}ios\.info-plist +TacShop\/Info\.plist {2}XML plist$/m);
  });

  it('--verbose shows the details and docs of passed checks', async () => {
    const quiet = await runCli(['doctor', P('ios-native/good')]);
    const loud = await runCli(['doctor', P('ios-native/good'), '--verbose']);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).not.toContain('1. [CP] Check Pods Manifest.lock');
    expect(loud.stdout).toContain('· 2. [TAC] Run Before Script');
    expect(loud.stdout).toContain('docs: spec §4.1, FAQ item 11');
  });

  it('colours only when allowed', async () => {
    const r = await runCli(['doctor', P('ios-native/good')], { tty: { stdout: true }, env: cleanEnv({ TERM: 'xterm' }) });
    expect(r.stdout).toContain('\x1b[');
    expect((await runCli(['doctor', P('ios-native/good'), '--json'], { tty: { stdout: true }, env: cleanEnv({ TERM: 'xterm' }) })).stdout).not.toContain('\x1b[');
  });

  it('makes text from project files inert (control characters escaped)', async () => {
    const dir = copy('android-native/good');
    const gradle = join(dir, 'app/build.gradle');
    writeFileSync(gradle, readFileSync(gradle, 'utf8').replace('applicationId "com.example.tacshop"', 'applicationId "com.example\x1b[31m.evil"'));
    const r = await runCli(['doctor', dir]);
    expect(r.stdout).toContain('com.example\\x1b[31m.evil');
    expect(r.stdout).not.toContain('\x1b[31m');
    const j = await runCli(['doctor', dir, '--json']);
    const checks = json<Doc>(j).checks;
    for (const c of checks) expect(`${c.summary}${c.hint ?? ''}${(c.details ?? []).join('')}`).not.toContain('\x1b');
    expect(checks.find((c) => c.id === 'manual.android-signing')!.hint).toContain('com.example\\x1b[31m.evil');
  });
});

describe('tacpay doctor: options', () => {
  it('--json prints one document: every check, the files used and missing, the summary', async () => {
    const r = await runCli(['doctor', P('react-native/good'), '--json']);
    const doc = json<Doc>(r);
    expect(r.code).toBe(0);
    expect(doc.summary.total).toBe(doc.checks.length);
    expect(doc.checks.map((c) => c.category)).toEqual([...doc.checks.map((c) => c.category)].sort((a, b) => ['config', 'ios', 'android', 'pay_info', 'log', 'manual'].indexOf(a) - ['config', 'ios', 'android', 'pay_info', 'log', 'manual'].indexOf(b)));
    expect(doc.files.used.map((f) => f.path)).toEqual(expect.arrayContaining(['ios/TacShopRN/Info.plist', 'android/app/src/main/AndroidManifest.xml', 'tacpay.config.json']));
    expect(doc.files.missing).toEqual([]);
    for (const c of doc.checks) expect(Object.keys(c)).toEqual(expect.arrayContaining(['id', 'title', 'category', 'severity', 'status', 'summary', 'docs']));
    expect(doc.checks.find((c) => c.id === 'android.midas-activities')!.status).toBe('manual');
  });

  it('reports what it looked for and did not find', async () => {
    const dir = copy('ios-native/good');
    const r = await runCli(['doctor', dir, '--json'], { cwd: dir });
    expect(json<Doc>(r).files.missing).toEqual([]);
    const { rmSync } = await import('node:fs');
    rmSync(join(dir, 'TacShop/TacShop.entitlements'));
    const doc = json<Doc>(await runCli(['doctor', dir, '--json']));
    expect(doc.files.missing).toEqual([{ role: 'ios.entitlements', lookedFor: ['TacShop/TacShop.entitlements', '**/*.entitlements'] }]);
  });

  it('--strict turns warnings into failures (exit 1)', async () => {
    const plain = await runCli(['doctor', P('android-native/warn-only'), '--json']);
    expect(plain.code).toBe(0);
    expect(json<Doc>(plain).summary).toMatchObject({ errors: 0, warnings: 2 });
    const strict = await runCli(['doctor', P('android-native/warn-only'), '--json', '--strict']);
    expect(strict.code).toBe(1);
    expect(json<Doc>(strict)).toMatchObject({ strict: true, summary: { errors: 2, warnings: 0 } });
  });

  it('--skip takes ids and categories; skipped checks stay in the report as skipped', async () => {
    const r = await runCli(['doctor', P('android-native/broken-gradle'), '--json', '--skip', 'android.repositories', '--skip', 'manual']);
    const doc = json<Doc>(r);
    expect(doc.checks.find((c) => c.id === 'android.repositories')).toMatchObject({ status: 'skip', summary: 'skipped by --skip' });
    expect(doc.checks.filter((c) => c.category === 'manual').every((c) => c.status === 'skip')).toBe(true);
    expect(doc.summary.errors).toBe(4);
  });

  it('doctor.skip in tacpay.config.json disables checks too', async () => {
    const dir = copy('android-native/warn-only');
    const cfg = join(dir, 'tacpay.config.json');
    writeFileSync(cfg, JSON.stringify({ ...JSON.parse(readFileSync(cfg, 'utf8')), doctor: { skip: ['android.repositories', 'no.such-check'] } }));
    const r = await runCli(['doctor', dir, '--json', '--strict']);
    const doc = json<Doc>(r);
    expect(doc.checks.find((c) => c.id === 'android.repositories')).toMatchObject({ status: 'skip', summary: 'skipped by doctor.skip in tacpay.config.json' });
    expect(doc.summary.errors).toBe(1);
    expect(r.stderr).toContain('no check "no.such-check"');
  });

  it('explicit paths override discovery', async () => {
    const r = await runCli(['doctor', tempDir(), '--json', '--ios-plist', P('ios-native/good/TacShop/Info.plist'), '--wechat-app-id', 'wx5e1f3c9a2b7d4e60']);
    const doc = json<Doc>(r);
    expect(doc.files.used[0]).toMatchObject({ role: 'ios.info-plist', source: 'flag', format: 'XML plist' });
    expect(doc.checks.find((c) => c.id === 'ios.wechat-url-scheme')!.status).toBe('pass');
  });

  it('--pay-info (also from stdin with -) and --log feed the pay_info and log checks', async () => {
    const r = await runCli(['doctor', P('react-native/good'), '--json', '--pay-info', '-', '--offer-id', 'TC100008'], { stdin: docPayInfo + '\n' });
    const doc = json<Doc>(r);
    expect(doc.checks.find((c) => c.id === 'payinfo.appid')).toMatchObject({ status: 'pass', summary: 'appid TC100008 is the offerId' });
    expect(doc.checks.find((c) => c.id === 'payinfo.decodes')!.status).toBe('pass');
    const empty = json<Doc>(await runCli(['doctor', P('react-native/good'), '--json', '--pay-info', '']));
    expect(empty.checks.find((c) => c.id === 'payinfo.present')!.status).toBe('fail');
    const logged = json<Doc>(await runCli(['doctor', P('react-native/broken-payinfo'), '--json', '--log', P('react-native/broken-payinfo/device.log')]));
    const init = logged.checks.find((c) => c.id === 'log.init-errors')!;
    expect(init.details).toEqual([expect.stringMatching(/^line 8: .*This app is not allowed to query for scheme mqqwallet" → mqqwallet is missing from LSApplicationQueriesSchemes/)]);
    expect(logged.checks.find((c) => c.id === 'payinfo.not-reused')!.details).toEqual(['out_trade_no "open_1517568769743" launched at lines 3, 5']);
  });

  it('checks the pay_info signature when the platform public key is known (and only then)', async () => {
    const payInfo = readFileSync(join(PROJECTS, '../payinfo/signed.txt'), 'utf8').trim();
    const sig = async (key?: string) => {
      const r = await runCli(['doctor', P('react-native/good'), '--json', '--pay-info', payInfo, '--offer-id', 'TC100008'], { env: cleanEnv(key ? { TACPAY_PLATFORM_PUBLIC_KEY: join(PROJECTS, '../payinfo', key) } : {}) });
      return json<Doc>(r).checks.find((c) => c.id === 'payinfo.signature')!;
    };
    expect((await sig('platform-public.pem')).status).toBe('pass');
    const wrong = await sig('other-public.pem');
    expect(wrong.status).toBe('fail');
    expect(wrong.summary).toContain('does not verify');
    expect((await sig()).status).toBe('skip');
  });

  it('a malformed tacpay.config.json is a finding; the run goes on', async () => {
    const dir = copy('android-native/good');
    writeFileSync(join(dir, 'tacpay.config.json'), '{ "offerId": ');
    const r = await runCli(['doctor', dir, '--json', '--offer-id', 'TC101983']);
    const doc = json<Doc>(r);
    expect(doc.checks.find((c) => c.id === 'config.file')!.status).toBe('fail');
    expect(doc.checks.find((c) => c.id === 'config.offer-id')!.status).toBe('pass');
    expect(r.code).toBe(1);
  });
});

describe('tacpay doctor: user mistakes', () => {
  it('a directory that does not exist: exit 2, one line, no stack', async () => {
    const r = await runCli(['doctor', 'no/such/dir']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: directory no\/such\/dir does not exist\nhint: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const j = await runCli(['doctor', 'no/such/dir', '--json']);
    expect(json(j).error.code).toBe('usage');
  });

  it('a file where a directory belongs, a missing explicit file, an unknown --skip, --yes without --fix: exit 2', async () => {
    expect((await runCli(['doctor', P('ios-native/good/tacpay.config.json')])).code).toBe(2);
    const missing = await runCli(['doctor', P('ios-native/good'), '--android-manifest', 'nope.xml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--android-manifest nope.xml: no such file');
    const skip = await runCli(['doctor', P('ios-native/good'), '--skip', 'ios.nope']);
    expect(skip.code).toBe(2);
    expect(skip.stderr).toContain('--skip ios.nope: no such check');
    expect((await runCli(['doctor', P('ios-native/good'), '--yes'])).code).toBe(2);
  });
});

describe('tacpay doctor --fix', () => {
  it('without a terminal and without --yes: shows the diff, writes nothing, exits 1', async () => {
    const dir = copy('android-native/broken-manifest');
    const manifest = join(dir, 'app/src/main/AndroidManifest.xml');
    const before = readFileSync(manifest, 'utf8');
    const r = await runCli(['doctor', dir, '--fix']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('+        <package android:name="com.tencent.mm" />');
    expect(r.stderr).toContain('nothing was written (no terminal to confirm on and no --yes)');
    expect(readFileSync(manifest, 'utf8')).toBe(before);
  });

  it('--yes writes, re-runs the checks and reports the state after fixing', async () => {
    const dir = copy('android-native/broken-manifest');
    const r = await runCli(['doctor', dir, '--fix', '--yes', '--json']);
    const doc = json<Doc & { fix: { written: string[]; before: { errors: number }; edits: Array<{ path: string; changes: string[] }> } }>(r);
    expect(doc.fix.written).toEqual(['app/src/main/AndroidManifest.xml']);
    expect(doc.fix.before.errors).toBe(3);
    expect(doc.checks.find((c) => c.id === 'android.queries')!.status).toBe('pass');
    // --fix adds the permissions pay needs; GET_TASKS (deprecated) and WRITE_EXTERNAL_STORAGE (no
    // effect from Android 11), also on the 2018 doc's list, stay a warning for the developer to judge.
    const perms = doc.checks.find((c) => c.id === 'android.permissions')!;
    expect(perms.status).toBe('warn');
    expect(perms.summary).toContain('GET_TASKS and WRITE_EXTERNAL_STORAGE');
    expect(doc.summary.errors).toBe(2);
    expect(r.code).toBe(1);
  });

  it('nothing to fix mechanically: says so and keeps the exit code of the checks', async () => {
    const r = await runCli(['doctor', P('ios-native/good'), '--fix']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('nothing to fix mechanically');
  });
});
