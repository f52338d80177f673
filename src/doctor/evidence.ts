/**
 * Whether TAC, WeChat and QQ are in use, decided from evidence in the project, never assumed: a
 * plain WeChat app must not be told it lacks a TAC plist, and a TAC app that only uses QQ Wallet
 * must not be asked for WeChat's schemes. Each item names where it was seen, so the report can say
 * why a check ran or did not.
 */
import { isAbsolute } from 'node:path';
import { lineOf } from './lines.js';
import { querySchemes, urlSchemes } from './plist-values.js';
import type { ConfigEntry, Snapshot, Uses } from './types.js';

/** The WeChat OpenSDK in code: its package, its ObjC/Swift API, or the JS/Dart wrappers' registerApp. */
const WECHAT_IMPORT = /\bcom\.tencent\.mm\.opensdk\b|#import\s+["<]WXApi\.h[">]|\bimport\s+WechatOpenSDK\b|\bWXApi\s*\.\s*registerApp|\bWXAPIFactory\b/;
const TAC_IMPORT = /\b(?:TACPaymentService|TACApplication|TACPaymentPlugin\w*|TACCore|com\.tencent\.tac\.\w+|com\.tencent\.openmidas|openmidas)\b/;

/**
 * A configured value is evidence only when the project or the command line gave it: a TACPAY_*
 * variable or a user-wide config file (an absolute path outside the project) says nothing about
 * this project.
 */
function projectGiven(s: Snapshot, e: ConfigEntry | undefined): boolean {
  if (!e) return false;
  if (/^TACPAY_/.test(e.origin)) return false;
  const origin = e.origin.replace(/ \((?:ios|android)\)$/, '');
  return !(isAbsolute(origin) && !origin.startsWith(`${s.root}/`));
}

type Evidence = Record<keyof Uses, string[]>;

/** What the project uses, each with the evidence that says so (deduplicated, in the order found). */
export function usesOf(s: Snapshot): Uses {
  const out: Evidence = { tac: [], wechat: [], qq: [] };
  buildEvidence(s, out);
  configEvidence(s, out);
  codeEvidence(s, out);
  const uniq = (a: string[]) => [...new Set(a)];
  return { tac: uniq(out.tac), wechat: uniq(out.wechat), qq: uniq(out.qq) };
}

/** TAC config files, pods, Gradle dependencies and plugins, jars, Midas activities, <queries>. */
function buildEvidence(s: Snapshot, out: Evidence): void {
  const { tac, wechat, qq } = out;
  const ios = s.ios;
  const android = s.android;
  for (const f of [...(ios?.tacPlists ?? []), ...(android?.tacJsons ?? [])]) tac.push(`TAC config file ${f.path}`);
  for (const p of [...(ios?.unpackage ?? []), ...(android?.unpackage ?? [])]) tac.push(`TAC config file ${p}`);
  for (const pod of ios?.pods ?? []) {
    if (/^TAC/.test(pod)) tac.push(`pod ${pod}`);
    if (/^(WechatOpenSDK|WeChatOpenSDK|TACPaymentPluginWechat|TACSocialWechat|WXApi)/i.test(pod)) wechat.push(`pod ${pod}`);
    // TencentOpenAPI is QQ login (QQ Connect), not QQ Wallet pay: no evidence of the wallet.
    if (/^(TACPaymentPluginQQ|QQWallet)/i.test(pod)) qq.push(`pod ${pod}`);
  }
  const gradles = [android?.gradle, ...(android?.otherGradle ?? [])].filter((g) => g?.value);
  for (const g of gradles) {
    for (const d of g!.value!.dependencies) {
      if (/^com\.tencent\.tac:/.test(d)) tac.push(`${d} (${g!.path})`);
      if (/^com\.tencent\.mm\.opensdk:/.test(d)) wechat.push(`${d} (${g!.path})`);
      if (/^com\.tencent\.(?:tauth|qq|mobileqq|connect)|qqopensdk|open_sdk/i.test(d)) qq.push(`${d} (${g!.path})`);
    }
    for (const p of g!.value!.plugins) if (p.id === 'com.tencent.tac.services') tac.push(`Gradle plugin ${p.id} (${g!.path})`);
  }
  if (android?.jars.includes('mqqopenpay.jar')) qq.push(`${android.module}/libs/mqqopenpay.jar`);
  // com.tencent.openmidas.* is TAC's Midas; the full Midas SDK (YSDK, com.tencent.midas.*) is another product.
  for (const a of android?.merged?.activities ?? []) if (/^com\.tencent\.openmidas\./.test(a.name)) tac.push(`${a.name.split('.').pop()} declared (${a.from})`);
  for (const j of android?.jars ?? []) if (/wechat|wxpay|opensdk|libammsdk/i.test(j)) wechat.push(`${android!.module}/libs/${j}`);
  for (const [pkg, from] of android?.merged?.queries ?? []) {
    if (pkg === 'com.tencent.mm') wechat.push(`<queries> com.tencent.mm (${from})`);
    if (pkg === 'com.tencent.mobileqq') qq.push(`<queries> com.tencent.mobileqq (${from})`);
  }
}

/** Packages, the Info.plist's URL and query schemes, ids given in the project's config, social ids in the TAC config. */
function configEvidence(s: Snapshot, out: Evidence): void {
  const { tac, wechat, qq } = out;
  const ios = s.ios;
  const android = s.android;
  for (const p of s.packages) {
    if (/wechat|weixin|fluwx|wxpay/i.test(p)) wechat.push(`package ${p}`);
    if (/(^|[-_/])qq|tencent[-_]?qq|qqwallet/i.test(p)) qq.push(`package ${p}`);
  }

  const plist = ios?.infoPlist?.value;
  if (plist) {
    const schemes = urlSchemes(plist, s);
    const wx = schemes.find((x) => /^wx[0-9a-f]{16}$/i.test(x));
    if (wx) wechat.push(`URL scheme ${wx} (${ios!.infoPlist!.path})`);
    const qw = schemes.find((x) => /^qqwallet\d+$/i.test(x));
    if (qw) qq.push(`URL scheme ${qw} (${ios!.infoPlist!.path})`);
    const queries = querySchemes(plist);
    if (queries.includes('weixin') || queries.includes('weixinULAPI')) wechat.push(`LSApplicationQueriesSchemes weixin (${ios!.infoPlist!.path})`);
    if (queries.includes('mqqwallet')) qq.push(`LSApplicationQueriesSchemes mqqwallet (${ios!.infoPlist!.path})`);
  }

  const ids = (k: 'offerId' | 'wechatAppId' | 'qqAppId') => [s.config[k], s.config.ios?.[k], s.config.android?.[k]].filter((e) => projectGiven(s, e));
  for (const e of ids('offerId')) tac.push(`offerId ${e!.value} (${e!.origin})`);
  for (const e of ids('wechatAppId')) wechat.push(`wechatAppId ${e!.value} (${e!.origin})`);
  for (const e of ids('qqAppId')) qq.push(`qqAppId ${e!.value} (${e!.origin})`);
  for (const [tree, files] of [
    [ios?.tac, ios?.tacPlists],
    [android?.tac, android?.tacJsons],
  ] as const) {
    const social = (tree as Record<string, unknown> | undefined)?.services as Record<string, Record<string, Record<string, unknown>>> | undefined;
    const where = files?.[0]?.path ?? 'TAC config';
    if (social?.social?.wechat?.appId || social?.social?.wechat?.appID) wechat.push(`services.social.wechat.appId (${where})`);
    if (social?.social?.qq?.appId || social?.social?.qq?.appID) qq.push(`services.social.qq.appId (${where})`);
  }
}

/** TAC and WeChat SDK imports in the shipped code, and the WeChat AppID the code registers. */
function codeEvidence(s: Snapshot, out: Evidence): void {
  const { tac, wechat } = out;
  let tacSeen = false;
  let wechatSeen = false;
  for (const f of s.shipped) {
    if (f.tacConfig) continue;
    const m = tacSeen ? null : TAC_IMPORT.exec(f.text);
    if (m) {
      tac.push(`${m[0]} in ${f.path}:${lineOf(f.text, m.index)}`);
      tacSeen = true;
    }
    const w = wechatSeen ? null : WECHAT_IMPORT.exec(f.text);
    if (w) {
      wechat.push(`${w[0].trim()} in ${f.path}:${lineOf(f.text, w.index)}`);
      wechatSeen = true;
    }
    if (tacSeen && wechatSeen) break;
  }
  if (s.sourceIds?.wechatAppId) wechat.push(`WeChat AppID ${s.sourceIds.wechatAppId.value} (${s.sourceIds.wechatAppId.origin})`);
}
