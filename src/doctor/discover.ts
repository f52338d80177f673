/**
 * Finding the app in a project directory, the way developers really lay them out: native iOS (an
 * .xcodeproj at the root), native Android (Gradle files at the root), React Native and Expo bare
 * (ios/ and android/ beside package.json), Flutter (ios/Runner and android/app beside
 * pubspec.yaml), Capacitor (ios/App/App.xcodeproj), Expo managed (app.json only), and the
 * official TAC demo's capitalised iOS/ and Android/. Folder names are matched case-insensitively.
 * uni-app and Cordova are named when seen (their native projects are generated), and a directory
 * with no app (a monorepo root, a plugin repository) gets suggestions of where the app is.
 * Walks are bounded, skip dependencies, build output and VCS folders, never follow directory
 * symlinks, and are sorted so every run sees the same order.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { allowed, CAPS, readBounded, type Confinement } from './fsread.js';
import type { Layout } from './types.js';

/** Folders never walked: dependencies, build output, IDE state. */
const SKIP_DIRS = new Set(['node_modules', 'Pods', 'build', 'DerivedData', '.git', '.gradle', '.idea', '.dart_tool', '.symlinks', 'Carthage', '.expo', 'xcuserdata', '.build', 'intermediates', 'outputs', '.cxx', '.externalNativeBuild']);
/** The Android application plugin, by id or through the version catalog (alias(libs.plugins.android.application)). */
const APPLICATION = /com\.android\.application|libs\.plugins\.android\.application\b/;
const LIBRARY = /com\.android\.library|libs\.plugins\.android\.library\b/;
const FLUTTER_KEY = /^[ \t]*flutter[ \t]*:/m;
const BUNDLE_DIR = /\.(xcodeproj|xcworkspace|xcassets|framework|xcframework|bundle|app|lproj)$/;

export async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

export async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

export interface Entry {
  name: string;
  dir: boolean;
  /** A symlink (to anything): never descended into; a file symlink is read through readBounded. */
  link: boolean;
}

/** Directory entries, sorted by code unit, or none when unreadable. */
export async function list(dir: string): Promise<Entry[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.map((e) => ({ name: e.name, dir: e.isDirectory(), link: e.isSymbolicLink() })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return [];
  }
}

/** The child of `dir` named `name`, ignoring case (`iOS/`, `Android/`); an exact match wins. */
export async function child(dir: string, name: string, kind: 'dir' | 'file' = 'dir'): Promise<string | undefined> {
  const entries = (await list(dir)).filter((e) => (kind === 'dir' ? e.dir : !e.dir));
  const hit = entries.find((e) => e.name === name) ?? entries.find((e) => e.name.toLowerCase() === name.toLowerCase());
  return hit ? join(dir, hit.name) : undefined;
}

/** What a walk saw: how many entries, and whether it stopped at its limit. */
export interface WalkStats {
  entries: number;
  truncated: boolean;
}

/** Files under `dir` (depth-limited, skipping SKIP_DIRS and bundles such as .xcodeproj) whose name passes `match`. */
export async function walk(
  dir: string,
  match: (name: string, path: string) => boolean,
  depth: number,
  opts: { limit?: number; skip?: (name: string) => boolean; stats?: WalkStats; confine?: Confinement; onRefused?: (dir: string, reason: string) => void } = {},
): Promise<string[]> {
  const out: string[] = [];
  const limit = opts.limit ?? 500;
  const stats = opts.stats ?? { entries: 0, truncated: false };
  // Subdirectory symlinks are never descended (readdir reports them as links); the start dir itself
  // (assets -> /usr) is resolved and must stay inside the project.
  if (opts.confine) {
    const real = await realpath(dir).catch(() => undefined);
    if (real === undefined) return out;
    if (!allowed(opts.confine, real)) {
      opts.onRefused?.(dir, `a directory that links outside the project (to ${real}); not walked`);
      return out;
    }
  }
  const visit = async (d: string, level: number): Promise<void> => {
    for (const e of await list(d)) {
      if (out.length >= limit) {
        stats.truncated = true;
        return;
      }
      stats.entries++;
      const p = join(d, e.name);
      if (e.dir) {
        if (level < depth && !SKIP_DIRS.has(e.name) && !BUNDLE_DIR.test(e.name) && !opts.skip?.(e.name)) await visit(p, level + 1);
      } else if (match(e.name, p)) out.push(p);
    }
  };
  await visit(dir, 0);
  return out;
}

export interface Discovered {
  layouts: Layout[];
  iosDir?: string;
  androidDir?: string;
  /** Expo managed: the static config file (app.json / app.config.json) to read. */
  expoConfig?: string;
  /** What was seen and is worth saying: the framework, files not read, generated projects. */
  notes: string[];
  /** Where an app probably is, relative to the root, when the root itself has none. */
  suggestions: string[];
  /** package.json dependencies (React Native, Expo, Capacitor): the libraries the app links. */
  npmDependencies: string[];
  /** pubspec.yaml as read here, so later steps do not read it again. */
  pubspec?: string;
}

async function readText(p: string, confine: Confinement): Promise<string | undefined> {
  try {
    return (await readBounded(p, CAPS.config, confine)).toString('utf8');
  } catch {
    return undefined;
  }
}

async function findXcodeproj(dir: string): Promise<boolean> {
  return (await list(dir)).some((e) => e.dir && e.name.endsWith('.xcodeproj') && e.name !== 'Pods.xcodeproj');
}

async function hasGradle(dir: string): Promise<boolean> {
  const names = new Set((await list(dir)).filter((e) => !e.dir).map((e) => e.name));
  if (['settings.gradle', 'settings.gradle.kts', 'build.gradle', 'build.gradle.kts'].some((n) => names.has(n))) return true;
  const app = await child(dir, 'app');
  return app !== undefined && (await isFile(join(app, 'src/main/AndroidManifest.xml')));
}

/** The iOS project dir below `base`: `base` itself, or one level down (Capacitor's ios/App, a demo's iOS/<Name>). */
async function iosBelow(base: string): Promise<string | undefined> {
  if (await findXcodeproj(base)) return base;
  const app = await child(base, 'App');
  if (app && (await findXcodeproj(app))) return app;
  for (const e of await list(base)) if (e.dir && !e.link && !SKIP_DIRS.has(e.name) && !BUNDLE_DIR.test(e.name) && (await findXcodeproj(join(base, e.name)))) return join(base, e.name);
  return undefined;
}

async function androidBelow(base: string): Promise<string | undefined> {
  if (await hasGradle(base)) return base;
  for (const e of await list(base)) if (e.dir && !e.link && !SKIP_DIRS.has(e.name) && (await hasGradle(join(base, e.name)))) return join(base, e.name);
  return undefined;
}

interface PackageJson {
  dependencies?: Record<string, unknown>;
  devDependencies?: Record<string, unknown>;
}

function parsePackage(text: string | undefined): PackageJson | undefined {
  if (!text) return undefined;
  try {
    const j = JSON.parse(text) as unknown;
    return j && typeof j === 'object' && !Array.isArray(j) ? (j as PackageJson) : undefined;
  } catch {
    return undefined;
  }
}

/** Which layouts `root` has, and where its iOS and Android projects are. */
export async function discoverLayout(root: string, confine: Confinement): Promise<Discovered> {
  const layouts: Layout[] = [];
  const notes: string[] = [];
  const pubspec = await readText(join(root, 'pubspec.yaml'), confine);
  const pkg = parsePackage(await readText(join(root, 'package.json'), confine));
  const deps = { ...(pkg?.dependencies ?? {}), ...(pkg?.devDependencies ?? {}) };
  const has = (name: string) => Object.hasOwn(deps, name);
  const npmDependencies = Object.keys(pkg?.dependencies ?? {}).sort();

  let iosDir: string | undefined;
  let androidDir: string | undefined;
  if (await findXcodeproj(root)) iosDir = root;
  else {
    const base = await child(root, 'ios');
    if (base) iosDir = await iosBelow(base);
  }
  const androidBase = await child(root, 'android');
  if (androidBase) androidDir = await androidBelow(androidBase);
  if (!androidDir && (await hasGradle(root))) androidDir = root;
  // A plugin repository's android/ is a library (com.android.library): the app is in example/.
  if (androidDir && (await libraryOnly(androidDir, confine))) {
    notes.push(`${relative(root, androidDir) ? `${relative(root, androidDir)}/` : 'the directory'} is an Android library (com.android.library), not an app: not checked`);
    androidDir = undefined;
  }

  // [ \t], not \s: with the m flag, \s* would try every later line from each line start (quadratic).
  const flutter = pubspec !== undefined && FLUTTER_KEY.test(pubspec);
  const capConfig = (await list(root)).find((e) => !e.dir && /^capacitor\.config\.(json|ts|js)$/.test(e.name));
  const capacitor = capConfig !== undefined || has('@capacitor/core');
  const rn = has('react-native');
  const expo = has('expo');

  if (flutter) layouts.push('flutter');
  else if (capacitor) {
    layouts.push('capacitor');
    notes.push(`Capacitor project (${capConfig?.name ?? '@capacitor/core in package.json'}): checking its native projects${iosDir ? ` ${relative(root, iosDir)}/` : ''}${androidDir ? ` ${relative(root, androidDir)}/` : ''}`);
  } else if (rn || expo) {
    if (expo && !iosDir && !androidDir) layouts.push('expo');
    else layouts.push('react-native');
    if (expo && (iosDir || androidDir)) notes.push('Expo project with native folders (bare workflow, or after expo prebuild): checking ios/ and android/; app.json changes reach them only through the next prebuild');
  } else {
    if (iosDir) layouts.push('ios-native');
    if (androidDir) layouts.push('android-native');
  }

  let expoConfig: string | undefined;
  if (expo || layouts.includes('react-native')) {
    const entries = (await list(root)).filter((e) => !e.dir).map((e) => e.name);
    const dynamic = entries.find((n) => /^app\.config\.(js|ts|mjs|cjs)$/.test(n));
    const staticFile = entries.find((n) => n === 'app.config.json') ?? entries.find((n) => n === 'app.json');
    if (dynamic) notes.push(`${dynamic} is code and was not run; tacpay read ${staticFile ?? 'no static config'} only (npx expo config --type prebuild --json shows the resolved config)`);
    if (expo && staticFile) expoConfig = join(root, staticFile);
  }

  // Seen, not checked: their native projects are generated by their own tools.
  const manifestJson = await readText(join(root, 'manifest.json'), confine);
  if (manifestJson && /"app-plus"\s*:/.test(manifestJson)) {
    layouts.push('uni-app');
    notes.push('uni-app project (manifest.json with app-plus): its iOS and Android projects are generated by HBuilderX, so tacpay does not check manifest.json; check the native project of a local build (发行 → 原生App-本地打包) with tacpay doctor <dir>');
  }
  const configXml = await readText(join(root, 'config.xml'), confine);
  if (configXml && /<widget\b[^>]*cordova/i.test(configXml)) {
    layouts.push('cordova');
    const platforms = await child(root, 'platforms');
    const generated = platforms ? [(await child(platforms, 'ios')) && 'platforms/ios', (await child(platforms, 'android')) && 'platforms/android'].filter(Boolean) : [];
    notes.push(`Cordova project (config.xml): tacpay does not check config.xml; ${generated.length ? `check the generated ${generated.join(' and ')} with tacpay doctor ${generated[0]}` : 'run cordova prepare, then tacpay doctor platforms/android (or platforms/ios)'}`);
  }

  const suggestions = iosDir || androidDir || layouts.includes('expo') ? [] : await suggest(root, confine);
  return { layouts, notes, suggestions, npmDependencies, ...(pubspec !== undefined ? { pubspec } : {}), ...(iosDir ? { iosDir } : {}), ...(androidDir ? { androidDir } : {}), ...(expoConfig ? { expoConfig } : {}) };
}

/** Dirs one or two levels down that hold an app: example/, examples/*, apps/*, packages/*, and any direct child. */
async function suggest(root: string, confine: Confinement): Promise<string[]> {
  const out: string[] = [];
  const isApp = async (d: string) => (await findXcodeproj(d)) || ((await hasGradle(d)) && !(await libraryOnly(d, confine))) || Boolean((await child(d, 'ios')) && (await child(d, 'android'))) || FLUTTER_KEY.test((await readText(join(d, 'pubspec.yaml'), confine)) ?? '') || /"expo"\s*:/.test((await readText(join(d, 'package.json'), confine)) ?? '');
  for (const e of await list(root)) {
    if (!e.dir || e.link || SKIP_DIRS.has(e.name) || e.name.startsWith('.')) continue;
    const d = join(root, e.name);
    if (await isApp(d)) out.push(e.name);
    else if (/^(apps|packages|examples|samples|demo|demos|mobile|clients)$/i.test(e.name)) {
      for (const g of await list(d)) if (g.dir && !g.link && !g.name.startsWith('.') && (await isApp(join(d, g.name)))) out.push(`${e.name}/${g.name}`);
    }
    if (out.length >= 8) break;
  }
  // example/ first: a plugin repository's app is the one to check.
  return out.sort((a, b) => Number(!/^examples?(\/|$)/i.test(a)) - Number(!/^examples?(\/|$)/i.test(b)));
}

/**
 * Gradle files that build libraries and no application: a plugin's android/ folder, or a library
 * repository whose `app` module applies com.android.library (the root and every included module).
 */
async function libraryOnly(dir: string, confine: Confinement): Promise<boolean> {
  const scripts: string[] = [];
  const read = async (d: string) => {
    for (const f of ['build.gradle', 'build.gradle.kts']) {
      const t = await readText(join(d, f), confine);
      if (t) scripts.push(t.replace(/\/\/[^\n]*/g, ''));
    }
  };
  await read(dir);
  const settings = ((await readText(join(dir, 'settings.gradle'), confine)) ?? (await readText(join(dir, 'settings.gradle.kts'), confine)) ?? '').replace(/\/\/[^\n]*/g, '');
  const modules = [...settings.matchAll(/["']:?([\w-]+(?::[\w-]+)*)["']/g)].map((m) => m[1]!.replace(/:/g, '/'));
  for (const m of [...new Set(modules.length ? modules.slice(0, 200) : ['app'])]) await read(join(dir, m));
  if (scripts.some((t) => APPLICATION.test(t))) return false;
  return scripts.some((t) => LIBRARY.test(t));
}

/** The Android application module: from settings.gradle includes, the one applying com.android.application; else `app`. */
export async function findAppModule(androidDir: string, confine: Confinement): Promise<string> {
  const settings = (await readText(join(androidDir, 'settings.gradle'), confine)) ?? (await readText(join(androidDir, 'settings.gradle.kts'), confine)) ?? '';
  const included = [...settings.matchAll(/["']:?([\w-]+(?::[\w-]+)*)["']/g)].map((m) => m[1]!.replace(/:/g, '/'));
  // A settings file with thousands of includes (generated) is looked at for its first 200 modules.
  const candidates = [...new Set([...included.slice(0, 200), 'app'])];
  for (const m of candidates) {
    const g = (await readText(join(androidDir, m, 'build.gradle'), confine)) ?? (await readText(join(androidDir, m, 'build.gradle.kts'), confine));
    if (g && APPLICATION.test(g)) return m;
  }
  for (const m of candidates) if (await isFile(join(androidDir, m, 'src/main/AndroidManifest.xml'))) return m;
  return 'app';
}
