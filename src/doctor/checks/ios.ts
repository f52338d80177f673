/** ios: Info.plist URL and query schemes, entitlements, build phases and the TAC plists (spec §4.1, §4.4, §4.5; FAQ §4.7). */
import { appTarget } from '../targets.js';
import type { Check, CheckResult, FixAction, PbxTarget, Snapshot } from '../types.js';
import { dig, fail, infoPlist, isResult, pass, qqAppId, qqPayUsed, querySchemes, quote, skip, sourceOf, str, unresolved, urlSchemes, warn, wechatAppId, words } from './common.js';

const BEFORE = /TAC.*Run.*Before|tac\.run\.all\.before/i;
const AFTER = /TAC.*Run.*After|tac\.run\.all\.after/i;

function phaseIs(p: PbxTarget['phases'][number], re: RegExp): boolean {
  return p.isa === 'PBXShellScriptBuildPhase' && (re.test(p.name) || re.test(p.script ?? ''));
}

/** Whether the app target runs the TAC "before" script, which writes some schemes into the built Info.plist (§4.1, §4.5). */
function runsBeforeScript(s: Snapshot): boolean {
  return Boolean(appTarget(s.ios?.pbxproj?.value)?.phases.some((p) => phaseIs(p, BEFORE)));
}

/** The social appId the TAC plists give the before-script to write (`wechat` -> [appId], `qq` -> qqwallet/tencent + appId). */
function tacSocialId(s: Snapshot, which: 'wechat' | 'qq'): string | undefined {
  return str(dig(s.ios?.tac, `services.social.${which}.appId`, `services.social.${which}.appID`));
}

function urlSchemeFix(s: Snapshot, scheme: string, name: string): FixAction[] {
  const f = s.ios?.infoPlist;
  return f ? [{ kind: 'plist-url-scheme', file: f.abs, scheme, name }] : [];
}

/** Missing URL scheme: a failure, or a warning when the TAC before-script writes it at build time from `tacValue`. */
function missingScheme(s: Snapshot, scheme: string, what: string, found: string[], scriptAdds: boolean, fixName: string, hint: string): CheckResult {
  const summary = `no URL scheme ${quote(scheme)} (${what}); Info.plist has ${found.length ? found.map(quote).join(', ') : 'none'}`;
  const fix = urlSchemeFix(s, scheme, fixName);
  const vars = unresolved(found);
  if (vars.length) return warn(`${summary}; ${words(vars.map(quote))} could not be resolved (a build setting from an .xcconfig?)`, `check that ${words(vars)} expands to ${scheme} in the built app's Info.plist, or ${hint}`);
  if (scriptAdds && runsBeforeScript(s)) {
    return warn(`${summary}; the TAC Run Before script adds it at build time`, `check the built app's Info.plist, or add it yourself: ${hint}`, { fix });
  }
  return fail(summary, hint, { fix });
}

const project: Check = {
  id: 'ios.project',
  title: 'iOS project files found and readable',
  category: 'ios',
  severity: 'error',
  docs: 'spec §4.4, §4.5',
  run(s) {
    if (!s.ios) return skip('no iOS project found (no *.xcodeproj in the directory or in ios/)');
    const bad = s.files.used.filter((f) => f.role.startsWith('ios.') && f.error).map((f) => `${f.path}: ${f.error}`);
    if (bad.length) return fail(`${bad.length} iOS file${bad.length === 1 ? '' : 's'} could not be read`, 'fix the file at the line shown: resolve merge-conflict markers, or let Xcode rewrite it (open and save); a TAC plist can be downloaded again from the console', { details: bad });
    if (!s.ios.infoPlist) return fail('no Info.plist found', 'give its path with --ios-plist, or check INFOPLIST_FILE in the target build settings');
    const files = [s.ios.infoPlist, s.ios.pbxproj, s.ios.entitlements, ...s.ios.tacPlists].filter((f) => f !== undefined).map((f) => `${f.path} (${f.format})`);
    return pass(`Info.plist ${s.ios.infoPlist.path} (${s.ios.infoPlist.format})`, { details: files });
  },
};

const wechatScheme: Check = {
  id: 'ios.wechat-url-scheme',
  title: 'URL scheme = WeChat AppID',
  category: 'ios',
  severity: 'error',
  docs: 'FAQ "cannot return to the app" item 6 (spec §4.7); spec §4.5 [DOC S14]',
  run(s) {
    const p = infoPlist(s);
    if (isResult(p)) return p;
    const schemes = urlSchemes(p.plist, s);
    const id = wechatAppId(s);
    if (!id) {
      const wx = schemes.filter((x) => /^wx[0-9a-f]{16}$/i.test(x));
      if (wx.length) return warn(`URL scheme ${wx.map(quote).join(', ')} looks like a WeChat AppID, but none is configured to compare with`, 'set wechatAppId in tacpay.config.json (or services.social.wechat.appId in tac_services_configurations_wechat.plist)');
      return skip('no WeChat AppID configured (WeChat pay not in use?)');
    }
    if (schemes.some((x) => x.toLowerCase() === id.value.toLowerCase())) return pass(`URL scheme ${id.value} is the WeChat AppID`);
    return missingScheme(s, id.value, `the WeChat AppID from ${id.origin}: WeChat returns to the app through it`, schemes, tacSocialId(s, 'wechat') === id.value, 'weixin', `add a URL type with scheme ${id.value} (Xcode: target → Info → URL Types), or run tacpay doctor --fix`);
  },
};

const qqwalletScheme: Check = {
  id: 'ios.qqwallet-url-scheme',
  title: 'URL scheme qqwallet<QQ AppID>',
  category: 'ios',
  severity: 'error',
  docs: 'FAQ "cannot return to the app" item 7 (spec §4.7); spec §4.5, §7 D5',
  run(s) {
    const p = infoPlist(s);
    if (isResult(p)) return p;
    const id = qqAppId(s);
    if (!id) return skip(qqPayUsed(s) ? 'QQ pay is in use but no QQ AppID is configured (see config.qq-app-id)' : 'no QQ AppID configured (QQ Wallet pay not in use)');
    const schemes = urlSchemes(p.plist, s);
    const want = `qqwallet${id.value}`;
    if (schemes.includes(want)) return pass(`URL scheme ${want}`);
    const near = schemes.filter((x) => /^q?qwallet/i.test(x));
    if (near.length) {
      return fail(`URL scheme ${near.map(quote).join(', ')} is not ${quote(want)} (qqwallet + the QQ AppID from ${id.origin})`, `on iOS the scheme is qqwallet<QQ AppID> (the Android Midas activity uses qwallet100703379 instead): change it to ${want}`, { fix: urlSchemeFix(s, want, 'qqwallet') });
    }
    return missingScheme(s, want, `QQ Wallet returns to the app through it`, schemes, tacSocialId(s, 'qq') === id.value, 'qqwallet', `add a URL type with scheme ${want} (Xcode: target → Info → URL Types), or run tacpay doctor --fix`);
  },
};

const tencentScheme: Check = {
  id: 'ios.tencent-url-scheme',
  title: 'URL scheme tencent<QQ AppID>',
  category: 'ios',
  severity: 'warning',
  docs: 'spec §4.5 (TACSocialQQ, pulled in by TACPaymentPluginQQ) [DOC S28]',
  run(s) {
    const p = infoPlist(s);
    if (isResult(p)) return p;
    const id = qqAppId(s);
    if (!id) return skip('no QQ AppID configured (QQ Wallet pay not in use)');
    const want = `tencent${id.value}`;
    const schemes = urlSchemes(p.plist, s);
    if (schemes.includes(want)) return pass(`URL scheme ${want}`);
    const r = missingScheme(s, want, 'QQ connect, used by the QQ pay plugin', schemes, tacSocialId(s, 'qq') === id.value, 'tencent', `add a URL type with scheme ${want}, or run tacpay doctor --fix`);
    return { ...r, status: 'warn' };
  },
};

const querySchemesCheck: Check = {
  id: 'ios.query-schemes',
  title: 'LSApplicationQueriesSchemes for WeChat and QQ',
  category: 'ios',
  severity: 'error',
  docs: 'spec §4.5 [DOC S27, S28; vendor S32]',
  run(s) {
    const p = infoPlist(s);
    if (isResult(p)) return p;
    const have = new Set(querySchemes(p.plist));
    const wechat = wechatAppId(s) !== undefined || !qqPayUsed(s);
    // [scheme, why, added by the TAC before-script]
    const need: Array<[string, string, boolean]> = [];
    if (wechat) need.push(['weixin', 'WeChat', tacSocialId(s, 'wechat') !== undefined]);
    if (qqPayUsed(s)) need.push(['mqqwallet', 'QQ Wallet', false], ['mqqopensdkapiV2', 'QQ SDK', tacSocialId(s, 'qq') !== undefined]);
    const missing = need.filter(([x]) => !have.has(x));
    if (!missing.length) return pass(`LSApplicationQueriesSchemes has ${words(need.map(([x]) => x))}`);
    const list = missing.map(([x]) => x);
    const fix: FixAction[] = s.ios?.infoPlist ? [{ kind: 'plist-query-schemes', file: s.ios.infoPlist.abs, schemes: list }] : [];
    const summary = `LSApplicationQueriesSchemes lacks ${words(list.map(quote))}: canOpenURL cannot see ${words([...new Set(missing.map(([, w]) => w))])}, so pay does not launch`;
    const hint = `add ${words(list)} to LSApplicationQueriesSchemes in Info.plist, or run tacpay doctor --fix`;
    if (missing.every(([, , script]) => script) && runsBeforeScript(s)) return warn(`${summary}; the TAC Run Before script adds them at build time`, `check the built app's Info.plist, or ${hint}`, { fix });
    return fail(summary, hint, { fix });
  },
};

const universalLink: Check = {
  id: 'ios.universal-link',
  title: 'Universal Link for WeChat (applinks: + weixinULAPI)',
  category: 'ios',
  severity: 'warning',
  docs: 'spec §4.5: WeChat-side requirement (WeChat OpenSDK) [vendor S33, 3P S34], not covered by TAC docs',
  run(s) {
    const p = infoPlist(s);
    if (isResult(p)) return p;
    if (!wechatAppId(s) && qqPayUsed(s)) return skip('WeChat pay not in use');
    const problems: string[] = [];
    const fix: FixAction[] = [];
    if (!querySchemes(p.plist).includes('weixinULAPI')) {
      problems.push('LSApplicationQueriesSchemes lacks "weixinULAPI"');
      if (s.ios?.infoPlist) fix.push({ kind: 'plist-query-schemes', file: s.ios.infoPlist.abs, schemes: ['weixinULAPI'] });
    }
    const ent = s.ios?.entitlements?.value;
    const domains = ent?.['com.apple.developer.associated-domains'];
    const applinks = Array.isArray(domains) ? domains.filter((d): d is string => typeof d === 'string' && d.startsWith('applinks:')) : [];
    if (!applinks.length) problems.push(ent ? 'the entitlements have no applinks: entry in com.apple.developer.associated-domains' : 'no .entitlements file with an associated-domains applinks: entry');
    if (problems.length) {
      return warn(`WeChat-side requirement, not in TAC docs: ${problems.join('; ')}`, 'current WeChat OpenSDK versions need a Universal Link: add Associated Domains (applinks:your.domain) in Signing & Capabilities, host apple-app-site-association, register the link on the WeChat Open Platform, and add weixinULAPI to LSApplicationQueriesSchemes', { fix });
    }
    return pass(`applinks ${applinks.join(', ')} and weixinULAPI present (WeChat-side requirement)`);
  },
};

const unpackage: Check = {
  id: 'ios.unpackage-not-in-target',
  title: 'tac_services_configurations_unpackage.plist not in the app',
  category: 'ios',
  severity: 'error',
  docs: 'spec §4.4, FAQ item 10 (§4.7) [DOC S14]',
  run(s) {
    if (!s.ios) return skip('no iOS project found');
    const t = appTarget(s.ios.pbxproj?.value);
    if (!t) return skip('no readable project.pbxproj (see ios.project)');
    const bad = t.resources.filter((r) => /^tac_services_configurations_unpackage.*\.plist$/.test(r));
    if (bad.length) {
      return fail(`${words(bad)} is in the Copy Bundle Resources of target ${quote(t.name)}: its secrets ship with the app`, `remove it from the target (select the file → File Inspector → untick Target Membership ${t.name}); keep it at the project root, then rotate the keys it holds`);
    }
    return pass(`not in the resources of target ${quote(t.name)}${s.ios.unpackage.length ? ` (kept at ${s.ios.unpackage.join(', ')})` : ''}`);
  },
};

const buildPhases: Check = {
  id: 'ios.build-phases',
  title: 'TAC Run Before second, TAC Run After last',
  category: 'ios',
  severity: 'error',
  docs: 'spec §4.1, FAQ item 11 (§4.7) [DOC S14]',
  run(s) {
    if (!s.ios) return skip('no iOS project found');
    const t = appTarget(s.ios.pbxproj?.value);
    if (!t) return skip('no readable project.pbxproj (see ios.project)');
    const order = t.phases.map((p, i) => `${i + 1}. ${p.name}`);
    const before = t.phases.findIndex((p) => phaseIs(p, BEFORE));
    const after = t.phases.findIndex((p) => phaseIs(p, AFTER));
    const problems: string[] = [];
    if (before === -1) problems.push('no "TAC Run Before" script phase');
    else if (before !== 1) problems.push(`"${t.phases[before]!.name}" is phase ${before + 1}, not 2`);
    if (after === -1) problems.push('no "TAC Run After" script phase');
    else if (after !== t.phases.length - 1) problems.push(`"${t.phases[after]!.name}" is phase ${after + 1} of ${t.phases.length}, not last`);
    if (problems.length) {
      return fail(`target ${quote(t.name)}: ${problems.join('; ')}`, 'add Run Script phases running ${SRCROOT}/Pods/TACCore/Scripts/tac.run.all.before.sh (drag it to second place) and …/tac.run.all.after.sh (last); pod install with the TAC Podfile hook inserts both', { details: order });
    }
    return pass(`target ${quote(t.name)}: Run Before is phase 2, Run After is phase ${t.phases.length} (last)`, { details: order });
  },
};

const tacOfferId: Check = {
  id: 'ios.tac-offer-id',
  title: 'services.payment.offerId in the TAC plists = configured offerId',
  category: 'ios',
  severity: 'error',
  docs: 'spec §4.4 [DOC S2, DEMO S20]',
  run(s) {
    if (!s.ios) return skip('no iOS project found');
    const readable = s.ios.tacPlists.filter((f) => f.value);
    if (!s.ios.tacPlists.length) return fail('no tac_services_configurations.plist found', 'download tac_services_configurations.plist from the MobileLine console and add it to the app target');
    if (!readable.length) return skip('no readable TAC plist (see ios.project)');
    const v = dig(s.ios.tac, 'services.payment.offerId');
    const from = sourceOf(readable, 'services.payment.offerId');
    if (v === undefined) return fail(`services.payment.offerId is in none of ${words(readable.map((f) => f.path))}`, 'download tac_services_configurations.plist again from the console (with Payment enabled) and replace the file');
    const value = str(v);
    if (!value) return fail(`services.payment.offerId in ${from} is not a string`, 'it must be a <string>, e.g. TC100008');
    const t = appTarget(s.ios.pbxproj?.value);
    const fileName = from?.split('/').pop();
    if (t && fileName && !t.resources.includes(fileName)) {
      return fail(`${from} is not in the Copy Bundle Resources of target ${quote(t.name)}: the SDK loads it from the app bundle`, `add it to the target (File Inspector → Target Membership ${t.name})`);
    }
    const want = s.config.offerId?.value;
    if (want && value !== want) return fail(`offerId ${quote(value)} in ${from} differs from the configured ${quote(want)} (${s.config.offerId!.origin})`, 'one of them belongs to another app: download the plist for this app from the console, or fix offerId in tacpay config');
    return pass(`offerId ${value} in ${from}${want ? ' matches the config' : ''}`);
  },
};

const tacWechat: Check = {
  id: 'ios.tac-wechat-app-id',
  title: 'services.social.wechat.appId = WeChat URL scheme',
  category: 'ios',
  severity: 'error',
  docs: 'spec §4.4, §4.5 [DOC S27]',
  run(s) {
    const p = infoPlist(s);
    if (isResult(p)) return p;
    const paths = ['services.social.wechat.appId', 'services.social.wechat.appID'];
    const value = str(dig(s.ios!.tac, ...paths));
    const configured = s.config.wechatAppId;
    if (!value) {
      if (!configured) return skip('WeChat not configured (no wechatAppId, no tac_services_configurations_wechat.plist)');
      return fail(`services.social.wechat.appId is in no TAC plist, but wechatAppId ${configured.value} is configured`, `create tac_services_configurations_wechat.plist with services → social → wechat → appId = ${configured.value} and add it to the app target`);
    }
    const from = sourceOf(s.ios!.tacPlists, ...paths);
    if (configured && configured.value !== value) return fail(`appId ${quote(value)} in ${from} differs from wechatAppId ${quote(configured.value)} (${configured.origin})`, 'use the AppID from the WeChat Open Platform in both places');
    const schemes = urlSchemes(p.plist, s);
    if (!schemes.some((x) => x.toLowerCase() === value.toLowerCase())) {
      if (runsBeforeScript(s)) return pass(`appId ${value} in ${from}; the TAC Run Before script writes it as a URL scheme at build time (see ios.wechat-url-scheme)`);
      if (unresolved(schemes).length) return warn(`appId ${quote(value)} in ${from} is not among the URL schemes as far as tacpay can resolve them (${unresolved(schemes).map(quote).join(', ')} unresolved)`, `check that the built app's Info.plist has the URL scheme ${value}`);
      return fail(`appId ${quote(value)} in ${from} is not among the URL schemes (${schemes.length ? schemes.map(quote).join(', ') : 'none'})`, `add the URL scheme ${value} (see ios.wechat-url-scheme), or correct the appId`, { fix: urlSchemeFix(s, value, 'weixin') });
    }
    return pass(`appId ${value} in ${from} is a URL scheme`);
  },
};

export const IOS_CHECKS: readonly Check[] = [project, wechatScheme, qqwalletScheme, tencentScheme, querySchemesCheck, universalLink, unpackage, buildPhases, tacOfferId, tacWechat];
