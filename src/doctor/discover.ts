/**
 * Finding project files in the four layouts: native iOS (an .xcodeproj at the root), native Android
 * (Gradle files at the root), React Native (ios/ and android/ beside package.json) and Flutter
 * (ios/Runner and android/app beside pubspec.yaml). Bounded walks that skip build output,
 * dependencies and VCS folders; results are sorted so every run sees the same order.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Layout } from './types.js';

/** Folders never walked: dependencies, build output, IDE state. */
const SKIP_DIRS = new Set(['node_modules', 'Pods', 'build', 'DerivedData', '.git', '.gradle', '.idea', '.dart_tool', '.symlinks', 'Carthage', '.expo', 'xcuserdata', '.build', 'intermediates', 'outputs']);

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

/** Directory entries, sorted by code unit, or none when unreadable. */
export async function list(dir: string): Promise<Array<{ name: string; dir: boolean }>> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.map((e) => ({ name: e.name, dir: e.isDirectory() })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return [];
  }
}

/** Files under `dir` (depth-limited, skipping SKIP_DIRS and bundles such as .xcodeproj) whose name passes `match`. */
export async function walk(dir: string, match: (name: string) => boolean, depth: number, opts: { limit?: number; skip?: (name: string) => boolean } = {}): Promise<string[]> {
  const out: string[] = [];
  const limit = opts.limit ?? 500;
  const visit = async (d: string, level: number): Promise<void> => {
    for (const e of await list(d)) {
      if (out.length >= limit) return;
      const p = join(d, e.name);
      if (e.dir) {
        if (level < depth && !SKIP_DIRS.has(e.name) && !/\.(xcodeproj|xcworkspace|xcassets|framework|bundle|app)$/.test(e.name) && !opts.skip?.(e.name)) await visit(p, level + 1);
      } else if (match(e.name)) out.push(p);
    }
  };
  await visit(dir, 0);
  return out;
}

export interface Discovered {
  layouts: Layout[];
  iosDir?: string;
  androidDir?: string;
}

async function readText(p: string): Promise<string | undefined> {
  try {
    return await readFile(p, 'utf8');
  } catch {
    return undefined;
  }
}

async function hasXcodeproj(dir: string): Promise<boolean> {
  return (await list(dir)).some((e) => e.dir && e.name.endsWith('.xcodeproj') && e.name !== 'Pods.xcodeproj');
}

async function hasGradle(dir: string): Promise<boolean> {
  const names = new Set((await list(dir)).map((e) => e.name));
  return ['settings.gradle', 'settings.gradle.kts', 'build.gradle', 'build.gradle.kts'].some((n) => names.has(n)) || (await isFile(join(dir, 'app/src/main/AndroidManifest.xml')));
}

/** Which layouts `root` has, and where its iOS and Android projects are. */
export async function discoverLayout(root: string): Promise<Discovered> {
  const layouts: Layout[] = [];
  const pubspec = await readText(join(root, 'pubspec.yaml'));
  const pkg = await readText(join(root, 'package.json'));
  let rn = false;
  if (pkg) {
    try {
      const j = JSON.parse(pkg) as { dependencies?: Record<string, unknown>; devDependencies?: Record<string, unknown> };
      rn = Boolean(j.dependencies?.['react-native'] ?? j.devDependencies?.['react-native']);
    } catch {
      /* not a package.json we can read; not React Native then */
    }
  }
  const flutter = pubspec !== undefined && /^\s*flutter\s*:/m.test(pubspec);
  let iosDir: string | undefined;
  let androidDir: string | undefined;
  if (await hasXcodeproj(root)) iosDir = root;
  else if (await hasXcodeproj(join(root, 'ios'))) iosDir = join(root, 'ios');
  if (await hasGradle(join(root, 'android'))) androidDir = join(root, 'android');
  else if (await hasGradle(root)) androidDir = root;
  if (flutter) layouts.push('flutter');
  else if (rn) layouts.push('react-native');
  else {
    if (iosDir) layouts.push('ios-native');
    if (androidDir) layouts.push('android-native');
  }
  return { layouts, ...(iosDir ? { iosDir } : {}), ...(androidDir ? { androidDir } : {}) };
}

/** The Android application module: from settings.gradle includes, the one applying com.android.application; else `app`. */
export async function findAppModule(androidDir: string): Promise<string> {
  const settings = (await readText(join(androidDir, 'settings.gradle'))) ?? (await readText(join(androidDir, 'settings.gradle.kts'))) ?? '';
  const included = [...settings.matchAll(/["']:?([\w-]+(?::[\w-]+)*)["']/g)].map((m) => m[1]!.replace(/:/g, '/'));
  const candidates = [...new Set([...included, 'app'])];
  for (const m of candidates) {
    const g = (await readText(join(androidDir, m, 'build.gradle'))) ?? (await readText(join(androidDir, m, 'build.gradle.kts')));
    if (g && /com\.android\.application/.test(g)) return m;
  }
  for (const m of candidates) if (await isFile(join(androidDir, m, 'src/main/AndroidManifest.xml'))) return m;
  return 'app';
}
