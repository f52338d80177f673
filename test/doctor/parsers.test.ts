// The parser wrappers: real parsers underneath, a Malformed error with a line number for broken
// input, never any other exception; the Gradle reader ignores comments and strings it should.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBinary } from 'plist';
import { describe, expect, it } from 'vitest';
import { mergeConfigs } from '../../src/doctor/merge-config.js';
import { Malformed, parseGradle, parseJsonObject, parseManifest, parsePbxproj, parsePlist, parsePlistDict } from '../../src/doctor/parsers/index.js';
import { PROJECTS } from './helpers.js';

const XML = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0">\n${body}\n</plist>\n`;

describe('plists', () => {
  it('reads XML plists by the DTD: dict, array, string, integer, real, booleans, data, date', () => {
    const { value, format } = parsePlist(Buffer.from(XML('<dict><key>s</key><string>a &amp; b</string><key>i</key><integer>7</integer><key>r</key><real>1.5</real><key>t</key><true/><key>f</key><false/><key>a</key><array><string>x</string></array><key>d</key><data>aGk=</data><key>e</key><array/></dict>')));
    expect(format).toBe('XML plist');
    expect(value).toEqual({ s: 'a & b', i: 7, r: 1.5, t: true, f: false, a: ['x'], d: Buffer.from('hi'), e: [] });
  });

  it('reads binary plists (bplist00) with bplist-parser', () => {
    const bytes = Buffer.from(buildBinary({ CFBundleURLTypes: [{ CFBundleURLSchemes: ['wx1'] }], n: 3 }));
    expect(bytes.subarray(0, 8).toString()).toBe('bplist00');
    expect(parsePlistDict(bytes)).toEqual({ value: { CFBundleURLTypes: [{ CFBundleURLSchemes: ['wx1'] }], n: 3 }, format: 'binary plist' });
  });

  it('malformed XML is Malformed with the line number', () => {
    const text = XML('<dict>\n<key>a</key>\n<string>x</strin>\n</dict>');
    expect(() => parsePlist(Buffer.from(text))).toThrow(Malformed);
    expect(() => parsePlist(Buffer.from(text))).toThrow(/^line 6: /);
    expect(() => parsePlist(Buffer.from(XML('<dict><key>a</key></dict>')))).toThrow(/has no value/);
    expect(() => parsePlist(Buffer.from('{ a = b; }'))).toThrow(/OpenStep/);
    expect(() => parsePlistDict(Buffer.from(XML('<array/>')))).toThrow(/not a dictionary/);
  });

  it('never throws anything but Malformed, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.string({ maxLength: 200 }).map((s) => new TextEncoder().encode(XML(s)))), (bytes) => {
        try {
          parsePlist(Buffer.from(bytes));
        } catch (err) {
          if (!(err instanceof Malformed)) throw err;
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('pbxproj (the xcode package grammar)', () => {
  it('summarises targets: build phases in order, bundle resources, build settings', () => {
    const text = readFileSync(join(PROJECTS, 'ios-native/broken-target/TacShop.xcodeproj/project.pbxproj'), 'utf8');
    const [t] = parsePbxproj(text).targets;
    expect(t!.name).toBe('TacShop');
    expect(t!.productType).toBe('com.apple.product-type.application');
    expect(t!.phases.map((p) => p.name)).toEqual(['[CP] Check Pods Manifest.lock', '[TAC] Run Before Script', 'Sources', 'Frameworks', '[TAC] Run After Script', 'Resources', '[CP] Embed Pods Frameworks']);
    expect(t!.phases[1]!.script).toBe('${SRCROOT}/Pods/TACCore/Scripts/tac.run.all.before.sh\n');
    expect(t!.resources).toContain('tac_services_configurations_unpackage.plist');
    expect(t!.settings.Release).toMatchObject({ INFOPLIST_FILE: 'TacShop/Info.plist', PRODUCT_BUNDLE_IDENTIFIER: 'com.example.tacshop', PRODUCT_NAME: '$(TARGET_NAME)' });
  });

  it('a merge-conflict marker is Malformed with its line', () => {
    const text = readFileSync(join(PROJECTS, 'flutter/broken-project/ios/Runner.xcodeproj/project.pbxproj'), 'utf8');
    const line = text.split('\n').findIndex((l) => l.startsWith('<<<<<<<')) + 1;
    expect(() => parsePbxproj(text)).toThrow(new RegExp(`^line ${line}: not a valid project.pbxproj`));
  });
});

describe('AndroidManifest.xml', () => {
  it('reads package, permissions, activities (relative names resolved) with filters, and <queries>', () => {
    const m = parseManifest(readFileSync(join(PROJECTS, 'android-native/good/app/src/main/AndroidManifest.xml'), 'utf8'));
    expect(m.package).toBe('com.example.tacshop');
    expect(m.permissions).toContain('android.permission.ACCESS_NETWORK_STATE');
    expect(m.activities.map((a) => a.name)).toEqual(['com.example.tacshop.MainActivity', 'com.tencent.openmidas.proxyactivity.APMidasPayProxyActivity', 'com.tencent.openmidas.wx.APMidasWXPayActivity', 'com.tencent.openmidas.qq.APMidasQQWalletActivity']);
    expect(m.activities[3]!.filters[0]).toEqual({ actions: ['android.intent.action.VIEW'], categories: ['android.intent.category.BROWSABLE', 'android.intent.category.DEFAULT'], schemes: ['qwallet100703379'] });
    expect(m.queries).toEqual({ present: true, packages: ['com.tencent.mm', 'com.tencent.mobileqq'] });
  });

  it('a mismatched closing tag is Malformed with its line; another root element too', () => {
    expect(() => parseManifest('<manifest>\n<application>\n</applicaton>\n</manifest>')).toThrow(/^line 3: /);
    expect(() => parseManifest('<resources/>')).toThrow(/not <manifest>/);
  });
});

describe('Gradle reader', () => {
  it('reads Groovy: applicationId, targetSdk, plugins in order, repositories, dependencies, libs, storeFile', () => {
    const g = parseGradle(`apply plugin: 'com.android.application'
// apply plugin: 'commented.out'
android {
    defaultConfig {
        applicationId "com.example.a"
        targetSdkVersion 30
    }
    signingConfigs { release { storeFile file("rel.jks") } }
}
repositories {
    // jcenter()
    jcenter()
    maven { url 'https://dl.bintray.com/x/maven/' }
}
dependencies {
    implementation fileTree(dir: 'libs', include: ['*.jar'])
    implementation "com.tencent.tac:tac-payment:1.3.+"
    /* implementation 'not:this:1' */
}
apply plugin: 'com.tencent.tac.services'
`);
    expect(g.applicationId).toBe('com.example.a');
    expect(g.targetSdk).toBe(30);
    expect(g.plugins).toEqual([
      { id: 'com.android.application', form: 'apply', line: 1 },
      { id: 'com.tencent.tac.services', form: 'apply', line: 20 },
    ]);
    expect(g.repositories.map((r) => [r.kind, r.line])).toEqual([['jcenter', 12], ['bintray', 13]]);
    expect(g.dependencies).toEqual(['com.tencent.tac:tac-payment:1.3.+']);
    expect(g.usesLibsDir).toBe(true);
    expect(g.storeFiles).toEqual(['rel.jks']);
    expect(g.lastStatementLine).toBe(20);
  });

  it('reads the Kotlin DSL: plugins { id(...) }, apply(plugin = ...), applicationId = "..."', () => {
    const g = parseGradle(`plugins {\n    id("com.android.application")\n    id("com.tencent.tac.services")\n}\napply(plugin = "kotlin-parcelize")\nandroid {\n    defaultConfig {\n        applicationId = "com.example.k"\n        targetSdk = 34\n    }\n}\n`);
    expect(g.plugins.map((p) => [p.id, p.form])).toEqual([['com.android.application', 'plugins-block'], ['com.tencent.tac.services', 'plugins-block'], ['kotlin-parcelize', 'apply']]);
    expect(g.applicationId).toBe('com.example.k');
    expect(g.targetSdk).toBe(34);
  });

  it('never throws, whatever the text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => void parseGradle(s)), { numRuns: 300 });
  });
});

describe('JSON and merging', () => {
  it('malformed JSON is Malformed with the reason, without echoing the file', () => {
    expect(() => parseJsonObject('{\n  "a": 1,\n  "b": \n}')).toThrow(/not valid JSON \(Unexpected character\)$/);
    expect(() => parseJsonObject('[1]')).toThrow(/not an object/);
  });

  it('merges TAC config files in order: later files win, dictionaries merge deeply (§4.4)', () => {
    expect(mergeConfigs([{ services: { payment: { offerId: 'TC1' }, social: { qq: { appId: '1' } } } }, { services: { payment: { offerId: 'TC2' } } }])).toEqual({
      services: { payment: { offerId: 'TC2' }, social: { qq: { appId: '1' } } },
    });
  });
});
