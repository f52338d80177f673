/**
 * The gather step: reads the project once into a Snapshot. Every file it uses is recorded (with
 * its format or the reason it could not be used), and so is every file it looked for and did not
 * find. Unreadable and malformed files are recorded, not thrown: the checks turn them into findings.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { discoverLayout, findAppModule, isFile, list, walk } from './discover.js';
import { Malformed, parseGradle, parseJsonObject, parseManifest, parsePbxproj, parsePlistDict } from './parsers.js';
import { appTarget, setting } from './targets.js';
import type { FileEntry, FileSource, GradleSummary, LogLine, Missing, PbxSummary, PlistDict, Snapshot } from './types.js';

/** Paths given on the command line; each replaces discovery of that file. */
export interface ExplicitPaths {
  iosPlist?: string;
  pbxproj?: string;
  entitlements?: string;
  androidManifest?: string;
  gradle?: string;
  tacPlists?: string[];
  tacJsons?: string[];
}

export interface GatherInput {
  /** Absolute path of the project directory. */
  root: string;
  paths: ExplicitPaths;
  config: Snapshot['config'];
  payInfo?: string;
  /** Absolute path of a device or console log. */
  logFile?: string;
}

/** Largest file read for scanning; larger shipped files are skipped (media, not config). */
const MAX_SCAN_BYTES = 1024 * 1024;
const TAC_PLIST = /^tac_services_configurations.*\.plist$/;
const TAC_JSON = /^tac_service_configurations.*\.json$/;

function byName(a: string, b: string): number {
  const x = basename(a);
  const y = basename(b);
  // ASCII filename order (§4.4), then the path, so equal names still sort the same every time.
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

function readError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e instanceof Malformed) return e.message;
  switch (e.code) {
    case 'ENOENT':
      return 'does not exist';
    case 'EISDIR':
      return 'is a directory, not a file';
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read: permission denied';
    default:
      return `cannot be read (${e.code ?? e.message})`;
  }
}

/** Deep merge: later objects override earlier keys; nested dictionaries merge (§4.4). */
export function mergeConfigs(docs: ReadonlyArray<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const into = (dst: Record<string, unknown>, src: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(src)) {
      const cur = dst[k];
      if (isDict(v) && isDict(cur)) into(cur, v);
      else dst[k] = isDict(v) ? into({}, v) : v;
    }
    return dst;
  };
  for (const d of docs) into(out, d);
  return out;
}

function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !Buffer.isBuffer(v);
}

/** Reads the project into a snapshot. Never throws for a project's contents. */
export async function gather(input: GatherInput): Promise<Snapshot> {
  const root = input.root;
  const used: Array<FileEntry<unknown>> = [];
  const missing: Missing[] = [];
  const show = (abs: string) => {
    const rel = relative(root, abs);
    if (rel === '') return '.';
    return !rel.startsWith('..') && !isAbsolute(rel) ? rel.split('\\').join('/') : abs;
  };
  /** A glob under a directory, as shown: no prefix at the project root, `ios/` and so on below it. */
  const under = (dir: string, pattern: string) => (show(dir) === '.' ? pattern : `${show(dir)}/${pattern}`);

  async function load<T>(role: string, abs: string, source: FileSource, parse: (bytes: Buffer) => { value: T; format: string }): Promise<FileEntry<T>> {
    const entry: FileEntry<T> = { role, path: show(abs), abs, source };
    let bytes: Buffer | undefined;
    try {
      bytes = await readFile(abs);
      const { value, format } = parse(bytes);
      entry.value = value;
      entry.format = format;
    } catch (err) {
      entry.error = readError(err);
      // A malformed plist still has a format: --fix must know never to touch a binary one.
      if (bytes && /^ios\./.test(role)) entry.format = bytes.subarray(0, 6).toString('latin1') === 'bplist' ? 'binary plist' : 'XML plist';
    }
    used.push(entry as FileEntry<unknown>);
    return entry;
  }
  const explicit = (p: string | undefined) => (p ? resolve(root, p) : undefined);

  const found = await discoverLayout(root);
  const snapshot: Snapshot = { root, layouts: found.layouts, config: input.config, shipped: [], files: { used, missing } };
  const shippedPaths = new Set<string>();

  // ---- iOS ----
  const iosExplicit = input.paths.iosPlist ?? input.paths.pbxproj ?? input.paths.entitlements ?? input.paths.tacPlists?.[0];
  const iosDir = found.iosDir ?? (iosExplicit ? dirname(resolve(root, iosExplicit)) : undefined);
  if (iosDir) {
    const ios: NonNullable<Snapshot['ios']> = { dir: show(iosDir), tacPlists: [], unpackage: [], tac: {} };
    snapshot.ios = ios;
    let pbxPath = explicit(input.paths.pbxproj);
    if (!pbxPath) {
      const proj = (await list(iosDir)).find((e) => e.dir && e.name.endsWith('.xcodeproj') && e.name !== 'Pods.xcodeproj');
      if (proj && (await isFile(join(iosDir, proj.name, 'project.pbxproj')))) pbxPath = join(iosDir, proj.name, 'project.pbxproj');
    }
    if (pbxPath) ios.pbxproj = await load<PbxSummary>('ios.pbxproj', pbxPath, input.paths.pbxproj ? 'flag' : 'discovered', (b) => ({ value: parsePbxproj(b.toString('utf8')), format: 'pbxproj' }));
    else missing.push({ role: 'ios.pbxproj', lookedFor: [under(iosDir, '*.xcodeproj/project.pbxproj')] });
    const app = appTarget(ios.pbxproj?.value);
    const srcRoot = pbxPath ? dirname(dirname(pbxPath)) : iosDir;

    let plistPath = explicit(input.paths.iosPlist);
    if (!plistPath) {
      const fromSettings = setting(app, 'INFOPLIST_FILE');
      const candidates = [
        ...(fromSettings ? [expandSrcRoot(fromSettings, srcRoot)] : []),
        ...(pbxPath ? [join(srcRoot, basename(dirname(pbxPath)).replace(/\.xcodeproj$/, ''), 'Info.plist')] : []),
        join(iosDir, 'Runner', 'Info.plist'),
      ];
      for (const c of candidates) if (!plistPath && (await isFile(c))) plistPath = c;
      if (!plistPath) {
        const any = await walk(iosDir, (n) => n === 'Info.plist', 2, { skip: (n) => /Tests$|^Flutter$/.test(n) });
        plistPath = any[0];
      }
      if (!plistPath) missing.push({ role: 'ios.info-plist', lookedFor: [...new Set(candidates.map(show)), under(iosDir, '**/Info.plist')] });
    }
    if (plistPath) {
      ios.infoPlist = await load<PlistDict>('ios.info-plist', plistPath, input.paths.iosPlist ? 'flag' : 'discovered', parsePlistDict);
      shippedPaths.add(plistPath);
    }

    let entPath = explicit(input.paths.entitlements);
    if (!entPath) {
      const fromSettings = setting(app, 'CODE_SIGN_ENTITLEMENTS');
      const c = fromSettings ? expandSrcRoot(fromSettings, srcRoot) : undefined;
      if (c && (await isFile(c))) entPath = c;
      else entPath = (await walk(iosDir, (n) => n.endsWith('.entitlements'), 2))[0];
      if (!entPath) missing.push({ role: 'ios.entitlements', lookedFor: [...(c ? [show(c)] : []), under(iosDir, '**/*.entitlements')] });
    }
    if (entPath) ios.entitlements = await load<PlistDict>('ios.entitlements', entPath, input.paths.entitlements ? 'flag' : 'discovered', parsePlistDict);

    const tacFiles = input.paths.tacPlists?.length
      ? input.paths.tacPlists.map((p) => resolve(root, p))
      : [...new Set([...(await walk(iosDir, (n) => TAC_PLIST.test(n), 3)), ...(iosDir !== root ? (await list(root)).filter((e) => !e.dir && TAC_PLIST.test(e.name)).map((e) => join(root, e.name)) : [])])];
    tacFiles.sort(byName);
    for (const f of tacFiles) {
      if (/_unpackage\.plist$/.test(f)) {
        ios.unpackage.push(show(f));
        continue;
      }
      ios.tacPlists.push(await load<PlistDict>('ios.tac-config', f, input.paths.tacPlists?.length ? 'flag' : 'discovered', parsePlistDict));
      shippedPaths.add(f);
    }
    if (!ios.tacPlists.length) missing.push({ role: 'ios.tac-config', lookedFor: [under(iosDir, '**/tac_services_configurations*.plist')] });
    ios.tac = mergeConfigs(ios.tacPlists.filter((e) => e.value).map((e) => e.value!));

    // Bundle resources of the app target ship with the app.
    if (app?.resources.length) {
      const names = new Set(app.resources.filter((n) => !/\.(png|jpe?g|gif|storyboard|xib|xcassets|ttf|otf|mp3|mp4|car|strings)$/i.test(n)));
      for (const f of await walk(srcRoot, (n) => names.has(n), 4)) shippedPaths.add(f);
    }
  }

  // ---- Android ----
  const androidExplicit = input.paths.androidManifest ?? input.paths.gradle ?? input.paths.tacJsons?.[0];
  if (found.androidDir || androidExplicit) {
    const androidDir = found.androidDir ?? dirname(resolve(root, androidExplicit!));
    const module = found.androidDir ? await findAppModule(androidDir) : '.';
    const modDir = join(androidDir, module);
    const android: NonNullable<Snapshot['android']> = { dir: show(androidDir), module, otherGradle: [], tacJsons: [], tac: {}, unpackage: [], jars: [] };
    snapshot.android = android;

    const manifestPath = explicit(input.paths.androidManifest) ?? join(modDir, 'src/main/AndroidManifest.xml');
    if (input.paths.androidManifest || (await isFile(manifestPath))) {
      android.manifest = await load('android.manifest', manifestPath, input.paths.androidManifest ? 'flag' : 'discovered', (b) => ({ value: parseManifest(b.toString('utf8')), format: 'XML' }));
      shippedPaths.add(manifestPath);
    } else missing.push({ role: 'android.manifest', lookedFor: [show(manifestPath)] });

    let gradlePath = explicit(input.paths.gradle);
    if (!gradlePath) {
      for (const n of ['build.gradle', 'build.gradle.kts']) if (!gradlePath && (await isFile(join(modDir, n)))) gradlePath = join(modDir, n);
      if (!gradlePath) missing.push({ role: 'android.gradle', lookedFor: [show(join(modDir, 'build.gradle')), show(join(modDir, 'build.gradle.kts'))] });
    }
    const gradleParse = (b: Buffer) => ({ value: parseGradle(b.toString('utf8')), format: 'Gradle' });
    if (gradlePath) android.gradle = await load<GradleSummary>('android.gradle', gradlePath, input.paths.gradle ? 'flag' : 'discovered', gradleParse);
    for (const n of ['build.gradle', 'build.gradle.kts', 'settings.gradle', 'settings.gradle.kts']) {
      const p = join(androidDir, n);
      if (p !== gradlePath && (await isFile(p))) android.otherGradle.push(await load<GradleSummary>('android.gradle-project', p, 'discovered', gradleParse));
    }

    const jsonFiles = input.paths.tacJsons?.length
      ? input.paths.tacJsons.map((p) => resolve(root, p))
      : [...(await list(modDir)).filter((e) => !e.dir && TAC_JSON.test(e.name)).map((e) => join(modDir, e.name)), ...(await walk(join(modDir, 'src'), (n) => TAC_JSON.test(n), 3))];
    jsonFiles.sort(byName);
    for (const f of jsonFiles) {
      if (/_unpackage\.json$/.test(f)) {
        android.unpackage.push(show(f));
        continue;
      }
      android.tacJsons.push(await load('android.tac-config', f, input.paths.tacJsons?.length ? 'flag' : 'discovered', (b) => ({ value: parseJsonObject(b.toString('utf8')), format: 'JSON' })));
      shippedPaths.add(f);
    }
    if (!android.tacJsons.length) missing.push({ role: 'android.tac-config', lookedFor: [show(join(modDir, 'tac_service_configurations*.json')), show(join(modDir, 'src/main/assets/tac_service_configurations*.json'))] });
    android.tac = mergeConfigs(android.tacJsons.filter((e) => e.value).map((e) => e.value!));
    android.jars = (await list(join(modDir, 'libs'))).filter((e) => !e.dir && e.name.endsWith('.jar')).map((e) => e.name);

    for (const sub of ['src/main/assets', 'src/main/res/raw', 'src/main/res/values']) {
      for (const f of await walk(join(modDir, sub), () => true, 4)) if (!/_unpackage\.json$/.test(f)) shippedPaths.add(f);
    }
  }

  // ---- App sources that ship (React Native JS, Flutter Dart and assets) ----
  if (found.layouts.includes('react-native')) {
    for (const f of await walk(root, (n) => /\.(m?[jt]sx?|json)$/.test(n) && n !== 'package.json' && n !== 'package-lock.json' && n !== 'tsconfig.json' && n !== 'expect.json', 4, { skip: (n) => n === 'ios' || n === 'android' || n.startsWith('.') || n === '__tests__' })) shippedPaths.add(f);
  }
  if (found.layouts.includes('flutter')) {
    for (const f of await walk(join(root, 'lib'), (n) => n.endsWith('.dart'), 6)) shippedPaths.add(f);
    for (const f of await walk(join(root, 'assets'), () => true, 4)) shippedPaths.add(f);
  }
  for (const p of [...shippedPaths].sort()) {
    try {
      const bytes = await readFile(p);
      if (bytes.length > MAX_SCAN_BYTES || bytes.includes(0)) continue;
      snapshot.shipped.push({ path: show(p), text: bytes.toString('utf8') });
    } catch {
      /* recorded elsewhere when it matters; an unreadable asset is not a finding of its own */
    }
  }

  if (input.payInfo !== undefined) snapshot.payInfo = input.payInfo;
  if (input.logFile) {
    snapshot.log = await load<LogLine[]>('log', input.logFile, 'flag', (b) => ({
      value: b
        .toString('utf8')
        .split(/\r\n|\r|\n/)
        .map((text, i) => ({ line: i + 1, text })),
      format: 'text',
    }));
  }
  if (input.config.file) used.push({ role: 'config', path: show(input.config.file), abs: input.config.file, source: 'discovered', format: 'JSON' });
  else missing.push({ role: 'config', lookedFor: ['tacpay.config.json (from the project directory upwards)'] });
  return snapshot;
}

function expandSrcRoot(value: string, srcRoot: string): string {
  const v = value.replace(/^\$\(SRCROOT\)\/?|^\$\{SRCROOT\}\/?|^\$\(PROJECT_DIR\)\/?/, '');
  return resolve(srcRoot, v);
}
