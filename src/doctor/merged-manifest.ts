/**
 * The manifest Android actually builds: the app's AndroidManifest.xml merged with the manifests of
 * what it links. Real apps get WeChat's `<queries>`, permissions and even the Midas activities from
 * a plugin (React Native libraries under node_modules/<lib>/android, Flutter plugins listed in
 * .flutter-plugins-dependencies, `project(':x')` modules, local AARs in libs/). When the build
 * has left its own merged manifest (build/intermediates/merged_manifest*), that one is used as is.
 * What cannot be seen (a remote AAR, a plugin not fetched) is listed, so checks can say "may come
 * from X" and warn instead of failing. Every declaration remembers where it came from.
 */
import { realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { isDir, isFile, list, walk } from './discover.js';
import { allowed, CAPS, readBounded, Refused, type Confinement } from './fsread.js';
import { parseGradle } from './parsers/gradle.js';
import { parseManifest } from './parsers/manifest.js';
import { unzipEntries } from './deps.js';
import { pubspecDependencies } from './pubspec.js';
import type { GradleSummary, ManifestActivity, ManifestPart, ManifestSummary, MergedManifest } from './types.js';

export type { ManifestPart, MergedManifest } from './types.js';

/** Dependencies that may declare what the Midas, WeChat and QQ SDKs need. */
// Not every Tencent artifact: com.tencent:mmkv or Bugly bring no WeChat/QQ declarations.
/** Where Flutter plugins live outside a project: the pub cache (any OS), the Flutter SDK's packages. */
const PLUGIN_HOME = /\/(?:\.pub-cache|Pub\/Cache|pub-cache)\/|\/flutter\/packages\//;

export const CHANNEL_DEP = /wechat|weixin|wxpay|fluwx|opensdk|tencent\.mm\b|\bqq|mqq|qwallet|midas|com\.tencent\.tac\b|\btac\b/i;

export function merge(parts: readonly ManifestPart[]): Pick<MergedManifest, 'permissions' | 'queries' | 'activities'> {
  const permissions = new Map<string, string>();
  const queries = new Map<string, string>();
  const activities: Array<ManifestActivity & { from: string }> = [];
  for (const p of parts) {
    if (!p.summary) continue;
    for (const x of p.summary.permissions) if (!permissions.has(x)) permissions.set(x, p.from);
    for (const x of p.summary.queries.packages) if (!queries.has(x)) queries.set(x, p.from);
    // The app's declaration wins over a library's of the same activity (the merger's priority).
    for (const a of p.summary.activities) if (!activities.some((b) => b.name === a.name)) activities.push({ ...a, from: p.from });
  }
  for (const p of parts) for (const x of p.summary?.removedPermissions ?? []) permissions.delete(x);
  return { permissions, queries, activities };
}

export interface MergeInput {
  root: string;
  confine: Confinement;
  androidDir: string;
  modDir: string;
  /** The app manifest as gathered (already parsed). */
  app?: { path: string; abs: string; summary?: ManifestSummary };
  appGradle?: GradleSummary;
  settings?: GradleSummary;
  npmDependencies: readonly string[];
  flutter: boolean;
  /** pubspec.yaml as discovery read it (Flutter). */
  pubspec?: string;
  show(abs: string): string;
}

async function parsePart(from: string, abs: string, input: MergeInput, bytes?: Buffer): Promise<ManifestPart> {
  const part: ManifestPart = { from, path: input.show(abs) };
  try {
    const b = bytes ?? (await readBounded(abs, CAPS.config, input.confine));
    part.summary = parseManifest(b.toString('utf8'));
  } catch (err) {
    part.error = err instanceof Refused ? err.reason : (err as Error).message;
  }
  return part;
}

/** The newest build-output merged manifest, if it is not older than the app manifest. */
async function buildOutput(input: MergeInput): Promise<{ abs: string; variant: string } | { stale: string } | undefined> {
  const base = join(input.modDir, 'build', 'intermediates');
  if (!(await isDir(base))) return undefined;
  const found = await walk(base, (n, p) => n === 'AndroidManifest.xml' && /[\\/]merged_manifests?[\\/]/.test(p), 5, { limit: 20 });
  if (!found.length) return undefined;
  const withTime = await Promise.all(found.map(async (abs) => ({ abs, t: (await stat(abs).catch(() => undefined))?.mtimeMs ?? 0 })));
  withTime.sort((a, b) => b.t - a.t || (a.abs < b.abs ? -1 : 1));
  const best = withTime[0]!;
  const appTime = input.app ? ((await stat(input.app.abs).catch(() => undefined))?.mtimeMs ?? 0) : 0;
  // A fresh clone writes every file within moments, in no particular order: only a clearly older
  // merged manifest (the app manifest edited after the last build) is stale.
  if (best.t + 2000 < appTime) return { stale: input.show(best.abs) };
  const m = /merged_manifests?[\\/]([^\\/]+)/.exec(best.abs);
  return { abs: best.abs, variant: m?.[1] ?? 'build' };
}

/** Remote dependencies that could bring channel declarations, of one Gradle script. */
function remoteChannelDeps(g: GradleSummary | undefined, owner: string): string[] {
  return (g?.dependencies ?? []).filter((d) => CHANNEL_DEP.test(d) && !/^com\.tencent\.tac:tac-(core|services-plugin)/.test(d)).map((d) => `${d} (remote AAR${owner ? ` of ${owner}` : ''}, its manifest not seen)`);
}

async function gradleOf(dir: string, input: MergeInput): Promise<GradleSummary | undefined> {
  for (const n of ['build.gradle', 'build.gradle.kts']) {
    const p = join(dir, n);
    if (!(await isFile(p))) continue;
    try {
      return parseGradle((await readBounded(p, CAPS.config, input.confine)).toString('utf8'));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** A library dir's manifest (and its remote channel dependencies) as a part. */
async function library(from: string, dir: string, input: MergeInput, out: MergedManifest): Promise<void> {
  const manifest = join(dir, 'src', 'main', 'AndroidManifest.xml');
  if (await isFile(manifest)) out.parts.push(await parsePart(from, manifest, input));
  else out.unseen.push(`${from} (no src/main/AndroidManifest.xml in ${input.show(dir)})`);
  out.unseen.push(...remoteChannelDeps(await gradleOf(dir, input), from));
}

/** Flutter plugins with an Android part: .flutter-plugins-dependencies, else .flutter-plugins, plus pubspec path: deps. */
async function flutterPlugins(input: MergeInput): Promise<{ plugins: Array<{ name: string; path: string }>; listed: boolean }> {
  const plugins: Array<{ name: string; path: string }> = [];
  let listed = false;
  try {
    const j = JSON.parse((await readBounded(join(input.root, '.flutter-plugins-dependencies'), CAPS.config, input.confine)).toString('utf8')) as { plugins?: { android?: Array<{ name?: unknown; path?: unknown }> } };
    listed = true;
    for (const p of j.plugins?.android ?? []) if (typeof p.name === 'string' && typeof p.path === 'string') plugins.push({ name: p.name, path: p.path });
  } catch {
    try {
      const t = (await readBounded(join(input.root, '.flutter-plugins'), CAPS.config, input.confine)).toString('utf8');
      listed = true;
      for (const line of t.split(/\r?\n/)) {
        const m = /^([\w-]+)=(.+)$/.exec(line.trim());
        if (m) plugins.push({ name: m[1]!, path: m[2]! });
      }
    } catch {
      /* neither file: `flutter pub get` has not run here */
    }
  }
  return { plugins, listed };
}

/** Finds and reads every manifest the app's build would merge. */
export async function gatherMerged(input: MergeInput): Promise<MergedManifest> {
  const out: MergedManifest = { parts: [], permissions: new Map(), queries: new Map(), activities: [], unseen: [], consumerRules: [], notes: [] };
  if (input.app) out.parts.push({ from: 'app', path: input.app.path, ...(input.app.summary ? { summary: input.app.summary } : {}) });

  const built = await buildOutput(input);
  if (built && 'abs' in built) {
    const part = await parsePart(`the build's merged manifest (${built.variant})`, built.abs, input);
    if (part.summary) {
      out.parts = [part];
      out.buildOutput = part.path;
      Object.assign(out, merge(out.parts));
      return out;
    }
  } else if (built) out.notes.push(`${built.stale} is older than the app manifest, so it was not used; build once to refresh it`);

  await moduleLibraries(input, out);
  if (input.npmDependencies.length) await npmPlugins(input, out);
  if (input.flutter) await flutterLibraries(input, out);
  await localAars(input, out);
  out.unseen.push(...remoteChannelDeps(input.appGradle, ''));
  Object.assign(out, merge(out.parts));
  return out;
}

/** Library modules the app depends on (project(':x')), where settings.gradle puts them. */
async function moduleLibraries(input: MergeInput, out: MergedManifest): Promise<void> {
  const settings = input.settings;
  for (const name of [...new Set(input.appGradle?.projectDeps ?? [])]) {
    const override = settings?.projectDirs[name];
    const dir = override ? resolve(input.androidDir, override) : join(input.androidDir, ...name.split(':'));
    if (!allowed(input.confine, dir)) {
      out.unseen.push(`module :${name} (its dir ${override} is outside the project)`);
      continue;
    }
    await library(override?.includes('node_modules') ? `library ${name}` : `module :${name}`, dir, input, out);
  }
}

/**
 * React Native / Capacitor autolinking: every npm dependency with an android/ folder, found the
 * way Node resolves it (the app's node_modules, then a workspace root's, where hoisting and pnpm
 * put them; pnpm's entries are symlinks into node_modules/.pnpm).
 */
async function npmPlugins(input: MergeInput, out: MergedManifest): Promise<void> {
  const roots: string[] = [];
  for (let d = input.root, i = 0; i < 4; i++, d = dirname(d)) {
    if (await isDir(join(d, 'node_modules'))) roots.push(join(d, 'node_modules'));
    if (dirname(d) === d) break;
  }
  if (!roots.length) out.unseen.push(`the npm dependencies ${input.npmDependencies.join(', ')} (node_modules/ is missing: run npm install so their manifests can be read)`);
  for (const dep of roots.length ? input.npmDependencies : []) {
    let pkg: string | undefined;
    for (const r of roots) if (!pkg && (await isDir(join(r, ...dep.split('/'))))) pkg = join(r, ...dep.split('/'));
    if (!pkg) {
      out.unseen.push(`plugin ${dep} (in package.json but in no node_modules: run npm install)`);
      continue;
    }
    const dir = join(pkg, 'android');
    if (!(await isDir(dir))) continue;
    if (out.parts.some((p) => p.path.startsWith(input.show(dir)))) continue;
    // A package outside the project (hoisted, pnpm): its own dir is the confinement.
    const real = await realpath(dir).catch(() => dir);
    await library(`plugin ${dep}`, dir, allowed(input.confine, real) ? input : { ...input, confine: { realRoot: real } }, out);
  }
}

/** Flutter plugins with an Android part, and pubspec path: dependencies. */
async function flutterLibraries(input: MergeInput, out: MergedManifest): Promise<void> {
  const { plugins, listed } = await flutterPlugins(input);
  const pub = input.pubspec !== undefined ? pubspecDependencies(input.pubspec) : { names: [], paths: new Map<string, string>() };
  const seen = new Set<string>();
  for (const p of plugins) {
    seen.add(p.name);
    const candidates = [p.path, ...(isAbsolute(p.path) ? [] : [resolve(input.root, p.path)])].map((x) => join(x, 'android'));
    let dir: string | undefined;
    for (const c of candidates) if (!dir && (await isDir(c))) dir = c;
    // Outside the project, only a pub cache or the Flutter SDK's own packages are plugin homes:
    // the file is project content, and "/etc" there must not decide a verdict.
    if (dir && !allowed(input.confine, await realpath(dir).catch(() => dir!)) && !PLUGIN_HOME.test(dir.split('\\').join('/'))) {
      out.unseen.push(`plugin ${p.name} (its path ${p.path} is outside the project and not in a pub cache; not read)`);
      continue;
    }
    if (!dir) {
      out.unseen.push(`plugin ${p.name} (listed in .flutter-plugins-dependencies at ${p.path}, which is not on this machine: run flutter pub get)`);
      continue;
    }
    // The pub cache (~/.pub-cache) is outside the project, and that is normal: the plugin's own
    // dir is then the confinement, so a symlink in it still cannot lead elsewhere.
    await library(`plugin ${p.name}`, dir, allowed(input.confine, dir) ? input : { ...input, confine: { realRoot: dir } }, out);
  }
  for (const [name, path] of pub.paths) {
    if (seen.has(name)) continue;
    seen.add(name);
    const dir = join(resolve(input.root, path), 'android');
    if ((await isDir(dir)) && allowed(input.confine, dir)) await library(`plugin ${name}`, dir, input, out);
  }
  const unresolved = pub.names.filter((n) => !seen.has(n));
  if (!listed && unresolved.length) out.unseen.push(`the Flutter plugins among ${unresolved.join(', ')} (no .flutter-plugins-dependencies: run flutter pub get so their manifests can be read)`);
}

/** Local AARs: their manifest (and consumer ProGuard rules) are merged like a module's. */
async function localAars(input: MergeInput, out: MergedManifest): Promise<void> {
  for (const e of await list(join(input.modDir, 'libs'))) {
    if (e.dir || !e.name.endsWith('.aar')) continue;
    const abs = join(input.modDir, 'libs', e.name);
    const from = `AAR ${input.show(abs)}`;
    try {
      const files = unzipEntries(await readBounded(abs, CAPS.aar, input.confine), ['AndroidManifest.xml', 'proguard.txt'], CAPS.config);
      if (files['AndroidManifest.xml']) out.parts.push(await parsePart(from, abs, input, files['AndroidManifest.xml']));
      else out.unseen.push(`${from} (it holds no AndroidManifest.xml)`);
      if (files['proguard.txt']) out.consumerRules.push({ from, text: files['proguard.txt'].toString('utf8') });
    } catch (err) {
      out.parts.push({ from, path: input.show(abs), error: err instanceof Refused ? err.reason : `not a readable AAR (${(err as Error).message})` });
    }
  }
}
