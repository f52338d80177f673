/**
 * The app code that ships, read for the secret scan and for the WeChat AppID the app registers:
 * JS/TS (React Native, Expo, Capacitor), Dart and assets (Flutter). Each file and the whole scan are
 * bounded (a huge monorepo is scanned in part, and says so).
 */
import { basename, join } from 'node:path';
import type { Discovered } from './discover.js';
import { CAPS, readBounded, Refused } from './fsread.js';
import { MEDIA } from './gather-android.js';
import { GatherContext, TAC_JSON, TAC_PLIST } from './gather-context.js';
import { lineOf } from './lines.js';
import type { ConfigEntry, Snapshot } from './types.js';

/** The secret scan's reach: files, and bytes in all (a huge monorepo is scanned in part, and says so). */
const SCAN_FILES = 5000;
const SCAN_BYTES = 24 * 1024 * 1024;
const JS_CODE = /\.(m?[jt]sx?|cjs|json)$/;
const NOT_SHIPPED_JS = /^(package(-lock)?\.json|tsconfig.*\.json|jsconfig\.json|expect\.json|yarn\.lock|.*\.config\.(js|cjs|mjs|ts)|\.eslintrc.*|jest\..*|babel\..*|metro\..*)$/;

/** Walks the shipped code, scans it, and records the WeChat AppID the app's own code registers. */
export async function gatherShipped(g: GatherContext, found: Discovered, snapshot: Snapshot): Promise<void> {
  const root = snapshot.root;
  const flutter = found.layouts.includes('flutter');
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
