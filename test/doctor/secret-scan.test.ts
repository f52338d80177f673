// The secret scan on sources as people really write them: keys split over "..." + pieces, adjacent
// literals, *_SECRET_KEY / *_PRIVATE_KEY names in six languages, and the look-alikes that must not
// be reported (public keys, placeholders, names without values, TAC config appKeys).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { literals, scanText, secretName } from '../../src/doctor/secret-scan.js';
import { FIXTURES } from '../helpers/fixtures.js';

const KEY = readFileSync(join(FIXTURES, 'keys', 'doc-private.b64'), 'utf8').replace(/\s+/g, '');
const PUBLIC = readFileSync(join(FIXTURES, 'keys', 'doc-public.pem'), 'utf8').replace(/-----[^-]+-----|\s+/g, '');
const OFFER_KEY = 'Zq7Kd93LmPw0Xs1Tq7Kd93LmPw0Xs1Ta';

/** The key cut into pieces of `n` characters. */
const pieces = (s: string, n: number) => s.match(new RegExp(`.{1,${n}}`, 'g'))!;

describe('secret scan', () => {
  it('finds a private key split over "..." + pieces in Java, on the line where it starts, without printing it', () => {
    const java = ['package com.example.pay;', '', 'public final class Keys {', '    static final String RSA_KEY =', ...pieces(KEY, 64).map((p, i, a) => `        "${p}"${i < a.length - 1 ? ' +' : ';'}`), '}', ''].join('\n');
    const hits = scanText('app/src/main/java/com/example/pay/Keys.java', java);
    expect(hits).toHaveLength(1);
    expect(hits[0]!.line).toBe(5);
    expect(hits[0]!.what).toMatch(/^a Base64 private key \(SHA256:[^)]+\) split over \d+ string pieces$/);
    expect(JSON.stringify(hits)).not.toContain(KEY.slice(0, 40));
  });

  it('joins adjacent literals: Objective-C @"..." @"...", C "..." "...", Dart \'...\' \'...\', Kotlin + at line starts', () => {
    const objc = `static NSString * const kKey = @"${KEY.slice(0, 800)}"\n    @"${KEY.slice(800)}";\n`;
    expect(scanText('ios/App/Keys.m', objc)[0]!.what).toContain('split over 2 string pieces');
    const dart = `const key = '${KEY.slice(0, 500)}'\n    '${KEY.slice(500, 1000)}'\n    '${KEY.slice(1000)}';\n`;
    expect(scanText('lib/keys.dart', dart)[0]!.what).toContain('split over 3 string pieces');
    const kotlin = `object Keys {\n    const val RSA_PRIVATE_KEY = "${KEY.slice(0, 900)}"\n        + "${KEY.slice(900)}"\n}\n`;
    expect(scanText('app/src/main/kotlin/Keys.kt', kotlin)[0]).toEqual({ line: 2, what: expect.stringContaining('split over 2 string pieces') });
  });

  it('finds literal values of secret names in each language, and says which name', () => {
    const cases: Array<[string, string, string]> = [
      ['Pay.java', `    public static final String MIDAS_SECRET_KEY = "${OFFER_KEY}";`, 'MIDAS_SECRET_KEY'],
      ['Pay.kt', `    private val offerKey: String = "${OFFER_KEY}"`, 'offerKey'],
      ['Pay.swift', `    static let appKey = "${OFFER_KEY}"`, 'appKey'],
      ['Pay.m', `#define MIDAS_OFFER_KEY @"${OFFER_KEY}"`, 'MIDAS_OFFER_KEY'],
      ['pay.ts', `export const config = { appKey: '${OFFER_KEY}' };`, 'appKey'],
      ['pay.js', `payment.setOfferKey("${OFFER_KEY}");`, 'setOfferKey'],
      ['pay.dart', `  static const String midasSecretKey = '${OFFER_KEY}';`, 'midasSecretKey'],
      ['config.json', `{\n  "offerKey": "${OFFER_KEY}"\n}`, 'offerKey'],
    ];
    for (const [path, text, name] of cases) {
      const hits = scanText(path, text);
      expect(hits, path).toHaveLength(1);
      expect(hits[0]!.what, path).toBe(`a literal ${name} value`);
      expect(hits[0]!.what).not.toContain(OFFER_KEY);
    }
  });

  it('finds secrets in plists, Android string resources and properties files', () => {
    expect(scanText('App/Config.plist', `<dict>\n\t<key>MidasAppKey</key>\n\t<string>${OFFER_KEY}</string>\n</dict>`)).toEqual([{ line: 2, what: 'a literal MidasAppKey value' }]);
    expect(scanText('app/src/main/res/values/secrets.xml', `<resources>\n    <string name="midas_secret_key">${OFFER_KEY}</string>\n</resources>`)).toEqual([{ line: 2, what: 'a literal midas_secret_key value' }]);
    expect(scanText('app/src/main/assets/pay.properties', `# pay\nmidas.offer.key=${OFFER_KEY}\n`)).toEqual([{ line: 2, what: 'a literal midas.offer.key value' }]);
  });

  it('does not report public keys, placeholders, references, short values, or a name in a comment without a value', () => {
    const quiet = [
      ['Keys.java', `static final String PLATFORM_PUBLIC_KEY = "${PUBLIC}";`],
      ['Keys.java', 'static final String OFFER_KEY = "YOUR_OFFER_KEY_HERE_32_CHARACTERS";'],
      ['Keys.kt', 'val appKey = BuildConfig.MIDAS_APP_KEY'],
      ['Keys.swift', 'let offerKey = ProcessInfo.processInfo.environment["OFFER_KEY"] ?? ""'],
      ['pay.js', "const privateKey = fs.readFileSync('./keys/merchant.key.pem', 'utf8');"],
      ['pay.ts', "const secretKey = '';"],
      ['Pay.m', '// the offerKey lives on the server; never put it here'],
      ['Res.xml', '<string name="app_key">@string/other</string>'],
      ['pay.dart', "const appKey = 'xxxxxxxxxxxxxxxxxxxxxxxx';"],
    ];
    for (const [path, text] of quiet) expect(scanText(path!, text!), text).toEqual([]);
  });

  it('finds the configured offerKey anywhere, also inside a longer string, but only key material in TAC config files', () => {
    expect(scanText('src/a.js', `const url = "https://x/?k=${OFFER_KEY}";`, { offerKey: OFFER_KEY })).toEqual([{ line: 1, what: 'the configured offerKey' }]);
    const tac = `{"services": {"analytics": {"appKey": "Aqcloud101983xxxxxxxx"}, "social": {"qq": {"appKey": "${OFFER_KEY}"}}}}`;
    expect(scanText('app/tac_service_configurations.json', tac, { names: false })).toEqual([]);
    expect(scanText('app/tac_service_configurations.json', `{"k": "${KEY}"}`, { names: false })[0]!.what).toMatch(/^a Base64 private key/);
  });

  it('names: *_PRIVATE_KEY, *SECRET_KEY, offerKey, appKey count; public ones and unrelated keys do not', () => {
    for (const n of ['RSA_PRIVATE_KEY', 'MIDAS_SECRET_KEY', 'offerKey', 'kWechatAppKey', 'app_secret', 'setOfferKey', 'merchantKey']) expect(secretName(n), n).toBe(true);
    for (const n of ['PUBLIC_KEY', 'platformPublicKey', 'keyboard', 'apiKeyName', 'offerId', 'primaryKey']) expect(secretName(n), n).toBe(false);
  });

  it('lexes comments and the string forms of the C family (escapes, triple quotes, templates)', () => {
    const l = literals('a = "x\\"y" // "not"\n/* "no" */ b = """t\nq""" + `z${1}` + \'c\'');
    expect(l.map((x) => x.value)).toEqual(['x"y', 't\nq', 'z${1}', 'c']);
  });

  it('names from real code: WeChat Pay API keys and put("offerKey", ...) are secrets; analytics and push app keys, and public keys, are not', () => {
    expect(scanText('Constants.java', `public static final String WX_API_KEY = "${OFFER_KEY}";`)).toEqual([{ line: 1, what: 'a literal WX_API_KEY value' }]);
    expect(scanText('Pay.java', `params.put("offerKey", "${OFFER_KEY}");`)).toEqual([{ line: 1, what: 'a literal offerKey value' }]);
    expect(scanText('App.java', `UMConfigure.init(this, UMENG_APPKEY = "${OFFER_KEY}");`)).toEqual([]);
    expect(scanText('Keys.java', `static final String RSA_KEY = "${PUBLIC}";`)).toEqual([]);
    expect(scanText('AndroidManifest.xml', `<meta-data android:name="MIDAS_SECRET_KEY" android:value="${OFFER_KEY}" />`)).toEqual([{ line: 1, what: 'a literal MIDAS_SECRET_KEY value' }]);
  });
});
