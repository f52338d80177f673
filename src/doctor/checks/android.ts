/** android: the manifest, Gradle scripts, libs and TAC json files (spec §4.2, §4.4, §4.5; FAQ §4.7). */
import type { Check, CheckResult, ManifestActivity, ManifestSummary, Snapshot } from '../types.js';
import { dig, fail, manual, pass, qqAppId, qqPayUsed, quote, skip, sourceOf, str, warn, wechatAppId, words } from './common.js';

export const PROXY_ACTIVITY = 'com.tencent.openmidas.proxyactivity.APMidasPayProxyActivity';
export const WX_ACTIVITY = 'com.tencent.openmidas.wx.APMidasWXPayActivity';
export const QQ_ACTIVITY = 'com.tencent.openmidas.qq.APMidasQQWalletActivity';
export const MIDAS_QQ_SCHEME = 'qwallet100703379';
const TAC_PLUGIN = 'com.tencent.tac.services';

function manifest(s: Snapshot): ManifestSummary | CheckResult {
  if (!s.android) return skip('no Android project found');
  const m = s.android.manifest;
  if (!m) return skip('no AndroidManifest.xml found (see android.project)');
  if (!m.value) return skip('AndroidManifest.xml could not be read (see android.project)');
  return m.value;
}

function isSummary(x: ManifestSummary | CheckResult): x is ManifestSummary {
  return 'activities' in x;
}

/** The tac-payment AAR from Gradle declares the Midas activities; its manifest is merged at build time (§4.5). */
function usesPaymentAar(s: Snapshot): boolean {
  return Boolean(s.android?.gradle?.value?.dependencies.some((d) => /^com\.tencent\.tac:tac-payment(:|$)/.test(d)));
}

const MERGED = 'confirm in the merged manifest (Android Studio: AndroidManifest.xml → Merged Manifest tab, or app/build/intermediates/merged_manifests/)';

const project: Check = {
  id: 'android.project',
  title: 'Android project files found and readable',
  category: 'android',
  severity: 'error',
  docs: 'spec §4.4, §4.5',
  run(s) {
    if (!s.android) return skip('no Android project found (no Gradle files in the directory or in android/)');
    const bad = s.files.used.filter((f) => f.role.startsWith('android.') && f.error).map((f) => `${f.path}: ${f.error}`);
    if (bad.length) return fail(`${bad.length} Android file${bad.length === 1 ? '' : 's'} could not be read`, 'fix the file at the line shown (Android Studio marks the error); a TAC json can be downloaded again from the console', { details: bad });
    if (!s.android.manifest) return fail(`no AndroidManifest.xml in module ${s.android.module}`, 'give its path with --android-manifest');
    const files = [s.android.manifest, s.android.gradle, ...s.android.otherGradle, ...s.android.tacJsons].filter((f) => f !== undefined).map((f) => `${f.path} (${f.format})`);
    return pass(`module ${s.android.module}: ${s.android.manifest.path}`, { details: files });
  },
};

const activities: Check = {
  id: 'android.midas-activities',
  title: 'Midas activities declared, exported, in process :openMidas',
  category: 'android',
  severity: 'error',
  docs: 'spec §4.5 (Android manifest) [DOC S16]',
  run(s) {
    const m = manifest(s);
    if (!isSummary(m)) return m;
    const want: Array<[string, boolean]> = [
      [PROXY_ACTIVITY, false],
      [WX_ACTIVITY, true],
      [QQ_ACTIVITY, true],
    ];
    const present = want.map(([name]) => m.activities.find((a) => a.name === name));
    if (present.every((a) => !a)) {
      if (usesPaymentAar(s)) return manual('the Midas activities are not in the source manifest; the tac-payment AAR declares them and Gradle merges them at build time', `${MERGED}: ${words(want.map(([n]) => n.split('.').pop()!))} with android:process=":openMidas", the WX and QQ ones exported`);
      return fail('none of the three Midas activities is declared, and no com.tencent.tac:tac-payment dependency would merge them', 'add com.tencent.tac:tac-payment to the app dependencies (Gradle), or declare the activities as in the manual-integration doc (spec §4.5)');
    }
    const problems: string[] = [];
    want.forEach(([name, exported], i) => {
      const a = present[i];
      const short = name.split('.').pop()!;
      if (!a) {
        problems.push(`${short} is not declared`);
        return;
      }
      if (a.process !== ':openMidas') problems.push(`${short} runs in ${a.process ? quote(a.process) : 'the main process'}, not ":openMidas"`);
      if (exported && a.exported !== 'true') problems.push(`${short} is not android:exported="true"`);
    });
    if (problems.length) return fail(problems.join('; '), 'declare all three with android:process=":openMidas" and android:exported="true" on the WX and QQ activities, exactly as the manual-integration doc shows (spec §4.5)', { details: problems });
    return pass('all three Midas activities declared, in :openMidas, WX and QQ exported');
  },
};

function qqFilter(a: ManifestActivity): { ok: boolean; schemes: string[]; missing: string[] } {
  const missing: string[] = [];
  const f = a.filters.find((x) => x.schemes.some((sc) => /wallet/i.test(sc))) ?? a.filters[0];
  if (!f) return { ok: false, schemes: [], missing: ['an intent-filter'] };
  if (!f.actions.includes('android.intent.action.VIEW')) missing.push('action VIEW');
  if (!f.categories.includes('android.intent.category.BROWSABLE')) missing.push('category BROWSABLE');
  if (!f.categories.includes('android.intent.category.DEFAULT')) missing.push('category DEFAULT');
  return { ok: missing.length === 0, schemes: f.schemes, missing };
}

const qqScheme: Check = {
  id: 'android.qqwallet-scheme',
  title: 'QQ wallet intent filter (VIEW, BROWSABLE, DEFAULT, qwallet100703379)',
  category: 'android',
  severity: 'error',
  docs: 'spec §4.5, §7 D5 [DOC S16; 3P S35, S36]',
  run(s) {
    const m = manifest(s);
    if (!isSummary(m)) return m;
    const a = m.activities.find((x) => x.name === QQ_ACTIVITY);
    if (!a) return skip(qqPayUsed(s) ? 'APMidasQQWalletActivity is not in the source manifest (see android.midas-activities)' : 'QQ Wallet pay not in use');
    const f = qqFilter(a);
    const qq = qqAppId(s)?.value;
    const hint = `give APMidasQQWalletActivity an intent-filter with <action android:name="android.intent.action.VIEW"/>, <category android:name="android.intent.category.BROWSABLE"/>, <category android:name="android.intent.category.DEFAULT"/> and <data android:scheme="${MIDAS_QQ_SCHEME}"/>`;
    if (!f.ok) return fail(`the QQ wallet activity's intent-filter lacks ${words(f.missing)}`, hint);
    if (f.schemes.includes(MIDAS_QQ_SCHEME)) return pass(`scheme ${MIDAS_QQ_SCHEME} with VIEW, BROWSABLE, DEFAULT`);
    if (qq && f.schemes.includes(`qwallet${qq}`)) {
      return warn(`scheme qwallet${qq} (qwallet + your QQ AppID); every TAC doc revision has ${MIDAS_QQ_SCHEME}`, `use ${MIDAS_QQ_SCHEME} (Midas's default, "do not modify") unless your SDK version's doc says otherwise (decision §7 D5)`);
    }
    return fail(`the QQ wallet scheme is ${f.schemes.length ? f.schemes.map(quote).join(', ') : 'missing'}, not ${quote(MIDAS_QQ_SCHEME)}`, `${hint}${f.schemes.some((x) => x.startsWith('qqwallet')) ? ' (qqwallet… is the iOS form; Android uses qwallet)' : ''}`);
  },
};

const permissions: Check = {
  id: 'android.permissions',
  title: 'INTERNET and ACCESS_NETWORK_STATE permissions',
  category: 'android',
  severity: 'error',
  docs: 'spec §4.5 (permissions) [DOC S16]',
  run(s) {
    const m = manifest(s);
    if (!isSummary(m)) return m;
    const need = ['android.permission.INTERNET', 'android.permission.ACCESS_NETWORK_STATE'];
    const missing = need.filter((p) => !m.permissions.includes(p));
    if (!missing.length) return pass('INTERNET and ACCESS_NETWORK_STATE requested');
    const fix = s.android?.manifest ? [{ kind: 'manifest-permissions' as const, file: s.android.manifest.abs, permissions: missing }] : [];
    const summary = `the manifest does not request ${words(missing.map((p) => p.split('.').pop()!))}`;
    const hint = `add ${missing.map((p) => `<uses-permission android:name="${p}"/>`).join(' ')} to AndroidManifest.xml, or run tacpay doctor --fix`;
    if (usesPaymentAar(s)) return warn(`${summary}; the tac-payment AAR may add them at merge time`, `${MERGED}, or ${hint}`, { fix });
    return fail(summary, hint, { fix });
  },
};

const queries: Check = {
  id: 'android.queries',
  title: '<queries> for WeChat and QQ (Android 11+ package visibility)',
  category: 'android',
  severity: 'error',
  docs: 'Android 11 package visibility; WeChat/QQ SDK requirement (peer research: fluwx #403), not in TAC docs (2018–2019)',
  run(s) {
    const m = manifest(s);
    if (!isSummary(m)) return m;
    const target = s.android?.gradle?.value?.targetSdk;
    if (target !== undefined && target < 30) return skip(`targetSdkVersion ${target} < 30: package visibility filtering does not apply`);
    const qq = qqPayUsed(s);
    const need = [...(wechatAppId(s) || !qq ? ['com.tencent.mm'] : []), ...(qq ? ['com.tencent.mobileqq'] : [])];
    const missing = need.filter((p) => !m.queries.packages.includes(p));
    if (!missing.length) return pass(`<queries> names ${words(need)}`);
    const fix = s.android?.manifest ? [{ kind: 'manifest-queries' as const, file: s.android.manifest.abs, packages: missing }] : [];
    return fail(`<queries> does not name ${words(missing)}: on Android 11+ the SDK cannot see ${missing.includes('com.tencent.mm') ? 'WeChat' : 'QQ'}, so pay does not launch${target === undefined ? ' (targetSdkVersion unknown)' : ` (targetSdkVersion ${target})`}`, `add <queries>${missing.map((p) => `<package android:name="${p}"/>`).join('')}</queries> to the <manifest>, or run tacpay doctor --fix`, { fix });
  },
};

const applicationId: Check = {
  id: 'android.application-id',
  title: 'applicationId = TAC config packageId',
  category: 'android',
  severity: 'error',
  docs: 'spec §4.4 (application.packageId), FAQ item 8 (§4.7)',
  run(s) {
    if (!s.android) return skip('no Android project found');
    const g = s.android.gradle?.value;
    const id = g?.applicationId ?? s.android.manifest?.value?.package;
    const where = g?.applicationId ? s.android.gradle!.path : s.android.manifest?.path;
    const pkg = str(dig(s.android.tac, 'application.packageId'));
    if (!id) return skip('no applicationId in build.gradle and no package in the manifest');
    if (!pkg) return skip('no application.packageId in the TAC json files');
    const from = sourceOf(s.android.tacJsons, 'application.packageId');
    if (pkg !== id) return fail(`applicationId ${quote(id)} (${where}) differs from application.packageId ${quote(pkg)} (${from})`, 'the TAC config belongs to another package: download tac_service_configurations.json for this app from the console (or register this package there)');
    return pass(`applicationId ${id} matches ${from}`);
  },
};

const unpackage: Check = {
  id: 'android.unpackage-not-packaged',
  title: 'tac_service_configurations_unpackage.json not under assets/',
  category: 'android',
  severity: 'error',
  docs: 'spec §4.4, FAQ item 10 (§4.7) [DOC S16, S29]',
  run(s) {
    if (!s.android) return skip('no Android project found');
    const bad = s.android.unpackage.filter((p) => /(^|\/)assets\//.test(p));
    if (bad.length) return fail(`${words(bad)} is packaged into the APK (assets/): its secrets ship with the app`, `move it to the module root (${s.android.module}/), next to build.gradle, then rotate the keys it holds`);
    return pass(s.android.unpackage.length ? `kept outside assets/ (${s.android.unpackage.join(', ')})` : 'no unpackage file under assets/');
  },
};

const qqJar: Check = {
  id: 'android.qq-jar',
  title: 'mqqopenpay.jar in libs/ for QQ pay',
  category: 'android',
  severity: 'error',
  docs: 'spec §4.5 (Gradle), FAQ item 12 (§4.7) [DOC S15, S16]',
  run(s) {
    if (!s.android) return skip('no Android project found');
    if (!qqAppId(s)) return skip('no QQ AppID configured (QQ Wallet pay not in use)');
    if (!s.android.jars.includes('mqqopenpay.jar')) return fail(`no mqqopenpay.jar in ${s.android.module}/libs/ (QQ pay is configured)`, `download mqqopenpay.jar (QQ Wallet SDK; it is not on any Maven repository) into ${s.android.module}/libs/ and depend on it: implementation fileTree(dir: 'libs', include: ['*.jar'])`);
    const g = s.android.gradle?.value;
    if (g && !g.usesLibsDir) return warn(`mqqopenpay.jar is in libs/ but ${s.android.gradle!.path} does not depend on libs/`, "add implementation fileTree(dir: 'libs', include: ['*.jar'])");
    return pass(`${s.android.module}/libs/mqqopenpay.jar present`);
  },
};

const plugin: Check = {
  id: 'android.tac-plugin',
  title: "TAC Gradle plugin (com.tencent.tac.services) applied last",
  category: 'android',
  severity: 'error',
  docs: 'spec §4.5 (Gradle) [DOC S15, S16; DEMO S21]',
  run(s) {
    if (!s.android) return skip('no Android project found');
    const g = s.android.gradle;
    if (!g?.value) return skip('no readable module build.gradle (see android.project)');
    const plugins = g.value.plugins;
    const at = plugins.findIndex((p) => p.id === TAC_PLUGIN);
    if (at === -1) {
      const atRoot = s.android.tacJsons.some((f) => !/\/assets\//.test(f.path));
      if (!s.android.tacJsons.length) return skip('no TAC json files (TAC not set up for Android?)');
      if (!atRoot) return skip('SDK 1.0 layout (TAC json under assets/): the Gradle plugin is not used');
      return fail(`${g.path} does not apply ${TAC_PLUGIN}: the TAC json at the module root is never read`, `add apply plugin: '${TAC_PLUGIN}' as the last line of ${g.path} (and classpath 'com.tencent.tac:tac-services-plugin:1.3.+' in the project buildscript)`);
    }
    const after = plugins.slice(at + 1).filter((p) => p.id !== TAC_PLUGIN);
    if (after.length) {
      return fail(`${TAC_PLUGIN} (line ${plugins[at]!.line}) is applied before ${words(after.map((p) => `${p.id} (line ${p.line})`))}`, `move apply plugin: '${TAC_PLUGIN}' to the end of ${g.path}, after every other plugin`);
    }
    return pass(`${TAC_PLUGIN} is the last plugin applied (line ${plugins[at]!.line})`);
  },
};

const repositories: Check = {
  id: 'android.repositories',
  title: 'no jcenter() or Bintray repositories',
  category: 'android',
  severity: 'error',
  docs: 'spec §4.5 (Gradle: repos); JCenter and Bintray were shut down (general knowledge, not in the TAC docs)',
  run(s) {
    if (!s.android) return skip('no Android project found');
    const files = [s.android.gradle, ...s.android.otherGradle].filter((f) => f?.value);
    const found = files.flatMap((f) => f!.value!.repositories.filter((r) => r.kind !== 'other').map((r) => ({ ...r, file: f!.path })));
    if (!found.length) return pass(`no jcenter() or Bintray URL in ${files.length} Gradle file${files.length === 1 ? '' : 's'}`);
    const details = found.map((r) => `${r.file}:${r.line}: ${r.text}`);
    const bintray = found.some((r) => r.kind === 'bintray');
    const hint = 'replace jcenter() with mavenCentral() and drop dl.bintray.com URLs; if a TAC artifact no longer resolves, vendor the .aar into libs/';
    if (bintray) return fail('a Bintray repository URL: Bintray is shut down, so these artifacts no longer resolve', hint, { details });
    return warn('jcenter() is read-only and being retired: new TAC versions will not resolve from it', hint, { details });
  },
};

const tacOfferId: Check = {
  id: 'android.tac-offer-id',
  title: 'services.payment.offerId in the TAC json = configured offerId',
  category: 'android',
  severity: 'error',
  docs: 'spec §4.4 [DEMO S20, S21]',
  run(s) {
    if (!s.android) return skip('no Android project found');
    if (!s.android.tacJsons.length) return fail('no tac_service_configurations.json found', `download tac_service_configurations.json from the MobileLine console into ${s.android.module}/ (note: "service", singular, on Android)`);
    const readable = s.android.tacJsons.filter((f) => f.value);
    if (!readable.length) return skip('no readable TAC json (see android.project)');
    const value = str(dig(s.android.tac, 'services.payment.offerId'));
    const from = sourceOf(readable, 'services.payment.offerId');
    if (!value) return fail(`services.payment.offerId is in none of ${words(readable.map((f) => f.path))}`, 'download tac_service_configurations.json again from the console (with Payment enabled)');
    const want = s.config.offerId?.value;
    if (want && value !== want) return fail(`offerId ${quote(value)} in ${from} differs from the configured ${quote(want)} (${s.config.offerId!.origin})`, 'one of them belongs to another app: download the json for this app from the console, or fix offerId in tacpay config');
    return pass(`offerId ${value} in ${from}${want ? ' matches the config' : ''}`);
  },
};

const tacSocial: Check = {
  id: 'android.tac-social-ids',
  title: 'WeChat and QQ AppIDs in the TAC json = configured ones',
  category: 'android',
  severity: 'error',
  docs: 'spec §4.4 (services.social.*) [DEMO S20, S21]',
  run(s) {
    if (!s.android) return skip('no Android project found');
    const pairs: Array<[string, string | undefined, string | undefined]> = [
      ['WeChat', str(dig(s.android.tac, 'services.social.wechat.appId', 'services.social.wechat.appID')), s.config.wechatAppId?.value],
      ['QQ', str(dig(s.android.tac, 'services.social.qq.appId', 'services.social.qq.appID')), s.config.qqAppId?.value],
    ];
    const compared = pairs.filter(([, tac, cfg]) => tac !== undefined && cfg !== undefined);
    if (!compared.length) return skip('nothing to compare (no social appId in the TAC json, or none configured)');
    const bad = compared.filter(([, tac, cfg]) => tac !== cfg);
    if (bad.length) return fail(bad.map(([w, tac, cfg]) => `${w} appId ${quote(tac!)} in the TAC json differs from the configured ${quote(cfg!)}`).join('; '), 'use the AppIDs registered on the WeChat / QQ Open Platform in both places');
    return pass(`${words(compared.map(([w]) => w))} AppID${compared.length > 1 ? 's' : ''} match the config`);
  },
};

export const ANDROID_CHECKS: readonly Check[] = [project, activities, qqScheme, permissions, queries, applicationId, unpackage, qqJar, plugin, repositories, tacOfferId, tacSocial];
