// The --fix planner: formatting-preserving edits of XML plists and AndroidManifest.xml, proven by
// re-parsing; binary plists and unusable files are refused; writes are atomic.
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBinary } from 'plist';
import { describe, expect, it } from 'vitest';
import { planFixes, writeAtomic } from '../../src/doctor/fix.js';
import { parseManifest, parsePlistDict } from '../../src/doctor/parsers/index.js';
import type { FileEntry, Finding, FixAction, Snapshot } from '../../src/doctor/types.js';

function setup(name: string, content: string | Buffer, format: string): { file: string; snapshot: Snapshot } {
  const dir = mkdtempSync(join(tmpdir(), 'tacpay-fix-'));
  const file = join(dir, name);
  writeFileSync(file, content);
  const entry: FileEntry<unknown> = { role: 'x', path: name, abs: file, source: 'discovered', format };
  return { file, snapshot: { root: dir, layouts: [], notes: [], suggestions: [], skipped: [], uses: { tac: [], wechat: [], qq: [] }, packages: [], config: {}, shipped: [], scan: { files: 0 }, files: { used: [entry], missing: [] } } };
}

function finding(id: string, fix: FixAction[], status: Finding['status'] = 'fail'): Finding {
  return { id, title: id, category: 'ios', severity: 'error', docs: '', status, summary: '', fix };
}

const PLIST = (body: string, eol = '\n') =>
  ['<?xml version="1.0" encoding="UTF-8"?>', '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">', '<plist version="1.0">', body, '</plist>', ''].join(eol);

describe('Info.plist edits', () => {
  it('appends a URL type after the last one, at the same indentation, and nothing else changes', async () => {
    const before = PLIST('<dict>\n\t<key>CFBundleName</key>\n\t<string>Shop</string>\n\t<key>CFBundleURLTypes</key>\n\t<array>\n\t\t<dict>\n\t\t\t<key>CFBundleURLSchemes</key>\n\t\t\t<array>\n\t\t\t\t<string>tencent1</string>\n\t\t\t</array>\n\t\t</dict>\n\t</array>\n</dict>');
    const { file, snapshot } = setup('Info.plist', before, 'XML plist');
    const plan = await planFixes([finding('ios.wechat-url-scheme', [{ kind: 'plist-url-scheme', file, scheme: 'wx5e1f3c9a2b7d4e60', name: 'weixin' }])], snapshot);
    expect(plan.refused).toEqual([]);
    const [e] = plan.edits;
    expect(e!.changes).toEqual(['add URL scheme wx5e1f3c9a2b7d4e60 to CFBundleURLTypes']);
    expect(e!.after).toBe(before.replace('\t\t</dict>\n\t</array>', '\t\t</dict>\n\t\t<dict>\n\t\t\t<key>CFBundleTypeRole</key>\n\t\t\t<string>Editor</string>\n\t\t\t<key>CFBundleURLName</key>\n\t\t\t<string>weixin</string>\n\t\t\t<key>CFBundleURLSchemes</key>\n\t\t\t<array>\n\t\t\t\t<string>wx5e1f3c9a2b7d4e60</string>\n\t\t\t</array>\n\t\t</dict>\n\t</array>'));
    expect(e!.diff).toContain('+\t\t\t\t<string>wx5e1f3c9a2b7d4e60</string>');
    expect(e!.checks).toEqual(['ios.wechat-url-scheme']);
    // Planning writes nothing.
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('adds a missing key in sorted position, and fills an empty <array/>; re-parses to the intended values', async () => {
    const before = PLIST('<dict>\n    <key>CFBundleName</key>\n    <string>Shop</string>\n    <key>LSApplicationQueriesSchemes</key>\n    <array/>\n    <key>UILaunchStoryboardName</key>\n    <string>Launch</string>\n</dict>');
    const { file, snapshot } = setup('Info.plist', before, 'XML plist');
    const plan = await planFixes(
      [
        finding('ios.wechat-url-scheme', [{ kind: 'plist-url-scheme', file, scheme: 'wx5e1f3c9a2b7d4e60', name: 'weixin' }]),
        finding('ios.query-schemes', [{ kind: 'plist-query-schemes', file, schemes: ['weixin', 'mqqwallet'] }]),
        finding('ios.universal-link', [{ kind: 'plist-query-schemes', file, schemes: ['weixinULAPI', 'weixin'] }], 'warn'),
      ],
      snapshot,
    );
    const after = plan.edits[0]!.after;
    const v = parsePlistDict(Buffer.from(after)).value;
    expect(v.LSApplicationQueriesSchemes).toEqual(['weixin', 'mqqwallet', 'weixinULAPI']);
    expect(v.CFBundleURLTypes).toEqual([{ CFBundleTypeRole: 'Editor', CFBundleURLName: 'weixin', CFBundleURLSchemes: ['wx5e1f3c9a2b7d4e60'] }]);
    // Four-space indentation kept; CFBundleURLTypes placed after CFBundleName (sorted), keys order preserved.
    expect(after).toContain('    <key>CFBundleName</key>\n    <string>Shop</string>\n    <key>CFBundleURLTypes</key>\n    <array>\n        <dict>\n            <key>CFBundleTypeRole</key>');
    expect(after).toContain('    <key>LSApplicationQueriesSchemes</key>\n    <array>\n        <string>weixin</string>\n        <string>mqqwallet</string>\n        <string>weixinULAPI</string>\n    </array>\n    <key>UILaunchStoryboardName</key>');
  });

  it('keeps CRLF line endings', async () => {
    const before = PLIST('<dict>\r\n\t<key>LSApplicationQueriesSchemes</key>\r\n\t<array>\r\n\t\t<string>weixin</string>\r\n\t</array>\r\n</dict>', '\r\n');
    const { file, snapshot } = setup('Info.plist', before, 'XML plist');
    const plan = await planFixes([finding('ios.query-schemes', [{ kind: 'plist-query-schemes', file, schemes: ['mqqwallet'] }])], snapshot);
    const after = plan.edits[0]!.after;
    expect(after).toBe(before.replace('\t\t<string>weixin</string>\r\n', '\t\t<string>weixin</string>\r\n\t\t<string>mqqwallet</string>\r\n'));
    expect(after.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('never edits a binary plist, a malformed file, or anything for a passing check', async () => {
    const bin = setup('Info.plist', Buffer.from(buildBinary({ CFBundleName: 'Shop' })), 'binary plist');
    const plan = await planFixes([finding('ios.query-schemes', [{ kind: 'plist-query-schemes', file: bin.file, schemes: ['weixin'] }])], bin.snapshot);
    expect(plan.edits).toEqual([]);
    expect(plan.refused[0]!.reason).toMatch(/binary plist/);
    const bad = setup('Info.plist', '<plist><dict>', 'XML plist');
    bad.snapshot.files.used[0]!.error = 'line 1: unclosed xml tag(s): plist';
    const plan2 = await planFixes([finding('ios.query-schemes', [{ kind: 'plist-query-schemes', file: bad.file, schemes: ['weixin'] }])], bad.snapshot);
    expect(plan2.refused[0]!.reason).toMatch(/cannot be used/);
    const ok = setup('Info.plist', PLIST('<dict/>'), 'XML plist');
    expect((await planFixes([finding('ios.query-schemes', [{ kind: 'plist-query-schemes', file: ok.file, schemes: ['weixin'] }], 'pass')], ok.snapshot)).edits).toEqual([]);
  });

  it('refuses when the key holds something other than an array', async () => {
    const { file, snapshot } = setup('Info.plist', PLIST('<dict>\n\t<key>LSApplicationQueriesSchemes</key>\n\t<string>weixin</string>\n</dict>'), 'XML plist');
    const plan = await planFixes([finding('ios.query-schemes', [{ kind: 'plist-query-schemes', file, schemes: ['mqqwallet'] }])], snapshot);
    expect(plan.edits).toEqual([]);
    expect(plan.refused[0]!.reason).toBe('LSApplicationQueriesSchemes is not an <array>');
  });
});

describe('AndroidManifest.xml edits', () => {
  const MANIFEST = `<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android"
    package="com.example.tacshop">

    <uses-permission android:name="android.permission.INTERNET" />

    <application android:label="Shop">
        <activity android:name=".Main" />
    </application>
</manifest>
`;

  it('inserts <queries> before <application> and a permission after the last one, at their indentation', async () => {
    const { file, snapshot } = setup('AndroidManifest.xml', MANIFEST, 'XML');
    const plan = await planFixes(
      [
        finding('android.queries', [{ kind: 'manifest-queries', file, packages: ['com.tencent.mm', 'com.tencent.mobileqq'] }]),
        finding('android.permissions', [{ kind: 'manifest-permissions', file, permissions: ['android.permission.ACCESS_NETWORK_STATE'] }], 'warn'),
      ],
      snapshot,
    );
    const after = plan.edits[0]!.after;
    expect(after).toBe(
      MANIFEST.replace(
        '    <uses-permission android:name="android.permission.INTERNET" />\n\n    <application',
        '    <uses-permission android:name="android.permission.INTERNET" />\n    <uses-permission android:name="android.permission.ACCESS_NETWORK_STATE" />\n\n    <queries>\n        <package android:name="com.tencent.mm" />\n        <package android:name="com.tencent.mobileqq" />\n    </queries>\n\n    <application',
      ),
    );
    expect(parseManifest(after).queries.packages).toEqual(['com.tencent.mm', 'com.tencent.mobileqq']);
  });

  it('adds to an existing <queries>, with the namespace prefix the file uses', async () => {
    const text = MANIFEST.replace(/android:/g, 'a:').replace('xmlns:a=', 'xmlns:a=').replace('xmlns:android=', 'xmlns:a=').replace('    <application', '    <queries>\n        <package a:name="com.tencent.mm" />\n    </queries>\n    <application');
    const { file, snapshot } = setup('AndroidManifest.xml', text, 'XML');
    const plan = await planFixes([finding('android.queries', [{ kind: 'manifest-queries', file, packages: ['com.tencent.mobileqq'] }])], snapshot);
    expect(plan.edits[0]!.after).toContain('        <package a:name="com.tencent.mm" />\n        <package a:name="com.tencent.mobileqq" />\n    </queries>');
    expect(parseManifest(plan.edits[0]!.after).queries.packages).toEqual(['com.tencent.mm', 'com.tencent.mobileqq']);
  });
});

describe('writeAtomic', () => {
  it('replaces the file through a temp file, keeping its mode and leaving no temp file behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tacpay-write-'));
    const file = join(dir, 'Info.plist');
    writeFileSync(file, 'old');
    chmodSync(file, 0o640);
    await writeAtomic(file, 'new');
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['Info.plist']);
  });
});
