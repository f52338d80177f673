/** What several checks need: result constructors and the ids the project uses, wherever they were found. */
import type { CheckResult, ConfigEntry, FileEntry, PlistDict, Snapshot } from '../types.js';

export const pass = (summary: string, extra: Partial<CheckResult> = {}): CheckResult => ({ status: 'pass', summary, ...extra });
export const fail = (summary: string, hint: string, extra: Partial<CheckResult> = {}): CheckResult => ({ status: 'fail', summary, hint, ...extra });
export const warn = (summary: string, hint: string, extra: Partial<CheckResult> = {}): CheckResult => ({ status: 'warn', summary, hint, ...extra });
export const skip = (summary: string): CheckResult => ({ status: 'skip', summary });
export const manual = (summary: string, hint: string, extra: Partial<CheckResult> = {}): CheckResult => ({ status: 'manual', summary, hint, ...extra });

/** `a.b.c` inside nested dictionaries; the first of several spellings that is present. */
export function dig(obj: unknown, ...paths: string[]): unknown {
  for (const p of paths) {
    let cur: unknown = obj;
    for (const k of p.split('.')) cur = cur && typeof cur === 'object' && !Array.isArray(cur) ? (cur as Record<string, unknown>)[k] : undefined;
    if (cur !== undefined) return cur;
  }
  return undefined;
}

/** A string value or undefined (numbers become strings: plists may hold an id as <integer>). */
export function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

const q = (s: string) => JSON.stringify(s);
export { q as quote };

/** The TAC config file (of the merged ones) that supplies `path`: the last one defining it (later wins). */
export function sourceOf(files: ReadonlyArray<FileEntry<Record<string, unknown>>>, ...paths: string[]): string | undefined {
  let found: string | undefined;
  for (const f of files) if (f.value && dig(f.value, ...paths) !== undefined) found = f.path;
  return found;
}

export type Platform = 'ios' | 'android';

/** A configured id: the platform's own (`"ios": {"offerId": ...}` in tacpay.config.json) first, then the shared one. */
export function configured(s: Snapshot, key: 'offerId' | 'wechatAppId' | 'qqAppId', platform?: Platform): ConfigEntry | undefined {
  return (platform ? s.config[platform]?.[key] : undefined) ?? s.config[key];
}

function socialId(s: Snapshot, which: 'wechat' | 'qq', platform?: Platform): ConfigEntry | undefined {
  const c = configured(s, which === 'wechat' ? 'wechatAppId' : 'qqAppId', platform);
  if (c) return c;
  const paths = [`services.social.${which}.appId`, `services.social.${which}.appID`];
  const order: Platform[] = platform === 'android' ? ['android', 'ios'] : ['ios', 'android'];
  // The other platform's TAC files count only when no platform was asked for: the TAC demo's two apps have different ids.
  for (const p of platform ? [platform] : order) {
    const tree = p === 'ios' ? s.ios : s.android;
    const v = str(dig(tree?.tac, ...paths));
    const files = p === 'ios' ? s.ios?.tacPlists : s.android?.tacJsons;
    if (v) return { value: v, origin: sourceOf(files ?? [], ...paths) ?? `${p === 'ios' ? 'iOS' : 'Android'} TAC config` };
  }
  // Last: the id the app's code registers (WXApi.registerApp) or a plugin's option.
  return which === 'wechat' ? s.sourceIds?.wechatAppId : undefined;
}

/** The WeChat AppID: tacpay config first (the platform's, then the shared), then the TAC config files. */
export function wechatAppId(s: Snapshot, platform?: Platform): ConfigEntry | undefined {
  return socialId(s, 'wechat', platform);
}

/** The QQ AppID: tacpay config first, then the TAC config files. */
export function qqAppId(s: Snapshot, platform?: Platform): ConfigEntry | undefined {
  return socialId(s, 'qq', platform);
}

/** Whether QQ Wallet pay is in use: evidence in the project (an AppID, the QQ pay jar, QQ pods, a qqwallet scheme). */
export function qqPayUsed(s: Snapshot): boolean {
  return s.uses.qq.length > 0;
}

/** Whether WeChat is in use: evidence in the project (an AppID, a wx scheme, the WeChat SDK, weixin queries). */
export function wechatUsed(s: Snapshot): boolean {
  return s.uses.wechat.length > 0;
}

/** "WeChat not in use (no AppID, wx… scheme, WeChat SDK or weixin query in the project)" */
export const NO_WECHAT = 'WeChat not in use (no WeChat AppID, wx… URL scheme, WeChat SDK or weixin query scheme in the project)';
export const NO_QQ = 'QQ Wallet not in use (no QQ AppID, mqqopenpay.jar, QQ pods or qqwallet scheme in the project)';

export { querySchemes, unresolved, urlSchemes } from '../plist-values.js';

/** The usable Info.plist, or the result that explains why there is none. */
export function infoPlist(s: Snapshot): { plist: PlistDict; file: FileEntry<PlistDict> } | CheckResult {
  if (!s.ios) return skip('no iOS project found');
  const f = s.ios.infoPlist;
  if (!f) return skip('no Info.plist found (see ios.project)');
  if (!f.value) return skip(`Info.plist could not be read (see ios.project)`);
  return { plist: f.value, file: f };
}

export function isResult(x: unknown): x is CheckResult {
  return typeof x === 'object' && x !== null && 'status' in x;
}

/** "a, b and c" */
export function words(list: readonly string[]): string {
  if (list.length <= 1) return list.join('');
  return `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`;
}
