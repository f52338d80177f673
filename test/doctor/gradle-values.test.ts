// Gradle values traced the way real projects write them; anything else is unknown, never guessed.
import { describe, expect, it } from 'vitest';
import { catalogPlugins, catalogVersions, extDefinitions, propertyDefinitions, resolveInt, type Sources } from '../../src/doctor/gradle-values.js';
import { parseGradle } from '../../src/doctor/parsers/index.js';

const RN_ROOT = `buildscript {
    ext {
        buildToolsVersion = "34.0.0"
        minSdkVersion = 23
        compileSdkVersion = 34
        // targetSdkVersion = 28
        targetSdkVersion = compileSdkVersion
    }
}
`;

function sources(over: Partial<Sources> = {}): Sources {
  return { ext: new Map(), properties: new Map(), catalog: new Map(), ...over };
}

describe('Gradle values', () => {
  it('reads targetSdkVersion as written in the module, in every form', () => {
    expect(parseGradle('android {\n  defaultConfig {\n    targetSdkVersion rootProject.ext.targetSdkVersion\n  }\n}').targetSdkExpr).toBe('rootProject.ext.targetSdkVersion');
    expect(parseGradle('android { defaultConfig { targetSdk = libs.versions.targetSdk.get().toInt() } }').targetSdkExpr).toBe('libs.versions.targetSdk.get().toInt()');
    expect(parseGradle('targetSdkVersion(33)').targetSdk).toBe(33);
    expect(parseGradle('targetSdk 34\n').targetSdk).toBe(34);
    expect(parseGradle('targetSdkVersion flutter.targetSdkVersion\n').targetSdk).toBeUndefined();
  });

  it('traces rootProject.ext through an ext block, comments ignored, one indirection followed', () => {
    const ext = extDefinitions(RN_ROOT, 'android/build.gradle');
    const r = resolveInt('rootProject.ext.targetSdkVersion', sources({ ext }));
    expect(r.value).toBe(34);
    expect(r.via).toContain('android/build.gradle:7');
  });

  it('reads ext.x = n, extra["x"], val x by extra(n), and Capacitor variables.gradle', () => {
    expect(resolveInt('rootProject.targetSdkVersion', sources({ ext: extDefinitions('ext.targetSdkVersion = 29', 'b') })).value).toBe(29);
    expect(resolveInt('targetSdk', sources({ ext: extDefinitions('def targetSdk = 31\nandroid { }', 'b', new Map(), true) })).value).toBe(31);
    expect(resolveInt('rootProject.extra["targetSdk"] as Int', sources({ ext: extDefinitions('extra["targetSdk"] = 33', 'b') })).value).toBe(33);
    expect(resolveInt('(rootProject.extra["targetSdk"] as Int)', sources({ ext: extDefinitions('val targetSdk by extra(35)', 'b') })).value).toBe(35);
    const capacitor = 'ext {\n    minSdkVersion = 22\n    compileSdkVersion = 34\n    targetSdkVersion = 34\n    androidxActivityVersion = \'1.8.0\'\n}\n';
    expect(resolveInt('rootProject.ext.targetSdkVersion', sources({ ext: extDefinitions(capacitor, 'android/variables.gradle') })).via).toBe('rootProject.ext.targetSdkVersion = 34 (android/variables.gradle:4)');
  });

  it('reads gradle.properties and version catalogs (with the accessor spelling)', () => {
    const properties = propertyDefinitions('# sdk\nTARGET_SDK_VERSION=33\nandroid.useAndroidX=true\n', 'android/gradle.properties');
    expect(resolveInt('Integer.parseInt(TARGET_SDK_VERSION)', sources({ properties })).value).toBe(33);
    expect(resolveInt('TARGET_SDK_VERSION.toInteger()', sources({ properties })).value).toBe(33);
    expect(resolveInt('property("TARGET_SDK_VERSION").toString().toInt()', sources({ properties })).value).toBe(33);
    const catalog = catalogVersions('[versions]\nagp = "8.2.0"\ntarget-sdk = "34"\n\n[libraries]\nx = { module = "a:b", version.ref = "agp" }\n', 'gradle/libs.versions.toml');
    expect(resolveInt('libs.versions.target.sdk.get().toInt()', sources({ catalog })).value).toBe(34);
  });

  it('reports what it cannot trace as unknown, with the reason', () => {
    expect(resolveInt('flutter.targetSdkVersion', sources())).toEqual({ unknown: expect.stringContaining('Flutter SDK') });
    expect(resolveInt('rootProject.ext.targetSdkVersion', sources()).unknown).toContain('defined in no ext block');
    expect(resolveInt('computeTarget() + 1', sources()).unknown).toContain('does not evaluate');
    expect(resolveInt('rootProject.ext.targetSdkVersion', sources({ ext: extDefinitions('ext { targetSdkVersion = someFunction() }', 'b') })).unknown).toContain('someFunction()');
  });

  it('reads minify, proguard files, applied scripts, includes and project dirs', () => {
    const g = parseGradle(`apply from: 'variables.gradle'
android {
  buildTypes {
    release {
      minifyEnabled true
      proguardFiles getDefaultProguardFile('proguard-android-optimize.txt'), 'proguard-rules.pro', 'midas.pro'
    }
  }
}
dependencies {
  implementation project(':wechatpay')
}
`);
    expect(g.minify).toBe(true);
    expect(g.proguardFiles).toEqual(['proguard-rules.pro', 'midas.pro']);
    expect(g.applyFrom).toEqual(['variables.gradle']);
    expect(g.projectDeps).toEqual(['wechatpay']);
    const settings = parseGradle(`include ':app', ':react-native-wechat-lib'
project(':react-native-wechat-lib').projectDir = new File(rootProject.projectDir, '../node_modules/react-native-wechat-lib/android')
`);
    expect(settings.includes).toEqual(['app', 'react-native-wechat-lib']);
    expect(settings.projectDirs).toEqual({ 'react-native-wechat-lib': '../node_modules/react-native-wechat-lib/android' });
    expect(parseGradle('buildTypes { release { isMinifyEnabled = false } }').minify).toBe(false);
  });

  it('traces minifyEnabled through a def of the same file (the React Native template) and reads map-notation dependencies', () => {
    const rn = parseGradle(`def enableProguardInReleaseBuilds = true
android {
    buildTypes {
        release {
            minifyEnabled enableProguardInReleaseBuilds
            proguardFiles getDefaultProguardFile("proguard-android.txt"), "proguard-rules.pro"
        }
    }
}
dependencies {
    implementation group: 'com.tencent.mm.opensdk', name: 'wechat-sdk-android', version: '6.8.0'
}
`);
    expect(rn.minify).toBe(true);
    expect(rn.dependencies).toContain('com.tencent.mm.opensdk:wechat-sdk-android:6.8.0');
    expect(parseGradle('def enableProguardInReleaseBuilds = false\nminifyEnabled enableProguardInReleaseBuilds\n').minify).toBe(false);
    const unknown = parseGradle('minifyEnabled rootProject.ext.minifyRelease\n');
    expect(unknown.minify).toBe(false);
    expect(unknown.minifyUnknown).toBe('rootProject.ext.minifyRelease');
  });

  it('resolves plugins applied through the version catalog (alias(libs.plugins.x)) to their ids', () => {
    const g = parseGradle('plugins {\n    alias(libs.plugins.android.application)\n    alias(libs.plugins.tac.services)\n}\n');
    expect(g.plugins.map((p) => p.id)).toEqual(['libs.plugins.android.application', 'libs.plugins.tac.services']);
    const ids = catalogPlugins('[versions]\nagp = "8.2.0"\n[plugins]\nandroid-application = { id = "com.android.application", version.ref = "agp" }\ntac-services = "com.tencent.tac.services:1.3.2"\n');
    expect(ids.get('android.application')).toBe('com.android.application');
    expect(ids.get('tac.services')).toBe('com.tencent.tac.services');
  });

  it("uses the first targetSdkVersion (defaultConfig), not a product flavor's", () => {
    expect(parseGradle('defaultConfig {\n  targetSdkVersion 34\n}\nproductFlavors {\n  legacy {\n    targetSdkVersion 28\n  }\n}\n').targetSdk).toBe(34);
  });
});
