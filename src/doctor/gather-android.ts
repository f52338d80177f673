/**
 * The Android part of the gather step: the app module (found from settings.gradle, or derived
 * from an explicit --android-manifest / --gradle path the same way), its manifest merged with
 * what it links, the Gradle scripts with their values traced (ext, applied files,
 * gradle.properties, the version catalog), ProGuard files, TAC json files, jars, and the sources
 * and resources that ship.
 */
import { basename, dirname, join, relative, resolve } from 'node:path';
import { findAppModule, isFile, list } from './discover.js';
import { byName, TAC_JSON, type ExplicitPaths, type GatherContext } from './gather-context.js';
import { catalogKey, catalogPlugins, catalogVersions, extDefinitions, propertyDefinitions, resolveInt, type Sources } from './gradle-values.js';
import { allow, inside } from './fsread.js';
import { mergeConfigs } from './merge-config.js';
import { gatherMerged } from './merged-manifest.js';
import { parseGradle } from './parsers/gradle.js';
import { parseJsonObject } from './parsers/json.js';
import { parseManifest } from './parsers/manifest.js';
import type { FileEntry, GradleSummary, Snapshot } from './types.js';

const SHIPPED_SOURCE = /\.(java|kt)$/;
/** Media and binaries: not where keys are pasted, and they would use up the scan's file limit. */
export const MEDIA = /\.(png|jpe?g|gif|webp|bmp|ico|svg|mp3|mp4|m4a|ogg|wav|ttf|otf|woff2?|zip|so|aar|jar|apk|bin|pdf|dex)$/i;

async function hasProjectGradle(dir: string): Promise<boolean> {
  const names = new Set((await list(dir)).map((e) => e.name));
  return ['settings.gradle', 'settings.gradle.kts'].some((n) => names.has(n));
}

/** Module dir and project dir from an explicit file: `<module>/src/<set>/AndroidManifest.xml` or `<module>/build.gradle`. */
async function fromExplicit(file: string, root: string): Promise<{ androidDir: string; modDir: string }> {
  let modDir = dirname(file);
  if (basename(file) === 'AndroidManifest.xml' && basename(dirname(dirname(file))) === 'src') modDir = dirname(dirname(dirname(file)));
  const parent = dirname(modDir);
  // The project dir is the module's parent when it holds settings.gradle (inside the root, or
  // anywhere when the user's path is outside it: they pointed at that project).
  const mayClimb = inside(root, parent) || !inside(root, modDir);
  const androidDir = (await hasProjectGradle(modDir)) ? modDir : mayClimb && (await hasProjectGradle(parent)) ? parent : modDir;
  return { androidDir, modDir };
}

type Android = NonNullable<Snapshot['android']>;

/** The Android part of the snapshot: module, manifests, Gradle scripts and traced values, TAC json files, rules and shipped files. */
export async function gatherAndroid(g: GatherContext, found: { androidDir?: string }, paths: ExplicitPaths, extra: { npmDependencies: readonly string[]; flutter: boolean; pubspec?: string }): Promise<Android> {
  const root = g.root;
  const { androidDir, modDir } = await locateModule(g, found, paths);
  if (!inside(g.confine.realRoot, androidDir)) await allow(g.confine, androidDir);
  const module = relative(androidDir, modDir).split('\\').join('/') || '.';
  const android: Android = { dir: g.show(androidDir), module, otherGradle: [], tacJsons: [], tac: {}, unpackage: [], jars: [], targetSdk: {}, proguard: [] };

  const gradlePath = await gatherModuleFiles(g, android, paths, modDir);
  const settings = await gatherProjectGradle(g, android, androidDir, gradlePath);
  await traceGradleValues(g, android, androidDir, gradlePath);

  android.merged = await gatherMerged({
    root,
    confine: g.confine,
    androidDir,
    modDir,
    ...(android.manifest ? { app: { path: android.manifest.path, abs: android.manifest.abs, ...(android.manifest.value ? { summary: android.manifest.value } : {}) } } : {}),
    ...(android.gradle?.value ? { appGradle: android.gradle.value } : {}),
    ...(settings?.value ? { settings: settings.value } : {}),
    npmDependencies: extra.npmDependencies,
    flutter: extra.flutter,
    ...(extra.pubspec !== undefined ? { pubspec: extra.pubspec } : {}),
    show: (a) => g.show(a),
  });
  g.notes.push(...android.merged.notes);

  await gatherTacJsons(g, android, paths, modDir);
  android.jars = (await list(join(modDir, 'libs'))).filter((e) => !e.dir && e.name.endsWith('.jar')).map((e) => e.name);
  await gatherRulesAndSources(g, android, modDir);
  return android;
}

/** The project dir and the app module's dir: from an explicit --gradle / --android-manifest, discovery, or the TAC json given. */
async function locateModule(g: GatherContext, found: { androidDir?: string }, paths: ExplicitPaths): Promise<{ androidDir: string; modDir: string }> {
  const root = g.root;
  const anchor = explicitPath(root, paths.gradle) ?? explicitPath(root, paths.androidManifest);
  if (anchor && !(found.androidDir && inside(found.androidDir, anchor))) return fromExplicit(anchor, root);
  if (anchor && found.androidDir) return { androidDir: found.androidDir, modDir: (await fromExplicit(anchor, root)).modDir };
  if (found.androidDir) return { androidDir: found.androidDir, modDir: join(found.androidDir, await findAppModule(found.androidDir, g.confine)) };
  const androidDir = dirname(resolve(root, paths.tacJsons![0]!));
  return { androidDir, modDir: androidDir };
}

function explicitPath(root: string, p: string | undefined): string | undefined {
  return p ? resolve(root, p) : undefined;
}

const gradleParse = (b: Buffer) => ({ value: parseGradle(b.toString('utf8')), format: 'Gradle' });

/** The module's AndroidManifest.xml and build.gradle(.kts); returns the Gradle script's path, if there is one. */
async function gatherModuleFiles(g: GatherContext, android: Android, paths: ExplicitPaths, modDir: string): Promise<string | undefined> {
  const manifestPath = explicitPath(g.root, paths.androidManifest) ?? join(modDir, 'src/main/AndroidManifest.xml');
  if (paths.androidManifest || (await isFile(manifestPath))) {
    android.manifest = await g.load('android.manifest', manifestPath, paths.androidManifest ? 'flag' : 'discovered', (b) => ({ value: parseManifest(b.toString('utf8')), format: 'XML' }));
    g.shipped.add(manifestPath);
  } else g.missing.push({ role: 'android.manifest', lookedFor: [g.show(manifestPath)] });

  let gradlePath = explicitPath(g.root, paths.gradle);
  if (!gradlePath) {
    for (const n of ['build.gradle', 'build.gradle.kts']) if (!gradlePath && (await isFile(join(modDir, n)))) gradlePath = join(modDir, n);
    if (!gradlePath) g.missing.push({ role: 'android.gradle', lookedFor: [g.show(join(modDir, 'build.gradle')), g.show(join(modDir, 'build.gradle.kts'))] });
  }
  if (gradlePath) android.gradle = await g.load<GradleSummary>('android.gradle', gradlePath, paths.gradle ? 'flag' : 'discovered', gradleParse);
  return gradlePath;
}

/** Project-level scripts, and the scripts they apply (Capacitor's variables.gradle, versions.gradle); returns settings.gradle's entry. */
async function gatherProjectGradle(g: GatherContext, android: Android, androidDir: string, gradlePath: string | undefined): Promise<FileEntry<GradleSummary> | undefined> {
  const seen = new Set([gradlePath]);
  const queue = ['build.gradle', 'build.gradle.kts', 'settings.gradle', 'settings.gradle.kts'].map((n) => join(androidDir, n));
  let settings: FileEntry<GradleSummary> | undefined;
  while (queue.length && android.otherGradle.length < 12) {
    const p = queue.shift()!;
    if (seen.has(p) || !(await isFile(p))) continue;
    seen.add(p);
    const entry = await g.load<GradleSummary>('android.gradle-project', p, 'discovered', gradleParse);
    android.otherGradle.push(entry);
    if (/settings\.gradle(\.kts)?$/.test(p)) settings = entry;
    for (const f of entry.value?.applyFrom ?? []) if (!/^https?:/.test(f) && !/node_modules/.test(f)) queue.push(resolve(dirname(p), f));
  }
  return settings;
}

/** Values the module reads from elsewhere: ext blocks, gradle.properties, the version catalog (dependency versions, plugin ids, targetSdk). */
async function traceGradleValues(g: GatherContext, android: Android, androidDir: string, gradlePath: string | undefined): Promise<void> {
  const src: Sources = { ext: new Map(), properties: new Map(), catalog: new Map() };
  for (const f of android.otherGradle) {
    const t = f.value ? await g.text(f.abs) : undefined;
    if (t) extDefinitions(t, f.path, src.ext);
  }
  if (gradlePath && android.gradle?.value) {
    const t = await g.text(gradlePath);
    if (t) extDefinitions(t, android.gradle.path, src.ext, true);
  }
  const props = join(androidDir, 'gradle.properties');
  const propsText = await g.text(props);
  if (propsText) propertyDefinitions(propsText, g.show(props), src.properties);
  const catalogPath = join(androidDir, 'gradle', 'libs.versions.toml');
  const catalogText = await g.text(catalogPath);
  if (catalogText) {
    src.catalog = catalogVersions(catalogText, g.show(catalogPath));
    // Plugins applied through the catalog get their real ids (android.tac-plugin reads them).
    const ids = catalogPlugins(catalogText);
    for (const f of [android.gradle, ...android.otherGradle]) for (const pl of f?.value?.plugins ?? []) if (pl.id.startsWith('libs.plugins.')) pl.id = ids.get(catalogKey(pl.id.slice('libs.plugins.'.length))) ?? pl.id;
  }
  // "com.tencent.tac:tac-payment:$tac_version": versions come from ext too.
  const subst = (d: string) => d.replace(/\$\{?(\w+)\}?/g, (m, n: string) => src.ext.get(n)?.value.replace(/^["']|["']$/g, '') ?? src.properties.get(n)?.value ?? m);
  for (const f of [android.gradle, ...android.otherGradle]) if (f?.value) f.value.dependencies = f.value.dependencies.map(subst);
  const expr = android.gradle?.value?.targetSdkExpr;
  if (expr) android.targetSdk = { expr, ...resolveInt(expr, src) };
}

/** The TAC json files (given, or found in the module), merged into one config. */
async function gatherTacJsons(g: GatherContext, android: Android, paths: ExplicitPaths, modDir: string): Promise<void> {
  const root = g.root;
  const jsonFiles = paths.tacJsons?.length
    ? paths.tacJsons.map((p) => resolve(root, p))
    : [...(await list(modDir)).filter((e) => !e.dir && TAC_JSON.test(e.name)).map((e) => join(modDir, e.name)), ...(await g.walk(join(modDir, 'src'), (n) => TAC_JSON.test(n), 3))];
  jsonFiles.sort(byName);
  for (const f of jsonFiles) {
    if (/_unpackage\.json$/.test(f)) {
      android.unpackage.push(g.show(f));
      continue;
    }
    android.tacJsons.push(await g.load('android.tac-config', f, paths.tacJsons?.length ? 'flag' : 'discovered', (b) => ({ value: parseJsonObject(b.toString('utf8')), format: 'JSON' })));
    g.shipped.add(f);
    g.tacConfigs.add(f);
  }
  if (!android.tacJsons.length) g.missing.push({ role: 'android.tac-config', lookedFor: [g.show(join(modDir, 'tac_service_configurations*.json')), g.show(join(modDir, 'src/main/assets/tac_service_configurations*.json'))] });
  android.tac = mergeConfigs(android.tacJsons.filter((e) => e.value).map((e) => e.value!));
}

/** ProGuard/R8 rules the module names, and the module's sources and resources that ship (for the secret scan). */
async function gatherRulesAndSources(g: GatherContext, android: Android, modDir: string): Promise<void> {
  // ProGuard/R8 rules the module names (proguard-rules.pro by the template's convention).
  const rules = android.gradle?.value?.proguardFiles.length ? android.gradle.value.proguardFiles : ['proguard-rules.pro'];
  for (const r of rules) {
    const p = resolve(modDir, r);
    const t = await g.text(p);
    if (t !== undefined) android.proguard.push({ path: g.show(p), text: t });
  }

  for (const sub of ['src/main/assets', 'src/main/res/raw', 'src/main/res/values', 'src/main/res/xml']) {
    for (const f of await g.walk(join(modDir, sub), (n) => !MEDIA.test(n), 4, { limit: 5000 })) if (!/_unpackage\.json$/.test(f)) g.shipped.add(f);
  }
  for (const f of await g.walk(join(modDir, 'src'), (n) => SHIPPED_SOURCE.test(n), 12, { limit: 5000, skip: (n) => /^(test|androidTest|testDebug|testRelease|sharedTest)$/.test(n) })) g.shipped.add(f);
}
