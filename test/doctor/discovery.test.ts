// Explicit path flags give the same answers as discovery (module and project dirs derived the same
// way, the project Gradle files read), and a directory with no app is a one-line error with a hint
// saying where the app probably is.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, json, runCli, tempDir } from '../helpers/cli.js';
import { PROJECTS } from './helpers.js';

interface Doc {
  checks: Array<{ id: string; status: string; summary: string; details?: string[] }>;
  files: { used: Array<{ role: string; path: string; source: string }> };
}

const statuses = (d: Doc, prefix: string) => Object.fromEntries(d.checks.filter((c) => c.id.startsWith(prefix)).map((c) => [c.id, c.status]));

async function both(project: string, flag: string, file: string, prefix: string): Promise<{ discovered: Doc; flagged: Doc }> {
  const dir = join(PROJECTS, project);
  const discovered = json<Doc>(await runCli(['doctor', dir, '--json'], { env: cleanEnv(), cwd: dir }));
  const elsewhere = tempDir('tacpay-explicit-');
  const flagged = json<Doc>(await runCli(['--config', join(dir, 'tacpay.config.json'), 'doctor', elsewhere, '--json', flag, join(dir, file)], { env: cleanEnv(), cwd: elsewhere }));
  expect(Object.keys(statuses(flagged, prefix)).length).toBeGreaterThan(5);
  expect(statuses(flagged, prefix)).toEqual(statuses(discovered, prefix));
  return { discovered, flagged };
}

describe('explicit paths are handled like discovery', () => {
  it('--android-manifest app/src/main/AndroidManifest.xml: module app, project dir above it, project Gradle files read', async () => {
    const { flagged } = await both('android-native/broken-gradle', '--android-manifest', 'app/src/main/AndroidManifest.xml', 'android.');
    const project = flagged.checks.find((c) => c.id === 'android.project')!;
    expect(project.summary).toMatch(/^module app: /);
    expect(flagged.files.used.some((f) => f.role === 'android.gradle-project' && f.path.endsWith('android-native/broken-gradle/build.gradle'))).toBe(true);
    // The Bintray repository is in the project build.gradle: found through the flag too.
    expect(flagged.checks.find((c) => c.id === 'android.repositories')!.status).toBe('fail');
  });

  it('--gradle app/build.gradle the same', async () => {
    await both('android-native/good', '--gradle', 'app/build.gradle', 'android.');
  });

  it('--pbxproj X.xcodeproj/project.pbxproj: the iOS dir is the one holding the .xcodeproj, not the bundle', async () => {
    await both('ios-native/broken-schemes', '--pbxproj', 'TacShop.xcodeproj/project.pbxproj', 'ios.');
  });
});

describe('no app in the directory', () => {
  it('is a one-line error (exit 1), not a pass', async () => {
    const dir = tempDir('tacpay-empty-');
    writeFileSync(join(dir, 'README.md'), '# notes\n');
    const r = await runCli(['doctor', dir], { env: cleanEnv(), cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/no iOS or Android app project in /);
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    const j = await runCli(['doctor', dir, '--json'], { env: cleanEnv(), cwd: dir });
    expect(j.code).toBe(1);
    expect(JSON.stringify(json(j))).toContain('no iOS or Android app project');
  });

  it('suggests example/ in a plugin repository and apps/* in a monorepo', async () => {
    const repo = tempDir('tacpay-plugin-');
    cpSync(join(PROJECTS, 'react-native/good'), join(repo, 'example'), { recursive: true });
    writeFileSync(join(repo, 'package.json'), JSON.stringify({ name: 'react-native-tacpay-plugin', peerDependencies: { 'react-native': '*' } }));
    mkdirSync(join(repo, 'android/src/main'), { recursive: true });
    writeFileSync(join(repo, 'android/build.gradle'), "apply plugin: 'com.android.library'\n\nandroid {\n    compileSdkVersion 34\n}\n");
    writeFileSync(join(repo, 'android/src/main/AndroidManifest.xml'), '<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.tacpay.plugin" />\n');
    const r = await runCli(['doctor', '.'], { env: cleanEnv(), cwd: repo });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('tacpay doctor example');

    const mono = tempDir('tacpay-mono-');
    cpSync(join(PROJECTS, 'flutter/good'), join(mono, 'apps/shop'), { recursive: true });
    writeFileSync(join(mono, 'package.json'), JSON.stringify({ name: 'mono', private: true, workspaces: ['apps/*'] }));
    const m = await runCli(['doctor', mono], { env: cleanEnv(), cwd: mono });
    expect(m.code).toBe(1);
    expect(m.stderr).toContain('apps/shop');
  });

  it('with --pay-info the pay_info is still checked without a project', async () => {
    const dir = tempDir('tacpay-empty-');
    const r = await runCli(['doctor', dir, '--json', '--pay-info', 'not-a-pay-info'], { env: cleanEnv(), cwd: dir });
    const doc = json<Doc>(r);
    expect(doc.checks.find((c) => c.id === 'payinfo.decodes')!.status).toBe('fail');
  });
});

describe('layouts seen on real projects', () => {
  it('a library repository whose app module applies com.android.library is not taken for an app', async () => {
    const repo = tempDir('tacpay-lib-');
    writeFileSync(join(repo, 'settings.gradle'), "include ':app'\n");
    writeFileSync(join(repo, 'build.gradle'), 'buildscript { repositories { google() } }\n');
    mkdirSync(join(repo, 'app/src/main'), { recursive: true });
    writeFileSync(join(repo, 'app/build.gradle'), "//apply plugin: 'com.android.application'\napply plugin: 'com.android.library'\nandroid { compileSdkVersion 30 }\n");
    writeFileSync(join(repo, 'app/src/main/AndroidManifest.xml'), '<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.example.pay" />\n');
    const r = await runCli(['doctor', repo], { env: cleanEnv(), cwd: repo });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no iOS or Android app project in .*: the directory is an Android library \(com\.android\.library\), not an app/);
  });

  it('a Flutter plugin in the pub cache (outside the project) is read as fully as one inside it', async () => {
    const cache = tempDir('tacpay-pubcache-');
    const plugin = join(cache, '.pub-cache/hosted/pub.dev/fluwx-4.5.5');
    mkdirSync(join(plugin, 'android/src/main'), { recursive: true });
    writeFileSync(join(plugin, 'android/src/main/AndroidManifest.xml'), '<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.jarvan.fluwx" />\n');
    writeFileSync(join(plugin, 'android/build.gradle'), "apply plugin: 'com.android.library'\ndependencies {\n    api 'com.tencent.mm.opensdk:wechat-sdk-android:6.8.30'\n}\n");
    const inside = tempDir('tacpay-flutter-');
    cpSync(join(PROJECTS, 'flutter/good'), inside, { recursive: true });
    const manifest = join(inside, 'android/app/src/main/AndroidManifest.xml');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace(/<queries>[\s\S]*?<\/queries>/, ''));
    const verdict = async (pluginDir: string) => {
      writeFileSync(join(inside, '.flutter-plugins-dependencies'), JSON.stringify({ plugins: { android: [{ name: 'fluwx', path: pluginDir, dependencies: [] }] } }));
      const doc = json<Doc>(await runCli(['doctor', inside, '--json'], { env: cleanEnv(), cwd: inside }));
      return doc.checks.find((c) => c.id === 'android.queries')!;
    };
    const outside = await verdict(plugin);
    cpSync(plugin, join(inside, 'packages/fluwx'), { recursive: true });
    const local = await verdict('packages/fluwx');
    expect(outside.status).toBe('warn');
    expect(local.status).toBe(outside.status);
    expect(outside.summary).toContain('wechat-sdk-android:6.8.30 (remote AAR of plugin fluwx');
  });

  it('the WeChat AppID the app registers in code is what the URL scheme is compared with', async () => {
    const dir = tempDir('tacpay-rn-');
    cpSync(join(PROJECTS, 'react-native/good'), dir, { recursive: true });
    // No ids in tacpay config or TAC files: only the code says which AppID the app uses.
    writeFileSync(join(dir, 'tacpay.config.json'), '{}\n');
    rmSync(join(dir, 'ios/TacShopRN/tac_services_configurations_wechat.plist'));
    writeFileSync(join(dir, 'App.tsx'), "import * as WeChat from 'react-native-wechat-lib';\nWeChat.registerApp('wxd930ea5d5a258f4f', 'https://shop.example.com/app/');\n");
    const doc = json<Doc>(await runCli(['doctor', dir, '--json', '--skip', 'ios.tac-wechat-app-id'], { env: cleanEnv(), cwd: dir }));
    const r = doc.checks.find((c) => c.id === 'ios.wechat-url-scheme')!;
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('no URL scheme "wxd930ea5d5a258f4f"');
    expect(r.summary).toContain('App.tsx:2');
  });

  it('a TAC plugin applied through the version catalog is judged by its real id (alias(libs.plugins.x))', async () => {
    const dir = tempDir('tacpay-catalog-');
    cpSync(join(PROJECTS, 'target-sdk/version-catalog'), dir, { recursive: true });
    const app = join(dir, 'app/build.gradle.kts');
    writeFileSync(app, readFileSync(app, 'utf8').replace('    id("com.tencent.tac.services")\n', '').replace('    alias(libs.plugins.kotlin.android)', '    alias(libs.plugins.tac.services)\n    alias(libs.plugins.kotlin.android)'));
    const toml = join(dir, 'gradle/libs.versions.toml');
    writeFileSync(toml, `${readFileSync(toml, 'utf8')}tac-services = { id = "com.tencent.tac.services", version = "1.3.2" }\n`);
    const doc = json<Doc>(await runCli(['doctor', dir, '--json'], { env: cleanEnv(), cwd: dir }));
    const r = doc.checks.find((c) => c.id === 'android.tac-plugin')!;
    expect(r.status).toBe('fail');
    expect(r.summary).toBe('com.tencent.tac.services (line 3) is applied before org.jetbrains.kotlin.android (line 4)');
  });
});
