/**
 * The gather step: reads the project once into a Snapshot. Every file it uses is recorded (with
 * its format or the reason it could not be used), and so is every file it looked for and did not
 * find, and every file it would not read (outside the project, not a regular file, too large).
 * Unreadable and malformed files are recorded, not thrown: the checks turn them into findings.
 */
import { basename, join, resolve } from 'node:path';
import { discoverLayout } from './discover.js';
import { usesOf } from './evidence.js';
import { allow, CAPS, confinementOf, inside, readBounded, Refused } from './fsread.js';
import { GatherContext, TAC_JSON, TAC_PLIST, type ExplicitPaths } from './gather-context.js';
import { gatherAndroid, MEDIA } from './gather-android.js';
import { gatherExpo } from './gather-expo.js';
import { gatherIos, iosDirFor } from './gather-ios.js';
import { lineOf } from './lines.js';
import { pubspecDependencies } from './pubspec.js';
import type { ConfigEntry, LogLine, Snapshot } from './types.js';

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

/** The secret scan's reach: files, and bytes in all (a huge monorepo is scanned in part, and says so). */
const SCAN_FILES = 5000;
const SCAN_BYTES = 24 * 1024 * 1024;
const JS_CODE = /\.(m?[jt]sx?|cjs|json)$/;
const NOT_SHIPPED_JS = /^(package(-lock)?\.json|tsconfig.*\.json|jsconfig\.json|expect\.json|yarn\.lock|.*\.config\.(js|cjs|mjs|ts)|\.eslintrc.*|jest\..*|babel\..*|metro\..*)$/;

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

  // ---- App code that ships: JS/TS (React Native, Expo, Capacitor), Dart and assets (Flutter) ----
  const js = found.layouts.some((l) => l === 'react-native' || l === 'expo' || l === 'capacitor');
  if (js) {
    for (const f of await g.walk(root, (n) => JS_CODE.test(n) && !NOT_SHIPPED_JS.test(n), 6, { limit: SCAN_FILES, skip: (n) => /^(ios|android|__tests__|__mocks__|e2e|tests?|coverage|dist|www|public|web-build)$/i.test(n) || n.startsWith('.') })) g.shipped.add(f);
  }
  if (flutter) {
    for (const f of await g.walk(join(root, 'lib'), (n) => n.endsWith('.dart'), 8, { limit: SCAN_FILES })) g.shipped.add(f);
    for (const f of await g.walk(join(root, 'assets'), (n) => !MEDIA.test(n), 4, { limit: SCAN_FILES })) g.shipped.add(f);
  }
  await scanShipped(g, snapshot);
  // Capacitor's config (often TypeScript, not shipped as such) holds the WeChat plugin's options.
  const extra: Array<{ path: string; text: string }> = [];
  for (const n of found.layouts.includes('capacitor') ? ['capacitor.config.ts', 'capacitor.config.js'] : []) {
    const text = await g.text(join(root, n));
    if (text) extra.push({ path: n, text });
  }
  const registered = registeredWechatAppId([...snapshot.shipped.filter((f) => !f.tacConfig), ...extra], flutter ? found.pubspec : undefined);
  if (registered) snapshot.sourceIds = { wechatAppId: registered };

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

function pubspecNames(text: string | undefined): string[] {
  return text ? pubspecDependencies(text).names : [];
}

/**
 * The WeChat AppID the app's own code registers: WXApi.registerApp("wx..."),
 * WXAPIFactory.createWXAPI(ctx, "wx..."), a plugin's appId option (JS, Dart, capacitor.config.json),
 * fluwx's `app_id:` in pubspec.yaml. The URL scheme must be that id, whatever tacpay is configured with.
 */
function registeredWechatAppId(files: ReadonlyArray<{ path: string; text: string }>, pubspec: string | undefined): ConfigEntry | undefined {
  const patterns = [
    /\bregisterApp\w*\s*(?:\(\s*(?:\{\s*)?(?:appI[dD]\s*[:=]\s*)?|:\s*)@?["'](wx[0-9a-f]{16})["']/,
    /\bcreateWXAPI\s*\([^,()]+,\s*["'](wx[0-9a-f]{16})["']/,
    /\b(?:appI[dD]|app_id|wechatAppId|wxAppId|WX_APP_ID|WECHAT_APP_ID|APP_ID)["']?\s*[:=]\s*@?["'](wx[0-9a-f]{16})["']/,
  ];
  const sources: Array<{ path: string; text: string }> = [...files, ...(pubspec ? [{ path: 'pubspec.yaml', text: pubspec }] : [])];
  for (const re of patterns) {
    for (const f of sources) {
      const m = re.exec(f.text) ?? (f.path === 'pubspec.yaml' ? /^[ \t]+app_id[ \t]*:[ \t]*["']?(wx[0-9a-f]{16})/m.exec(f.text) : null);
      if (m) return { value: m[1]!, origin: `${f.path}:${lineOf(f.text, m.index)} (registered by the app's code)` };
    }
  }
  return undefined;
}

/** Reads the shipped files for the secret scan: regular files only, each and all bounded. */
async function scanShipped(g: GatherContext, snapshot: Snapshot): Promise<void> {
  const all = [...g.shipped].sort();
  let bytes = 0;
  let large = 0;
  for (const [i, abs] of all.entries()) {
    if (snapshot.shipped.length >= SCAN_FILES || bytes >= SCAN_BYTES) {
      snapshot.scan.truncated = `stopped at ${snapshot.shipped.length} files (${Math.round(bytes / 1024 / 1024)} MB), the scan's limit: ${all.length - i} more not scanned, from ${g.show(abs)} on`;
      break;
    }
    try {
      const b = await readBounded(abs, CAPS.scan, g.confine);
      if (b.includes(0)) continue;
      bytes += b.length;
      snapshot.shipped.push({ path: g.show(abs), text: b.toString('utf8'), ...(g.tacConfigs.has(abs) || TAC_PLIST.test(basename(abs)) || TAC_JSON.test(basename(abs)) ? { tacConfig: true } : {}) });
    } catch (err) {
      if (err instanceof Refused) {
        if (err.kind === 'size') large++;
        else g.skip(abs, err.reason);
      }
    }
  }
  snapshot.scan.files = snapshot.shipped.length;
  if (g.truncatedWalks.length) snapshot.scan.truncated = [snapshot.scan.truncated, `more not scanned: the file walk stopped at its limit in ${g.truncatedWalks.join(', ')}`].filter(Boolean).join('; ');
  if (large) snapshot.scan.truncated = [snapshot.scan.truncated, `${large} file${large === 1 ? '' : 's'} over ${CAPS.scan / 1024 / 1024} MB not scanned (media, not config)`].filter(Boolean).join('; ');
}
