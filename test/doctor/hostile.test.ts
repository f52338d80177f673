// Hostile project trees, through the built CLI as a user runs it: symlinks to /dev/zero and
// /etc/passwd, a FIFO, a huge sparse asset, an INFOPLIST_FILE that points outside the project, a
// zip-bomb AAR, a __proto__ key, and --fix racing an editor. The run must end, stay small, read
// and write nothing outside the project, and say what it did not read.
import { cpSync, mkdirSync, openSync, closeSync, ftruncateSync, readFileSync, symlinkSync, writeFileSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { applyEdit, ChangedSinceRead, planFixes } from '../../src/doctor/fix.js';
import { runDoctor } from '../../src/doctor/index.js';
import { cleanEnv, json, spawnCli, tempDir } from '../helpers/cli.js';
import { PROJECTS } from './helpers.js';

/** A copy of a fixture project in a temp dir. */
function copy(name: string): string {
  const dir = join(tempDir('tacpay-hostile-'), 'app');
  cpSync(join(PROJECTS, name), dir, { recursive: true });
  return dir;
}

interface Doc {
  checks: Array<{ id: string; status: string; summary: string; details?: string[] }>;
  files: { used: Array<{ path: string; error?: string }>; skipped: Array<{ path: string; reason: string }> };
}

const doctor = (dir: string, extra: string[] = []) => spawnCli(['doctor', dir, '--json', ...extra], { env: cleanEnv(), cwd: dir, timeoutMs: 20_000 });

describe('doctor on hostile trees', () => {
  it('skips symlinks to /dev/zero, /dev/stdin and /etc/passwd and a FIFO with a note, and finishes', async () => {
    const dir = copy('react-native/good');
    const assets = join(dir, 'android/app/src/main/assets');
    mkdirSync(assets, { recursive: true });
    symlinkSync('/dev/zero', join(assets, 'zero.json'));
    symlinkSync('/dev/stdin', join(assets, 'stdin.json'));
    symlinkSync('/etc/passwd', join(assets, 'passwd.json'));
    execFileSync('mkfifo', [join(assets, 'pipe.json')]);
    const r = await doctor(dir);
    const doc = json<Doc>(r);
    const skipped = Object.fromEntries(doc.files.skipped.map((s) => [s.path.split('/').pop(), s.reason]));
    expect(skipped['zero.json']).toMatch(/outside the project|device/);
    expect(skipped['stdin.json']).toMatch(/outside the project|device|FIFO|does not resolve/);
    expect(skipped['passwd.json']).toMatch(/outside the project/);
    expect(skipped['pipe.json']).toMatch(/FIFO/);
    expect(r.stdout).not.toContain('root:x:0');
  });

  it('an Info.plist that is a symlink to /dev/zero is unusable, not read (ios.project fails and says why)', async () => {
    const dir = copy('ios-native/good');
    const plist = join(dir, 'TacShop/Info.plist');
    execFileSync('rm', [plist]);
    symlinkSync('/dev/zero', plist);
    const doc = json<Doc>(await doctor(dir));
    expect(doc.files.used.find((f) => f.path === 'TacShop/Info.plist')?.error).toMatch(/outside the project/);
    expect(doc.checks.find((c) => c.id === 'ios.project')!.status).toBe('fail');
  });

  it('a 1.5 GB sparse asset is not read: the scan says it skipped a large file', async () => {
    const dir = copy('flutter/good');
    mkdirSync(join(dir, 'assets'), { recursive: true });
    const fd = openSync(join(dir, 'assets/huge.json'), 'w');
    ftruncateSync(fd, 1536 * 1024 * 1024);
    closeSync(fd);
    const doc = json<Doc>(await doctor(dir));
    const secrets = doc.checks.find((c) => c.id === 'config.no-shipped-secrets')!;
    expect(secrets.details?.join(' ') ?? '').toContain('over 1 MB not scanned');
  });

  it('INFOPLIST_FILE = "../../outside/Info.plist": not read, and --fix --yes writes nothing outside the project', async () => {
    const base = tempDir('tacpay-hostile-');
    const dir = join(base, 'work/app');
    cpSync(join(PROJECTS, 'ios-native/broken-schemes'), dir, { recursive: true });
    const outside = join(base, 'outside/Info.plist');
    mkdirSync(join(base, 'outside'));
    const victim = readFileSync(join(dir, 'TacShop/Info.plist'));
    writeFileSync(outside, victim);
    const pbx = join(dir, 'TacShop.xcodeproj/project.pbxproj');
    writeFileSync(pbx, readFileSync(pbx, 'utf8').replaceAll('INFOPLIST_FILE = TacShop/Info.plist;', 'INFOPLIST_FILE = "../../outside/Info.plist";'));
    execFileSync('rm', [join(dir, 'TacShop/Info.plist')]);
    const before = statSync(outside).mtimeMs;
    const r = await doctor(dir, ['--fix', '--yes']);
    expect(readFileSync(outside)).toEqual(victim);
    expect(statSync(outside).mtimeMs).toBe(before);
    const doc = json<Doc & { fix?: { written: string[] } }>(r);
    expect(doc.files.used.find((f) => f.path.endsWith('outside/Info.plist'))?.error).toMatch(/outside the project/);
    expect(doc.fix?.written ?? []).toEqual([]);
  });

  it('a zip-bomb AAR in libs/ is refused, not inflated', async () => {
    const dir = copy('android-native/good');
    const bomb = zipSync({ 'AndroidManifest.xml': new Uint8Array(64 * 1024 * 1024) }, { level: 9 });
    expect(bomb.length).toBeLessThan(1024 * 1024);
    writeFileSync(join(dir, 'app/libs/bomb.aar'), bomb);
    const doc = json<Doc>(await doctor(dir));
    const project = doc.checks.find((c) => c.id === 'android.project')!;
    expect(project.status).toBe('fail');
    expect(project.details!.join(' ')).toMatch(/bomb\.aar.*larger than/);
  });

  it('a "__proto__" key in a TAC json does not reach Object.prototype', async () => {
    const dir = copy('android-native/good');
    writeFileSync(join(dir, 'app/tac_service_configurations_zz.json'), '{"__proto__": {"polluted": "yes"}, "services": {"__proto__": {"polluted": "yes"}}}');
    await runDoctor({ root: dir, paths: {}, config: {} });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('--fix does not overwrite a file saved after the plan was made (the y/N prompt window)', async () => {
    const dir = copy('android-native/broken-manifest');
    const run = await runDoctor({ root: dir, paths: {}, config: {} });
    const plan = await planFixes(run.findings, run.snapshot);
    const edit = plan.edits.find((e) => e.path.endsWith('AndroidManifest.xml'))!;
    expect(edit).toBeDefined();
    const mine = edit.before.replace('</manifest>', '<!-- saved by the developer -->\n</manifest>');
    writeFileSync(edit.file, mine);
    await expect(applyEdit(edit, dir)).rejects.toBeInstanceOf(ChangedSinceRead);
    expect(readFileSync(edit.file, 'utf8')).toBe(mine);
    // Unchanged since the plan: written.
    const again = (await planFixes((await runDoctor({ root: dir, paths: {}, config: {} })).findings, run.snapshot)).edits.find((e) => e.path.endsWith('AndroidManifest.xml'))!;
    await applyEdit(again, dir);
    expect(readFileSync(edit.file, 'utf8')).toBe(again.after);
  });

  it('a key file named by the project config that is a FIFO or /dev/zero is refused, not waited on or read', async () => {
    const dir = copy('android-native/good');
    execFileSync('mkfifo', [join(dir, 'merchant.key.pem')]);
    symlinkSync('/dev/zero', join(dir, 'platform.pub.pem'));
    writeFileSync(join(dir, 'tacpay.config.json'), JSON.stringify({ offerId: 'TC101983', privateKey: 'merchant.key.pem', platformPublicKey: 'platform.pub.pem' }), { mode: 0o600 });
    const doc = json<Doc>(await doctor(dir));
    expect(doc.checks.find((c) => c.id === 'config.private-key')!.summary).toMatch(/FIFO, not a regular file/);
  });

  it('inputs that made the scanners backtrack or loop quadratically finish (a <key> with 6,000 spaces, a 520 KB settings.gradle)', async () => {
    const dir = copy('android-native/good');
    mkdirSync(join(dir, 'app/src/main/res/raw'), { recursive: true });
    writeFileSync(join(dir, 'app/src/main/res/raw/notes.txt'), `<key>${' '.repeat(6000)}x`);
    writeFileSync(join(dir, 'settings.gradle'), `${"include ':app'\n"}${Array.from({ length: 20000 }, (_, i) => `include ':m${i}', ':n${i}'`).join('\n')}\n`);
    const r = await doctor(dir);
    expect(r.code).not.toBeNull();
    expect(json<Doc>(r).checks.length).toBeGreaterThan(20);
  }, 30_000);

  it('an assets/ directory that is a symlink out of the project is not walked', async () => {
    const dir = copy('android-native/good');
    symlinkSync('/usr', join(dir, 'app/src/main/assets'));
    const doc = json<Doc>(await doctor(dir));
    expect(doc.files.skipped).toContainEqual({ path: 'app/src/main/assets', reason: expect.stringMatching(/links outside the project \(to \/usr\); not walked/) });
  });

  it('--fix shows no context lines: a secret beside the edit in Info.plist is not printed', async () => {
    const dir = copy('ios-native/broken-schemes');
    const plist = join(dir, 'TacShop/Info.plist');
    const secret = 'Zq7Kd93LmPw0Xs1Tq7Kd93LmPw0Xs1Ta';
    writeFileSync(plist, readFileSync(plist, 'utf8').replace('<key>CFBundleDisplayName</key>', `<key>MidasOfferKey</key>\n\t<string>${secret}</string>\n\t<key>CFBundleDisplayName</key>`));
    const r = await doctor(dir, ['--fix', '--yes']);
    expect(r.stdout).not.toContain(secret);
    expect(r.stderr).not.toContain(secret);
  });
});
