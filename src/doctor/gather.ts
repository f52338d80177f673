/**
 * The gather step: reads the project once into a Snapshot. Every file it uses is recorded (with
 * its format or the reason it could not be used), and so is every file it looked for and did not
 * find, and every file it would not read (outside the project, not a regular file, too large).
 * Unreadable and malformed files are recorded, not thrown: the checks turn them into findings.
 */
import { resolve } from 'node:path';
import { discoverLayout, type Discovered } from './discover.js';
import { usesOf } from './evidence.js';
import { allow, CAPS, confinementOf, inside } from './fsread.js';
import { GatherContext, type ExplicitPaths } from './gather-context.js';
import { gatherAndroid } from './gather-android.js';
import { gatherExpo } from './gather-expo.js';
import { gatherIos, iosDirFor } from './gather-ios.js';
import { gatherShipped } from './gather-shipped.js';
import { pubspecDependencies } from './pubspec.js';
import type { LogLine, Snapshot } from './types.js';

export type { ExplicitPaths } from './gather-context.js';

export interface GatherInput {
  /** Absolute path of the project directory. */
  root: string;
  paths: ExplicitPaths;
  config: Snapshot['config'];
  payInfo?: string;
  /** Absolute path of a device or console log. */
  logFile?: string;
}

/** Reads the project into a snapshot. Never throws for a project's contents. */
export async function gather(input: GatherInput): Promise<Snapshot> {
  const root = input.root;
  const g = new GatherContext(root, await confinementOf(root));
  const found = await discoverLayout(root, g.confine);
  g.notes.push(...found.notes);
  const packages = [...found.npmDependencies];
  const snapshot: Snapshot = {
    root,
    layouts: found.layouts,
    notes: g.notes,
    suggestions: found.suggestions,
    skipped: g.skipped,
    uses: { tac: [], wechat: [], qq: [] },
    packages,
    config: input.config,
    shipped: [],
    scan: { files: 0 },
    files: { used: g.used, missing: g.missing },
  };
  await gatherNative(g, found, input, snapshot, packages);
  await gatherShipped(g, found, snapshot);

  if (input.payInfo !== undefined) snapshot.payInfo = input.payInfo;
  if (input.logFile) {
    snapshot.log = await g.load<LogLine[]>(
      'log',
      input.logFile,
      'flag',
      (b) => ({
        value: b
          .toString('utf8')
          .split(/\r\n|\r|\n/)
          .map((text, i) => ({ line: i + 1, text })),
        format: 'text',
      }),
      CAPS.log,
    );
  }
  if (input.config.file) g.used.push({ role: 'config', path: g.show(input.config.file), abs: input.config.file, source: 'discovered', format: 'JSON' });
  else g.missing.push({ role: 'config', lookedFor: ['tacpay.config.json (from the project directory upwards)'] });
  snapshot.uses = usesOf(snapshot);
  return snapshot;
}

/** The iOS and Android projects, or an Expo managed app's config standing in for both. */
async function gatherNative(g: GatherContext, found: Discovered, input: GatherInput, snapshot: Snapshot, packages: string[]): Promise<void> {
  const root = input.root;
  const p = input.paths;
  // ---- iOS ----
  const iosFlag = p.pbxproj ?? p.iosPlist ?? p.entitlements ?? p.tacPlists?.[0];
  const iosDir = p.pbxproj ? await iosDirFor(resolve(root, p.pbxproj), root) : (found.iosDir ?? (iosFlag ? await iosDirFor(resolve(root, iosFlag), root) : undefined));
  if (iosDir) {
    if (!inside(g.confine.realRoot, iosDir)) await allow(g.confine, iosDir);
    snapshot.ios = await gatherIos(g, iosDir, p);
  }

  // ---- Android ----
  const flutter = found.layouts.includes('flutter');
  if (found.androidDir || p.androidManifest || p.gradle || p.tacJsons?.length) {
    if (flutter) packages.push(...pubspecNames(found.pubspec));
    snapshot.android = await gatherAndroid(g, found, p, { npmDependencies: found.npmDependencies, flutter, ...(found.pubspec !== undefined ? { pubspec: found.pubspec } : {}) });
  } else if (flutter) packages.push(...pubspecNames(found.pubspec));

  // ---- Expo managed: the config stands in for the native projects ----
  if (found.expoConfig && !snapshot.ios && !snapshot.android) {
    const expo = await gatherExpo(g, found.expoConfig);
    if (expo.ios) snapshot.ios = expo.ios;
    if (expo.android) snapshot.android = expo.android;
    packages.push(...expo.packages);
    // The WeChat config plugin's appId is the app's WeChat AppID unless tacpay config says otherwise.
    if (expo.wechatAppId && !input.config.wechatAppId && !input.config.ios?.wechatAppId) snapshot.config = { ...input.config, ios: { ...input.config.ios, wechatAppId: expo.wechatAppId } };
  }
}

function pubspecNames(text: string | undefined): string[] {
  return text ? pubspecDependencies(text).names : [];
}
