/**
 * The iOS part of the gather step: the Xcode project, the Info.plist and entitlements its app
 * target names (INFOPLIST_FILE, CODE_SIGN_ENTITLEMENTS), the TAC plists, the pods, and the app
 * sources and bundle resources that ship (for the secret scan).
 */
import { basename, dirname, join, resolve } from 'node:path';
import { isFile, list } from './discover.js';
import { CAPS, inside } from './fsread.js';
import { byName, TAC_PLIST, type ExplicitPaths, type GatherContext } from './gather-context.js';
import { mergeConfigs } from './merge-config.js';
import { parsePbxproj } from './parsers/pbxproj.js';
import { parsePlistDict } from './parsers/plist.js';
import { appTarget, setting } from './targets.js';
import type { PbxSummary, PlistDict, Snapshot } from './types.js';

const SOURCES = /\.(m|mm|h|swift)$/;

/** The directory holding the .xcodeproj: from an explicit file, walk up to the first dir with one. */
export async function iosDirFor(file: string, root: string): Promise<string> {
  if (file.endsWith('project.pbxproj')) return dirname(dirname(file));
  for (let d = dirname(file); ; d = dirname(d)) {
    if ((await list(d)).some((e) => e.dir && e.name.endsWith('.xcodeproj') && e.name !== 'Pods.xcodeproj')) return d;
    if (d === root || dirname(d) === d || !inside(root, d)) break;
  }
  return dirname(file);
}

function expandSrcRoot(value: string, srcRoot: string): string {
  const v = value.replace(/^\$\(SRCROOT\)\/?|^\$\{SRCROOT\}\/?|^\$\(PROJECT_DIR\)\/?/, '');
  return resolve(srcRoot, v);
}

/** Pod names from the Podfile (`pod 'X'`) and Podfile.lock (`  - X (1.2.3)`). */
function pods(podfile: string | undefined, lock: string | undefined): string[] {
  const out = new Set<string>();
  for (const m of (podfile ?? '').matchAll(/^\s*pod\s+['"]([^'"/]+)/gm)) out.add(m[1]!);
  for (const m of (lock ?? '').matchAll(/^ {2}- "?([A-Za-z0-9_+-]+)(?:\/[^\s"]+)?"? \(/gm)) out.add(m[1]!);
  return [...out].sort();
}

export async function gatherIos(g: GatherContext, iosDir: string, paths: ExplicitPaths): Promise<NonNullable<Snapshot['ios']>> {
  const root = g.root;
  const explicit = (p: string | undefined) => (p ? resolve(root, p) : undefined);
  const ios: NonNullable<Snapshot['ios']> = { dir: g.show(iosDir), tacPlists: [], unpackage: [], tac: {}, pods: [] };

  let pbxPath = explicit(paths.pbxproj);
  if (!pbxPath) {
    const proj = (await list(iosDir)).find((e) => e.dir && e.name.endsWith('.xcodeproj') && e.name !== 'Pods.xcodeproj');
    if (proj && (await isFile(join(iosDir, proj.name, 'project.pbxproj')))) pbxPath = join(iosDir, proj.name, 'project.pbxproj');
  }
  if (pbxPath) ios.pbxproj = await g.load<PbxSummary>('ios.pbxproj', pbxPath, paths.pbxproj ? 'flag' : 'discovered', (b) => ({ value: parsePbxproj(b.toString('utf8')), format: 'pbxproj' }), CAPS.pbxproj);
  else g.missing.push({ role: 'ios.pbxproj', lookedFor: [g.under(iosDir, '*.xcodeproj/project.pbxproj')] });
  const app = appTarget(ios.pbxproj?.value);
  const srcRoot = pbxPath ? dirname(dirname(pbxPath)) : iosDir;

  let plistPath = explicit(paths.iosPlist);
  if (!plistPath) {
    const fromSettings = setting(app, 'INFOPLIST_FILE');
    const candidates = [
      ...(fromSettings ? [expandSrcRoot(fromSettings, srcRoot)] : []),
      ...(pbxPath ? [join(srcRoot, basename(dirname(pbxPath)).replace(/\.xcodeproj$/, ''), 'Info.plist')] : []),
      join(iosDir, 'Runner', 'Info.plist'),
      join(iosDir, 'App', 'Info.plist'),
    ];
    for (const c of candidates) if (!plistPath && (await isFile(c))) plistPath = c;
    if (!plistPath) plistPath = (await g.walk(iosDir, (n) => n === 'Info.plist', 2, { skip: (n) => /Tests$|^Flutter$/.test(n) }))[0];
    if (!plistPath) g.missing.push({ role: 'ios.info-plist', lookedFor: [...new Set(candidates.map((c) => g.show(c))), g.under(iosDir, '**/Info.plist')] });
  }
  if (plistPath) {
    ios.infoPlist = await g.load<PlistDict>('ios.info-plist', plistPath, paths.iosPlist ? 'flag' : 'discovered', parsePlistDict);
    g.shipped.add(plistPath);
  }

  let entPath = explicit(paths.entitlements);
  if (!entPath) {
    const fromSettings = setting(app, 'CODE_SIGN_ENTITLEMENTS');
    const c = fromSettings ? expandSrcRoot(fromSettings, srcRoot) : undefined;
    if (c && (await isFile(c))) entPath = c;
    else entPath = (await g.walk(iosDir, (n) => n.endsWith('.entitlements'), 2))[0];
    if (!entPath) g.missing.push({ role: 'ios.entitlements', lookedFor: [...(c ? [g.show(c)] : []), g.under(iosDir, '**/*.entitlements')] });
  }
  if (entPath) ios.entitlements = await g.load<PlistDict>('ios.entitlements', entPath, paths.entitlements ? 'flag' : 'discovered', parsePlistDict);

  const tacFiles = paths.tacPlists?.length
    ? paths.tacPlists.map((p) => resolve(root, p))
    : [...new Set([...(await g.walk(iosDir, (n) => TAC_PLIST.test(n), 3)), ...(iosDir !== root ? (await list(root)).filter((e) => !e.dir && TAC_PLIST.test(e.name)).map((e) => join(root, e.name)) : [])])];
  tacFiles.sort(byName);
  for (const f of tacFiles) {
    if (/_unpackage\.plist$/.test(f)) {
      ios.unpackage.push(g.show(f));
      continue;
    }
    ios.tacPlists.push(await g.load<PlistDict>('ios.tac-config', f, paths.tacPlists?.length ? 'flag' : 'discovered', parsePlistDict));
    g.shipped.add(f);
    g.tacConfigs.add(f);
  }
  if (!ios.tacPlists.length) g.missing.push({ role: 'ios.tac-config', lookedFor: [g.under(iosDir, '**/tac_services_configurations*.plist')] });
  ios.tac = mergeConfigs(ios.tacPlists.filter((e) => e.value).map((e) => e.value!));

  ios.pods = pods(await g.text(join(iosDir, 'Podfile')), await g.text(join(iosDir, 'Podfile.lock')));

  // What ships: the app target's bundle resources (config-like ones) and the app's sources.
  if (app?.resources.length) {
    const names = new Set(app.resources.filter((n) => !/\.(png|jpe?g|gif|storyboard|xib|xcassets|ttf|otf|mp3|mp4|car|strings)$/i.test(n)));
    for (const f of await g.walk(srcRoot, (n) => names.has(n), 4)) g.shipped.add(f);
  }
  for (const f of await g.walk(srcRoot, (n) => SOURCES.test(n), 6, { limit: 5000, skip: (n) => /Tests$|^Pods$|^Flutter$|^build$/.test(n) })) g.shipped.add(f);
  return ios;
}
