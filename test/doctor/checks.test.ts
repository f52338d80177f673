// Each check fed a hand-made snapshot: the rules themselves (D5 schemes, formats, the before-script
// nuance, manual never passing), and the runner (crash containment, severity cap, --strict, skips).
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../src/doctor/checks/index.js';
import { usesOf } from '../../src/doctor/evidence.js';
import { CHANNEL_DEP, merge } from '../../src/doctor/merged-manifest.js';
import { parseManifest } from '../../src/doctor/parsers/index.js';
import { runChecks, summarize } from '../../src/doctor/run.js';
import type { Check, CheckResult, FileEntry, ManifestActivity, ManifestSummary, PbxTarget, PlistDict, Snapshot } from '../../src/doctor/types.js';

const WX = 'wx5e1f3c9a2b7d4e60';
/** The GradleSummary fields these tests do not vary. */
const GRADLE_REST = { minify: false, proguardFiles: [], applyFrom: [], includes: [], projectDirs: {}, projectDeps: [] };
const QQ = '1107123456';

function file<T>(role: string, path: string, value: T, format = 'XML plist'): FileEntry<T> {
  return { role, path, abs: `/p/${path}`, source: 'discovered', format, value };
}

/** A snapshot as gather makes it; `uses` is derived from the contents (as gather does) unless given. */
function snap(over: Partial<Snapshot> = {}): Snapshot {
  const s: Snapshot = { root: '/p', layouts: [], notes: [], suggestions: [], skipped: [], uses: { tac: [], wechat: [], qq: [] }, packages: [], config: {}, shipped: [], scan: { files: 0 }, files: { used: [], missing: [] }, ...over };
  if (!over.uses) s.uses = usesOf(s);
  return s;
}

function ios(plist: PlistDict, extra: Partial<NonNullable<Snapshot['ios']>> = {}): NonNullable<Snapshot['ios']> {
  return { dir: '.', pods: [], infoPlist: file('ios.info-plist', 'App/Info.plist', plist), tacPlists: [], unpackage: [], tac: {}, ...extra };
}

const urlTypes = (...schemes: string[]) => ({ CFBundleURLTypes: schemes.map((s) => ({ CFBundleURLSchemes: [s] })) });

function target(phases: string[], resources: string[] = []): PbxTarget {
  return {
    name: 'App',
    productType: 'com.apple.product-type.application',
    phases: phases.map((p) => (p.startsWith('[TAC]') ? { isa: 'PBXShellScriptBuildPhase', name: p, script: '' } : { isa: `PBX${p}BuildPhase`, name: p })),
    resources,
    settings: { Release: { PRODUCT_BUNDLE_IDENTIFIER: 'com.example.app' } },
  };
}

function android(m: Partial<ManifestSummary>, extra: Partial<NonNullable<Snapshot['android']>> = {}): NonNullable<Snapshot['android']> {
  const manifest: ManifestSummary = { permissions: [], activities: [], queries: { present: false, packages: [] }, ...m };
  return { dir: '.', module: 'app', manifest: file('android.manifest', 'app/src/main/AndroidManifest.xml', manifest, 'XML'), otherGradle: [], tacJsons: [], tac: {}, unpackage: [], jars: [], targetSdk: {}, proguard: [], ...extra };
}

function qqActivity(schemes: string[], actions = ['android.intent.action.VIEW'], categories = ['android.intent.category.BROWSABLE', 'android.intent.category.DEFAULT']): ManifestActivity {
  return { name: 'com.tencent.openmidas.qq.APMidasQQWalletActivity', exported: 'true', process: ':openMidas', filters: [{ actions, categories, schemes }] };
}

const byId = (id: string): Check => {
  const c = CHECKS.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id}`);
  return c;
};
const run = (id: string, s: Snapshot): CheckResult => byId(id).run(s);

describe('check registry', () => {
  it('has unique ids, a category, a severity, docs and a title for every check', () => {
    const ids = CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of CHECKS) {
      expect(c.id.startsWith(c.category === 'pay_info' ? 'payinfo.' : `${c.category}.`), c.id).toBe(true);
      expect(c.docs.length, c.id).toBeGreaterThan(5);
      expect(['error', 'warning']).toContain(c.severity);
    }
  });

  it('covers every check the issue lists', () => {
    for (const id of [
      'config.offer-id', 'config.wechat-app-id', 'config.qq-app-id', 'config.key-pair', 'config.offer-key', 'config.no-shipped-secrets',
      'ios.wechat-url-scheme', 'ios.qqwallet-url-scheme', 'ios.tencent-url-scheme', 'ios.query-schemes', 'ios.universal-link', 'ios.unpackage-not-in-target', 'ios.build-phases', 'ios.tac-offer-id', 'ios.tac-wechat-app-id',
      'android.midas-activities', 'android.qqwallet-scheme', 'android.permissions', 'android.queries', 'android.application-id', 'android.unpackage-not-packaged', 'android.qq-jar', 'android.tac-plugin', 'android.repositories',
      'payinfo.present', 'payinfo.decodes', 'payinfo.appid', 'payinfo.signature', 'payinfo.not-reused', 'log.init-errors', 'log.error-codes',
      'manual.wechat-merchant', 'manual.wechat-pay-capability', 'manual.console-credentials', 'manual.android-signing',
    ]) expect(CHECKS.map((c) => c.id)).toContain(id);
  });

  it('runs every check on an empty snapshot without a crash or a failure of a check that has nothing to look at', () => {
    const findings = runChecks(snap(), CHECKS);
    expect(findings.filter((f) => f.summary.startsWith('check crashed'))).toEqual([]);
    // Nothing fails when there is no project at all, and the TAC-only checks say TAC was not found.
    expect(findings.filter((f) => f.status === 'fail').map((f) => f.id)).toEqual([]);
    const na = findings.filter((f) => f.notApplicable === 'tac').map((f) => f.id);
    expect(na).toEqual(CHECKS.filter((c) => c.requires === 'tac').map((c) => c.id));
    expect(na).toContain('config.offer-id');
  });
});

describe('config checks', () => {
  it('offerId must be TC + digits; a TAC-file offerId without config is a warning', () => {
    expect(run('config.offer-id', snap({ config: { offerId: { value: 'TC100008', origin: 'x' } } })).status).toBe('pass');
    expect(run('config.offer-id', snap({ config: { offerId: { value: '100008', origin: 'x' } } })).status).toBe('fail');
    expect(run('config.offer-id', snap({ ios: ios({}, { tac: { services: { payment: { offerId: 'TC1' } } } }) })).status).toBe('warn');
  });

  it('WeChat AppID wx + 16 lowercase hex, at warning level only', () => {
    expect(run('config.wechat-app-id', snap({ config: { wechatAppId: { value: WX, origin: 'x' } } })).status).toBe('pass');
    const bad = runChecks(snap({ config: { wechatAppId: { value: 'wx5E1F3C9A2B7D4E60', origin: 'x' } } }), [byId('config.wechat-app-id')])[0]!;
    expect(bad.status).toBe('warn');
    expect(byId('config.wechat-app-id').severity).toBe('warning');
  });

  it('QQ AppID digits (warning); Midas\'s own 100703379 is called out', () => {
    expect(run('config.qq-app-id', snap({ config: { qqAppId: { value: QQ, origin: 'x' } } })).status).toBe('pass');
    expect(run('config.qq-app-id', snap({ config: { qqAppId: { value: 'abc', origin: 'x' } } })).status).toBe('warn');
    expect(run('config.qq-app-id', snap({ config: { qqAppId: { value: '100703379', origin: 'x' } } })).summary).toContain('Midas');
  });

  it('offerKey shape: whitespace fails, the documented example key warns, 32 alphanumerics pass', () => {
    const k = (value: string) => run('config.offer-key', snap({ config: { offerKey: { value, origin: 'x' } } }));
    expect(k(' abcdefghijklmnopqrstuvwxyz012345').status).toBe('fail');
    expect(k('bBJ2la1zfmssX28fhe39dv9OcFe6JFvY').status).toBe('warn');
    expect(k('abcdefghijklmnopqrstuvwxyz012345').status).toBe('pass');
  });

  it('key pair: a mismatched public half fails; platformPublicKey equal to the merchant key fails', () => {
    expect(run('config.key-pair', snap({ config: { privateKey: { origin: 'k', kind: 'private', fingerprint: 'A', bits: 2048 }, merchantPublicKey: { origin: 'p', kind: 'public', fingerprint: 'B' } } })).status).toBe('fail');
    expect(run('config.key-pair', snap({ config: { privateKey: { origin: 'k', kind: 'private', fingerprint: 'A', bits: 2048 }, merchantPublicKey: { origin: 'p', kind: 'public', fingerprint: 'A' } } })).status).toBe('pass');
    expect(run('config.key-pair', snap({ config: { privateKey: { origin: 'k', kind: 'private', fingerprint: 'A', bits: 2048 }, platformPublicKey: { origin: 'q', kind: 'public', fingerprint: 'A' } } })).status).toBe('fail');
  });

  it('finds secrets in shipped files with file and line, and the WeChat appKey in a shipped plist', () => {
    const r = run('config.no-shipped-secrets', snap({
      config: { offerKey: { value: 'Zq7Kd93LmPw0Xs1Tq7Kd93LmPw0Xs1Ta', origin: 'x' } },
      shipped: [
        { path: 'src/pay.js', text: 'const a = 1;\nconst k = "Zq7Kd93LmPw0Xs1Tq7Kd93LmPw0Xs1Ta";\n' },
        { path: 'assets/key.txt', text: '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n' },
        { path: 'README.md', text: 'nothing here' },
      ],
      ios: ios({}, { tacPlists: [file('ios.tac-config', 'App/tac_services_configurations_wechat.plist', { services: { social: { wechat: { appId: WX, appKey: 'secret' } } } })] }),
    }));
    expect(r.status).toBe('fail');
    expect(r.details).toEqual(expect.arrayContaining(['src/pay.js:2: the configured offerKey', 'assets/key.txt:1: a PEM private key']));
    expect(r.details!.some((d) => d.includes('wechat.appKey'))).toBe(true);
    expect(r.details!.some((d) => d.startsWith('README.md'))).toBe(false);
  });
});

describe('findings from real projects', () => {
  it('no Tencent artifact but WeChat/QQ code excuses a missing <queries> (com.tencent:mmkv does not)', () => {
    expect(CHANNEL_DEP.test('com.tencent:mmkv:1.3.4')).toBe(false);
    expect(CHANNEL_DEP.test('com.tencent.mm.opensdk:wechat-sdk-android:6.8.30')).toBe(true);
  });

  it('tools:node="remove" takes a permission out of the merged manifest', () => {
    const app = parseManifest('<manifest xmlns:android="http://schemas.android.com/apk/res/android" xmlns:tools="http://schemas.android.com/tools"><uses-permission android:name="android.permission.INTERNET"/><uses-permission android:name="android.permission.ACCESS_NETWORK_STATE" tools:node="remove"/></manifest>');
    const lib = parseManifest('<manifest xmlns:android="http://schemas.android.com/apk/res/android"><uses-permission android:name="android.permission.ACCESS_NETWORK_STATE"/></manifest>');
    expect([...merge([{ from: 'app', path: 'a', summary: app }, { from: 'plugin x', path: 'b', summary: lib }]).permissions.keys()]).toEqual(['android.permission.INTERNET']);
  });

  it('an AppID from the environment is no evidence of WeChat: the WeChat checks skip', () => {
    const s = snap({ config: { wechatAppId: { value: WX, origin: 'TACPAY_WECHAT_APP_ID' } }, ios: ios(urlTypes('shop')) });
    expect(s.uses.wechat).toEqual([]);
    expect(run('ios.wechat-url-scheme', s).status).toBe('skip');
  });

  it('a WeChat appKey in the Android TAC json ships too (the Gradle plugin builds it into the APK)', () => {
    const tacJsons = [file('android.tac-config', 'app/tac_service_configurations.json', { services: { social: { wechat: { appId: WX, appKey: 'a'.repeat(32) } } } }, 'JSON')];
    const r = run('config.no-shipped-secrets', snap({ shipped: [{ path: 'x.js', text: '' }], android: android({}, { tacJsons }) }));
    expect(r.status).toBe('fail');
    expect(r.details).toEqual(['app/tac_service_configurations.json: services.social.wechat.appKey (the WeChat appKey is a secret; TAC docs call it "not supported, dangerous" in the config file)']);
  });

  it('two TAC apps and no offerId in tacpay config: the hint gives each platform its own, not one for both', () => {
    const s = snap({
      ios: ios({}, { tacPlists: [file('ios.tac-config', 'iOS/tac_services_configurations.plist', { services: { payment: { offerId: 'TC102083' } } })], tac: { services: { payment: { offerId: 'TC102083' } } } }),
      android: android({}, { tacJsons: [file('android.tac-config', 'Android/app/tac_service_configurations.json', { services: { payment: { offerId: 'TC101983' } } }, 'JSON')], tac: { services: { payment: { offerId: 'TC101983' } } } }),
    });
    const r = run('config.offer-id', s);
    expect(r.status).toBe('warn');
    expect(r.hint).toContain('"ios": {"offerId": "TC102083"}, "android": {"offerId": "TC101983"}');
  });

  it('the full Midas SDK (com.tencent.midas.*, YSDK) is not TAC: its activities are no TAC evidence', () => {
    const acts: ManifestActivity[] = ['proxyactivity.APMidasPayProxyActivity', 'wx.APMidasWXPayActivity', 'qq.APMidasQQWalletActivity'].map((n) => ({ name: `com.tencent.midas.${n}`, process: ':midas', filters: [] }));
    const a = android({ activities: acts });
    const s = snap({ android: { ...a, merged: { parts: [], permissions: new Map(), queries: new Map(), activities: acts.map((x) => ({ ...x, from: 'app' })), unseen: [], consumerRules: [], notes: [] } } });
    expect(s.uses.tac).toEqual([]);
    expect(runChecks(s, CHECKS).filter((f) => f.status === 'fail').map((f) => f.id)).toEqual([]);
  });
});

describe('iOS checks', () => {
  const cfg = { wechatAppId: { value: WX, origin: 'c' }, qqAppId: { value: QQ, origin: 'c' } };

  it('URL scheme equal to the WeChat AppID (FAQ 6); the fix adds it to the XML plist', () => {
    expect(run('ios.wechat-url-scheme', snap({ config: cfg, ios: ios(urlTypes(WX)) })).status).toBe('pass');
    const r = run('ios.wechat-url-scheme', snap({ config: cfg, ios: ios(urlTypes('wx0000000000000000')) }));
    expect(r.status).toBe('fail');
    expect(r.fix).toEqual([{ kind: 'plist-url-scheme', file: '/p/App/Info.plist', scheme: WX, name: 'weixin' }]);
  });

  it('a missing scheme is only a warning when the TAC Run Before script will write it from the TAC wechat plist', () => {
    const pbxproj = file('ios.pbxproj', 'App.xcodeproj/project.pbxproj', { targets: [target(['[CP] Check', '[TAC] Run Before Script', 'Sources', '[TAC] Run After Script'])] }, 'pbxproj');
    const tac = { services: { social: { wechat: { appId: WX } } } };
    expect(run('ios.wechat-url-scheme', snap({ config: cfg, ios: ios({}, { pbxproj, tac }) })).status).toBe('warn');
    expect(run('ios.wechat-url-scheme', snap({ config: cfg, ios: ios({}, { pbxproj }) })).status).toBe('fail');
    expect(run('ios.wechat-url-scheme', snap({ config: cfg, ios: ios({}, { tac }) })).status).toBe('fail');
  });

  it('URL schemes expand $(VAR) from the target build settings; an unresolvable one is a warning, not a failure', () => {
    const t = target([]);
    t.settings.Release!.WECHAT_APP_ID = WX;
    const pbxproj = file('ios.pbxproj', 'p', { targets: [t] }, 'pbxproj');
    expect(run('ios.wechat-url-scheme', snap({ config: cfg, ios: ios(urlTypes('$(WECHAT_APP_ID)'), { pbxproj }) })).status).toBe('pass');
    const r = run('ios.wechat-url-scheme', snap({ config: cfg, ios: ios(urlTypes('${WX_FROM_XCCONFIG}'), { pbxproj }) }));
    expect(r.status).toBe('warn');
    expect(r.summary).toContain('could not be resolved');
  });

  it('qqwallet<QQ AppID> on iOS (D5): the Android qwallet form fails', () => {
    expect(run('ios.qqwallet-url-scheme', snap({ config: cfg, ios: ios(urlTypes(`qqwallet${QQ}`)) })).status).toBe('pass');
    const r = run('ios.qqwallet-url-scheme', snap({ config: cfg, ios: ios(urlTypes(`qwallet${QQ}`)) }));
    expect(r.status).toBe('fail');
    expect(r.summary).toContain(`qqwallet${QQ}`);
    expect(run('ios.qqwallet-url-scheme', snap({ config: { wechatAppId: cfg.wechatAppId }, ios: ios({}) })).status).toBe('skip');
  });

  it('query schemes as relevant: weixin for WeChat; mqqwallet and mqqopensdkapiV2 only with QQ pay', () => {
    const wechatOnly = { wechatAppId: cfg.wechatAppId };
    expect(run('ios.query-schemes', snap({ config: wechatOnly, ios: ios({ LSApplicationQueriesSchemes: ['weixin'] }) })).status).toBe('pass');
    const r = run('ios.query-schemes', snap({ config: cfg, ios: ios({ LSApplicationQueriesSchemes: ['weixin'] }) }));
    expect(r.status).toBe('fail');
    expect(r.fix?.[0]).toMatchObject({ kind: 'plist-query-schemes', schemes: ['mqqwallet', 'mqqopensdkapiV2'] });
  });

  it('Universal Links are reported as a WeChat-side requirement, at warning level', () => {
    const r = runChecks(snap({ config: cfg, ios: ios({ LSApplicationQueriesSchemes: ['weixin'] }) }), [byId('ios.universal-link')])[0]!;
    expect(r.status).toBe('warn');
    expect(r.summary).toContain('WeChat-side requirement, not in TAC docs');
    const ok = run('ios.universal-link', snap({ config: cfg, ios: ios({ LSApplicationQueriesSchemes: ['weixinULAPI'] }, { entitlements: file('ios.entitlements', 'App/App.entitlements', { 'com.apple.developer.associated-domains': ['applinks:shop.example.com'] }) }) }));
    expect(ok.status).toBe('pass');
  });

  it('build phases: Run Before second, Run After last', () => {
    const check = (phases: string[]) => run('ios.build-phases', snap({ ios: ios({}, { pbxproj: file('ios.pbxproj', 'p', { targets: [target(phases)] }, 'pbxproj') }) })).status;
    expect(check(['[CP] Check', '[TAC] Run Before Script', 'Sources', 'Resources', '[TAC] Run After Script'])).toBe('pass');
    expect(check(['[TAC] Run Before Script', '[CP] Check', 'Sources', '[TAC] Run After Script'])).toBe('fail');
    expect(check(['[CP] Check', '[TAC] Run Before Script', '[TAC] Run After Script', 'Embed'])).toBe('fail');
    expect(check(['Sources', 'Resources'])).toBe('fail');
  });

  it('the unpackage plist must not be a bundle resource', () => {
    const withRes = (r: string[]) => run('ios.unpackage-not-in-target', snap({ ios: ios({}, { pbxproj: file('ios.pbxproj', 'p', { targets: [target(['Resources'], r)] }, 'pbxproj') }) })).status;
    expect(withRes(['tac_services_configurations.plist'])).toBe('pass');
    expect(withRes(['tac_services_configurations.plist', 'tac_services_configurations_unpackage.plist'])).toBe('fail');
  });

  it('services.payment.offerId: present, in the target, equal to the configured offerId', () => {
    const tacFile = file('ios.tac-config', 'App/tac_services_configurations.plist', { services: { payment: { offerId: 'TC1' } } });
    const pbx = (res: string[]) => file('ios.pbxproj', 'p', { targets: [target(['Resources'], res)] }, 'pbxproj');
    const base = { tacPlists: [tacFile], tac: tacFile.value! };
    expect(run('ios.tac-offer-id', snap({ config: { offerId: { value: 'TC1', origin: 'c' } }, ios: ios({}, { ...base, pbxproj: pbx(['tac_services_configurations.plist']) }) })).status).toBe('pass');
    expect(run('ios.tac-offer-id', snap({ config: { offerId: { value: 'TC2', origin: 'c' } }, ios: ios({}, { ...base, pbxproj: pbx(['tac_services_configurations.plist']) }) })).status).toBe('fail');
    expect(run('ios.tac-offer-id', snap({ config: { offerId: { value: 'TC1', origin: 'c' } }, ios: ios({}, { ...base, pbxproj: pbx([]) }) })).summary).toContain('not in the Copy Bundle Resources');
    expect(run('ios.tac-offer-id', snap({ ios: ios({}) })).status).toBe('fail');
  });

  it('an unreadable Info.plist makes ios.project fail and the plist checks skip', () => {
    const broken: FileEntry<PlistDict> = { role: 'ios.info-plist', path: 'App/Info.plist', abs: '/p/App/Info.plist', source: 'discovered', format: 'XML plist', error: 'line 3: unclosed tag' };
    const s = snap({ config: cfg, ios: { dir: '.', pods: [], infoPlist: broken, tacPlists: [], unpackage: [], tac: {} }, files: { used: [broken as FileEntry<unknown>], missing: [] } });
    const r = run('ios.project', s);
    expect(r.status).toBe('fail');
    expect(r.details).toEqual(['App/Info.plist: line 3: unclosed tag']);
    expect(run('ios.wechat-url-scheme', s).status).toBe('skip');
  });
});

describe('Android checks', () => {
  const cfg = { wechatAppId: { value: WX, origin: 'c' }, qqAppId: { value: QQ, origin: 'c' } };

  it('QQ wallet scheme (D5): qwallet100703379 passes, qwallet<QQ AppID> warns, qqwallet<QQ AppID> fails', () => {
    const status = (scheme: string) => run('android.qqwallet-scheme', snap({ config: cfg, android: android({ activities: [qqActivity([scheme])] }) })).status;
    expect(status('qwallet100703379')).toBe('pass');
    expect(status(`qwallet${QQ}`)).toBe('warn');
    expect(status(`qqwallet${QQ}`)).toBe('fail');
  });

  it('the QQ intent filter needs VIEW, BROWSABLE and DEFAULT', () => {
    const r = run('android.qqwallet-scheme', snap({ config: cfg, android: android({ activities: [qqActivity(['qwallet100703379'], ['android.intent.action.VIEW'], ['android.intent.category.DEFAULT'])] }) }));
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('BROWSABLE');
  });

  it('Midas activities: all three, :openMidas, WX and QQ exported; absent with the tac-payment AAR is manual, never passed', () => {
    const acts = (proxyProcess?: string, wxExported?: string): ManifestActivity[] => [
      { name: 'com.tencent.openmidas.proxyactivity.APMidasPayProxyActivity', ...(proxyProcess ? { process: proxyProcess } : {}), filters: [] },
      { name: 'com.tencent.openmidas.wx.APMidasWXPayActivity', process: ':openMidas', ...(wxExported ? { exported: wxExported } : {}), filters: [] },
      qqActivity(['qwallet100703379']),
    ];
    expect(run('android.midas-activities', snap({ android: android({ activities: acts(':openMidas', 'true') }) })).status).toBe('pass');
    const bad = run('android.midas-activities', snap({ android: android({ activities: acts(undefined, 'false') }) }));
    expect(bad.status).toBe('fail');
    expect(bad.details).toHaveLength(2);
    const gradle = file('android.gradle', 'app/build.gradle', { plugins: [], lastStatementLine: 1, repositories: [], dependencies: ['com.tencent.tac:tac-payment:1.3.+'], usesLibsDir: true, storeFiles: [], ...GRADLE_REST }, 'Gradle');
    expect(run('android.midas-activities', snap({ android: android({}, { gradle }) })).status).toBe('manual');
    expect(run('android.midas-activities', snap({ android: android({}) })).status).toBe('fail');
  });

  it('<queries>: com.tencent.mm, plus com.tencent.mobileqq with QQ pay; not relevant below targetSdk 30', () => {
    const r = run('android.queries', snap({ config: cfg, android: android({ queries: { present: true, packages: ['com.tencent.mm'] } }, { targetSdk: { expr: '33', value: 33 } }) }));
    expect(r.status).toBe('fail');
    expect(r.fix).toEqual([{ kind: 'manifest-queries', file: '/p/app/src/main/AndroidManifest.xml', packages: ['com.tencent.mobileqq'] }]);
    expect(run('android.queries', snap({ config: cfg, android: android({}, { targetSdk: { value: 29, via: 'rootProject.ext.targetSdkVersion = 29 (build.gradle:3)' } }) })).status).toBe('skip');
    // An unresolvable targetSdkVersion is unknown, not guessed: a missing <queries> only warns.
    const unknown = run('android.queries', snap({ config: cfg, android: android({}, { targetSdk: { expr: 'flutter.targetSdkVersion', unknown: 'flutter.targetSdkVersion is set by the Flutter SDK' } }) }));
    expect(unknown.status).toBe('warn');
    expect(unknown.summary).toContain('targetSdkVersion unknown: flutter.targetSdkVersion');
  });

  it('TAC plugin last; jcenter warns, bintray fails', () => {
    const g = (plugins: Array<[string, number]>, repos: Array<['jcenter' | 'bintray', number]> = []) =>
      file('android.gradle', 'app/build.gradle', { plugins: plugins.map(([id, line]) => ({ id, form: 'apply' as const, line })), lastStatementLine: 40, repositories: repos.map(([kind, line]) => ({ kind, text: kind, line })), dependencies: [], usesLibsDir: false, storeFiles: [], ...GRADLE_REST }, 'Gradle');
    const tacJsons = [file('android.tac-config', 'app/tac_service_configurations.json', {}, 'JSON')];
    expect(run('android.tac-plugin', snap({ android: android({}, { gradle: g([['com.android.application', 1], ['com.tencent.tac.services', 40]]), tacJsons }) })).status).toBe('pass');
    expect(run('android.tac-plugin', snap({ android: android({}, { gradle: g([['com.tencent.tac.services', 2], ['kotlin-android', 40]]), tacJsons }) })).status).toBe('fail');
    expect(run('android.tac-plugin', snap({ android: android({}, { gradle: g([['com.android.application', 1]]), tacJsons }) })).status).toBe('fail');
    expect(run('android.repositories', snap({ android: android({}, { gradle: g([], [['jcenter', 3]]) }) })).status).toBe('warn');
    expect(run('android.repositories', snap({ android: android({}, { gradle: g([], [['jcenter', 3], ['bintray', 4]]) }) })).status).toBe('fail');
  });

  it('unpackage json under assets/ fails; mqqopenpay.jar required with QQ pay only', () => {
    expect(run('android.unpackage-not-packaged', snap({ android: android({}, { unpackage: ['app/src/main/assets/tac_service_configurations_unpackage.json'] }) })).status).toBe('fail');
    expect(run('android.unpackage-not-packaged', snap({ android: android({}, { unpackage: ['app/tac_service_configurations_unpackage.json'] }) })).status).toBe('pass');
    expect(run('android.qq-jar', snap({ config: cfg, android: android({}) })).status).toBe('fail');
    expect(run('android.qq-jar', snap({ config: { wechatAppId: cfg.wechatAppId }, android: android({}) })).status).toBe('skip');
  });

  it('applicationId must equal the TAC packageId', () => {
    const gradle = file('android.gradle', 'app/build.gradle', { applicationId: 'com.a', plugins: [], lastStatementLine: 1, repositories: [], dependencies: [], usesLibsDir: false, storeFiles: [], ...GRADLE_REST }, 'Gradle');
    const tacJsons = [file('android.tac-config', 't.json', { application: { packageId: 'com.b' } }, 'JSON')];
    expect(run('android.application-id', snap({ android: android({}, { gradle, tacJsons, tac: tacJsons[0]!.value! }) })).status).toBe('fail');
  });
});

describe('manual checks', () => {
  it('are manual (with what to compare) or not relevant, never passed', () => {
    const s = snap({ config: { wechatAppId: { value: WX, origin: 'c' }, qqAppId: { value: QQ, origin: 'c' } }, ios: ios({}, { pbxproj: file('ios.pbxproj', 'p', { targets: [target([])] }, 'pbxproj') }), android: android({}) });
    for (const c of CHECKS.filter((x) => x.category === 'manual')) {
      const r = c.run(s);
      expect(r.status, c.id).toBe('manual');
      expect(r.hint!.length, c.id).toBeGreaterThan(20);
    }
    expect(run('manual.ios-bundle-id', s).hint).toContain('com.example.app');
    expect(run('manual.wechat-pay-capability', s).hint).toContain(WX);
  });
});

describe('runner', () => {
  const boom: Check = { id: 'config.boom', title: 'boom', category: 'config', severity: 'error', docs: 'test', run: () => { throw new Error('kaput'); } };
  const warnOnly: Check = { id: 'config.soft', title: 'soft', category: 'config', severity: 'warning', docs: 'test', run: () => ({ status: 'fail', summary: 'x', hint: 'y' }) };
  const warns: Check = { id: 'config.warns', title: 'warns', category: 'config', severity: 'error', docs: 'test', run: () => ({ status: 'warn', summary: 'x', hint: 'y' }) };

  it('a check that throws becomes a failure, never a crash of the run', () => {
    const [f] = runChecks(snap(), [boom]);
    expect(f).toMatchObject({ id: 'config.boom', status: 'fail', summary: 'check crashed: kaput' });
  });

  it('a warning-severity check warns instead of failing; --strict turns warnings into failures', () => {
    expect(runChecks(snap(), [warnOnly, warns]).map((f) => f.status)).toEqual(['warn', 'warn']);
    expect(runChecks(snap(), [warnOnly, warns], { strict: true }).map((f) => f.status)).toEqual(['fail', 'fail']);
  });

  it('skipped checks are reported as skipped, with why', () => {
    const [f] = runChecks(snap(), [boom], { skip: new Map([['config.boom', '--skip']]) });
    expect(f).toMatchObject({ status: 'skip', summary: 'skipped by --skip' });
    expect(summarize(runChecks(snap(), [boom, warns]))).toEqual({ errors: 1, warnings: 1, passed: 0, manual: 0, skipped: 0, total: 2 });
  });
});

describe('log patterns in Chinese (written as \\u escapes to keep the bundle ASCII)', () => {
  it('match the Chinese messages they name', async () => {
    const { INIT, scanLog } = await import('../../src/doctor/checks/log.js');
    const lines = ['tac_services_configurations_wechat.plist 不存在', 'offerId 为空', 'TACApplication 未配置', '微信 签名不对', 'all good'].map((text, i) => ({ line: i + 1, text }));
    const found = scanLog(lines, INIT);
    expect(found.map((f) => f.slice(0, 7))).toEqual(['line 1:', 'line 2:', 'line 3:', 'line 4:']);
  });
});
