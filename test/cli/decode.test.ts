import { createPrivateKey, sign as rsaSign } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, json, runCli, tempDir } from '../helpers/cli.js';
import { docPayInfo, FIXTURES } from '../helpers/fixtures.js';

const KEYS = join(FIXTURES, 'payinfo');
const PLATFORM_PUB = join(KEYS, 'platform-public.pem');
const OTHER_PUB = join(KEYS, 'other-public.pem');
const SIGNED = readFileSync(join(KEYS, 'signed.txt'), 'utf8').trimEnd();
const platformPrivate = createPrivateKey(readFileSync(join(KEYS, 'platform-private.pem')));
const ESC = '\u001b';

function payInfo(fields: Record<string, unknown>): string {
  const text = JSON.stringify({ appid: 'TC100008', user_id: 'rickenwang', out_trade_no: 'open_1', product_id: 'product_test', pay_method: 'wechat', ...fields });
  return 'data=' + encodeURIComponent(text) + '&sign=' + encodeURIComponent(rsaSign('sha256', Buffer.from(text), platformPrivate).toString('base64'));
}

const noStack = (stderr: string) => expect(stderr).not.toMatch(/^\s+at /m);

describe('tacpay decode <pay_info>', () => {
  it('shows the fields, the length warning and that the signature was not checked', async () => {
    const r = await runCli(['decode', docPayInfo]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/appid\s+TC100008/);
    expect(r.stdout).toMatch(/out_trade_no\s+open_1517568769743/);
    expect(r.stdout).toContain('344 Base64 characters, 256 bytes');
    expect(r.stdout).toContain('[payinfo.long]');
    expect(r.stdout).toContain('not checked (no public key; pass --public-key or set platformPublicKey)');
    expect(r.stdout).toContain('assumed (§7 D1)');
    expect(r.stdout).toMatch(/^valid \(1 warning\)$/m);
    expect(r.stderr).toBe('');
  });

  it('--json prints exactly one document with the documented shape', async () => {
    const r = await runCli(['decode', '--json', docPayInfo]);
    expect(r.code).toBe(0);
    const doc = json(r);
    expect(Object.keys(doc)).toEqual(['input', 'valid', 'data', 'sign', 'issues', 'signature']);
    expect(doc.input).toEqual({ length: 564 });
    expect(doc.valid).toBe(true);
    expect(doc.data.user_id).toBe('rickenwang');
    expect(doc.sign).toEqual({ base64Length: 344, bytes: 256 });
    expect(doc.issues.map((i: { code: string }) => i.code)).toEqual(['payinfo.long']);
    expect(doc.signature).toEqual({ status: 'not-checked', reason: 'no public key; pass --public-key or set platformPublicKey', scheme: 'assumed (§7 D1)' });
  });

  it('verifies with --public-key and says which candidate and hash matched', async () => {
    const r = await runCli(['decode', SIGNED, '--public-key', PLATFORM_PUB]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ verified: SHA-256 over the decoded data JSON, key SHA256:\S+ \(RSA-2048\)/);
    const j = json(await runCli(['decode', '--json', SIGNED, '--public-key', PLATFORM_PUB]));
    expect(j.signature).toMatchObject({ status: 'verified', candidate: 'decoded-json', hash: 'sha256', keyBits: 2048 });
    expect(j.signature.keyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('fails with ranked causes and exit 1 when another key signed it', async () => {
    const r = await runCli(['decode', SIGNED, '--public-key', OTHER_PUB]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✗ failed with key SHA256:');
    expect(r.stdout).toContain('likely causes, most likely first:');
    expect(r.stdout).toMatch(/1\. signed with a different key .*\[different-key\]/);
    expect(r.stdout).toMatch(/^invalid.*signature failed$/m);
  });

  it('--expect-fingerprint puts the expected key next to the one given', async () => {
    const platformFp = json(await runCli(['decode', '--json', SIGNED, '--public-key', PLATFORM_PUB])).signature.keyFingerprint;
    const r = await runCli(['decode', '--json', SIGNED, '--public-key', OTHER_PUB, '--expect-fingerprint', platformFp]);
    const j = json(r);
    expect(j.signature.expectedFingerprint).toBe(platformFp);
    expect(j.signature.causes[0].code).toBe('different-key');
    expect(j.signature.causes[0].evidence).toContain(platformFp);
  });

  it('confirms a repaired cause ("+" read as a space)', async () => {
    const r = await runCli(['decode', '--json', SIGNED.replace(/%2B/g, ' '), '--public-key', PLATFORM_PUB]);
    expect(r.code).toBe(1);
    expect(json(r).signature.causes[0]).toMatchObject({ code: 'plus-as-space', confirmed: true });
  });

  it('takes the key from platformPublicKey (env or config file) when --public-key is not given', async () => {
    const r = await runCli(['decode', '--json', SIGNED], { env: cleanEnv({ TACPAY_PLATFORM_PUBLIC_KEY: PLATFORM_PUB }) });
    expect(json(r).signature.status).toBe('verified');
    const dir = tempDir();
    writeFileSync(join(dir, 'tacpay.config.json'), JSON.stringify({ platformPublicKey: PLATFORM_PUB }));
    expect(json(await runCli(['decode', '--json', SIGNED], { cwd: dir })).signature.status).toBe('verified');
  });

  it('--expect-appid: a mismatch is an error; the offerId setting is the fallback; without either nothing is expected', async () => {
    const flag = await runCli(['decode', '--json', docPayInfo, '--expect-appid', 'TC1']);
    expect(flag.code).toBe(1);
    expect(json(flag).issues.map((i: { code: string }) => i.code)).toContain('appid.unexpected');
    const env = await runCli(['decode', '--json', docPayInfo], { env: cleanEnv({ TACPAY_OFFER_ID: 'TC2' }) });
    expect(env.code).toBe(1);
    expect(json(env).issues.find((i: { code: string }) => i.code === 'appid.unexpected').message).toContain('"TC2"');
    const flagWins = await runCli(['decode', '--json', docPayInfo, '--expect-appid', 'TC100008'], { env: cleanEnv({ TACPAY_OFFER_ID: 'TC2' }) });
    expect(flagWins.code).toBe(0);
    expect((await runCli(['decode', docPayInfo])).code).toBe(0);
  });

  it('makes decoded text inert: control characters are shown escaped, never sent to the terminal', async () => {
    const evil = payInfo({ product_id: `x${ESC}[31mred`, note: `\u202eevil` });
    const r = await runCli(['decode', evil]);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain(ESC);
    expect(r.stdout).not.toContain('\u202e');
    expect(r.stdout).toContain('x\\x1b[31mred');
    expect(r.stdout).toContain('\\u202eevil');
  });

  describe('colour', () => {
    it('uses colour on a TTY, none when piped', async () => {
      expect((await runCli(['decode', docPayInfo], { tty: { stdout: true }, env: cleanEnv({ TERM: 'xterm' }) })).stdout).toContain(`${ESC}[`);
      expect((await runCli(['decode', docPayInfo], { tty: { stdout: false } })).stdout).not.toContain(ESC);
    });

    it('NO_COLOR and --json turn it off even on a TTY', async () => {
      expect((await runCli(['decode', docPayInfo], { tty: { stdout: true }, env: cleanEnv({ NO_COLOR: '1', TERM: 'xterm' }) })).stdout).not.toContain(ESC);
      const j = await runCli(['decode', '--json', docPayInfo], { tty: { stdout: true }, env: cleanEnv({ TERM: 'xterm' }) });
      expect(j.stdout).not.toContain(ESC);
      expect(() => json(j)).not.toThrow();
    });
  });
});

describe('tacpay decode - (stdin)', () => {
  it('ignores exactly one trailing newline', async () => {
    for (const end of ['\n', '\r\n', '']) {
      const r = await runCli(['decode', '--json', '-'], { stdin: docPayInfo + end });
      expect(r.code).toBe(0);
      expect(json(r).input.length).toBe(564);
    }
  });

  it('judges anything else around it: a second newline, spaces, quotes', async () => {
    for (const input of [`${docPayInfo}\n\n`, ` ${docPayInfo}\n`, `"${docPayInfo}"\n`]) {
      const r = await runCli(['decode', '--json', '-'], { stdin: input });
      expect(r.code).toBe(1);
      expect(json(r).issues.map((i: { code: string }) => i.code)).toContain('payinfo.stray-wrapping');
    }
  });

  it('confirms that the trimmed pay_info verifies', async () => {
    const r = await runCli(['decode', '--json', '-', '--public-key', PLATFORM_PUB], { stdin: `'${SIGNED}'\n` });
    expect(json(r).signature.causes[0]).toMatchObject({ code: 'stray-wrapping', confirmed: true });
  });
});

describe('bad input: one line naming the problem and the remedy, exit 1, no stack', () => {
  const cases: ReadonlyArray<readonly [string, string[], string | Buffer, RegExp]> = [
    ['empty argument', ['decode', ''], '', /^error: the pay_info is empty\nhint: pass the pay_info/],
    ['empty stdin', ['decode', '-'], '', /^error: the pay_info is empty\n/],
    ['only a newline on stdin', ['decode', '-'], '\n', /^error: the pay_info is empty\n/],
    ['binary bytes', ['decode', '-'], Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]), /^error: the input holds binary data \(byte 0x00 at offset 4\)/],
    ['invalid UTF-8', ['decode', '-'], Buffer.concat([Buffer.from('data=%7B'), Buffer.from([0xe4, 0xb8]), Buffer.from('&sign=x')]), /^error: the input is not valid UTF-8 \(byte 0xe4 at offset 8\)/],
    ['a 10 MB line', ['decode', '-'], Buffer.alloc(10 * 1024 * 1024, 0x61), /^error: the input is 10,485,760 bytes; a pay_info is about 600/],
    ['several lines', ['decode', '-'], `${docPayInfo}\n${docPayInfo}\n`, /^error: the input spans several lines.*\nhint: .*--batch/],
  ];

  it.each(cases)('%s', async (_what, args, stdin, message) => {
    const r = await runCli(args, { stdin });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(2);
    noStack(r.stderr);
  });

  it('--json errors are one JSON document with the code', async () => {
    const r = await runCli(['decode', '--json', '-'], { stdin: Buffer.from([0, 1, 2]) });
    expect(r.code).toBe(1);
    expect(json(r).error).toMatchObject({ code: 'input.binary' });
  });

  it('truncated percent-escapes are judged, not thrown', async () => {
    const r = await runCli(['decode', '--json', docPayInfo.replace('%22rickenwang', '%E4%B8rickenwang')]);
    expect(r.code).toBe(1);
    const issue = json(r).issues.find((i: { code: string }) => i.code === 'payinfo.bad-percent-encoding');
    expect(issue.message).toContain('%E4%B8');
    expect(issue.hint).toContain('copy it again');
  });

  it('a key file that is a directory', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'keys'));
    const r = await runCli(['decode', docPayInfo, '--public-key', 'keys'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: platform public key file keys is a directory, not a file\nhint: /);
    noStack(r.stderr);
  });

  it('a key file that does not exist, or is not a key', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'notes.txt'), 'hello');
    const missing = await runCli(['decode', docPayInfo, '--public-key', 'nope.pem'], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nope.pem does not exist');
    const notKey = await runCli(['decode', docPayInfo, '--public-key', 'notes.txt'], { cwd: dir });
    expect(notKey.code).toBe(1);
    expect(notKey.stderr).toMatch(/^error: platform public key notes.txt: /);
    noStack(notKey.stderr);
  });

  it.skipIf(process.getuid?.() === 0)('an unreadable key file', async () => {
    const dir = tempDir();
    const file = join(dir, 'key.pem');
    writeFileSync(file, readFileSync(PLATFORM_PUB));
    chmodSync(file, 0o000);
    const r = await runCli(['decode', docPayInfo, '--public-key', 'key.pem'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('permission denied');
  });
});

describe('usage errors exit 2', () => {
  it.each([
    ['no pay_info', ['decode'], /missing pay_info/],
    ['pay_info and --file', ['decode', 'x', '--file', 'f'], /together with --file/],
    ['--file and --batch', ['decode', '--file', 'f', '--batch'], /either --file or --batch/],
    ['--workers without a batch', ['decode', 'x', '--workers', '2'], /--workers only applies/],
    ['--workers not a number', ['decode', '--batch', '--workers', 'many'], /not a number from 0 to 64/],
    ['--expect-appid not an offerId', ['decode', 'x', '--expect-appid', 'abc'], /not an offerId/],
    ['--expect-fingerprint not a fingerprint', ['decode', 'x', '--expect-fingerprint', 'abc'], /not a key fingerprint/],
    ['two inputs from stdin', ['decode', '-', '--public-key', '-'], /only one input can come from stdin/],
    ['--batch and a stdin key', ['decode', '--batch', '--public-key', '-'], /only one input can come from stdin/],
  ])('%s', async (_what, args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    noStack(r.stderr);
  });
});

describe('batch: --batch / --file, NDJSON out', () => {
  const lines = [payInfo({ out_trade_no: 'o1' }), 'data=nonsense', '', payInfo({ out_trade_no: 'o4', user_id: 'x' }), `"${payInfo({ out_trade_no: 'o5' })}"`];
  const records = (stdout: string) => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));

  it('one record per input line, in order, with line numbers; summary on stderr; exit 1 if any is invalid', async () => {
    const r = await runCli(['decode', '--batch', '--public-key', PLATFORM_PUB], { stdin: lines.join('\n') + '\n' });
    expect(r.code).toBe(1);
    expect(r.stdout.endsWith('\n')).toBe(true);
    const recs = records(r.stdout);
    expect(recs.map((x) => x.line)).toEqual([1, 2, 3, 4, 5]);
    expect(recs.map((x) => x.valid)).toEqual([true, false, false, false, false]);
    expect(recs[0]).toEqual({ line: 1, valid: true, out_trade_no: 'o1', issues: [expect.objectContaining({ code: 'payinfo.long', severity: 'warning' })], signature: { status: 'verified', candidate: 'decoded-json', hash: 'sha256' } });
    expect(recs[2].issues[0].code).toBe('input.empty');
    expect(recs[3].issues.map((i: { code: string }) => i.code)).toEqual(['payinfo.long', 'user_id.too-short']);
    expect(recs[3].signature.status).toBe('verified');
    expect(recs[4].signature.causes[0]).toMatchObject({ code: 'stray-wrapping', confirmed: true });
    expect(r.stderr).toMatch(/decoded 5 lines: 1 valid, 4 invalid; signatures: 2 verified, 1 failed, 2 not checked/);
  });

  it('each record is exactly what JSON.stringify writes for it', async () => {
    const input = [docPayInfo, SIGNED, SIGNED.replace('%7B', '%7b'), 'junk', '', payInfo({ out_trade_no: 'x"y' })].join('\n');
    for (const args of [[], ['--public-key', PLATFORM_PUB]]) {
      const r = await runCli(['decode', '--batch', ...args], { stdin: input });
      const out = r.stdout.split('\n').filter(Boolean);
      expect(out).toHaveLength(6);
      for (const line of out) expect(JSON.stringify(JSON.parse(line))).toBe(line);
    }
  });

  it('exit 0 when every line is valid; CRLF line ends are fine; no key: signatures not checked', async () => {
    const r = await runCli(['decode', '--batch'], { stdin: `${docPayInfo}\r\n${SIGNED}\r\n` });
    expect(r.code).toBe(0);
    const recs = records(r.stdout);
    expect(recs).toHaveLength(2);
    expect(recs[0].signature).toEqual({ status: 'not-checked' });
    expect(r.stderr).toContain('signatures not checked (no public key; pass --public-key or set platformPublicKey)');
  });

  it('--file reads a file; a line over 64 KiB and an invalid UTF-8 line get error records and the batch goes on', async () => {
    const dir = tempDir();
    const big = Buffer.alloc(100 * 1024, 0x61);
    writeFileSync(join(dir, 'in.txt'), Buffer.concat([Buffer.from(SIGNED + '\n'), big, Buffer.from('\n'), Buffer.from([0x64, 0xff, 0x0a]), Buffer.from(SIGNED)]));
    const r = await runCli(['decode', '--file', 'in.txt', '--public-key', PLATFORM_PUB], { cwd: dir });
    expect(r.code).toBe(1);
    const recs = records(r.stdout);
    expect(recs.map((x) => [x.line, x.valid])).toEqual([[1, true], [2, false], [3, false], [4, true]]);
    expect(recs[1].issues[0]).toMatchObject({ code: 'line.too-long', severity: 'error' });
    expect(recs[1].issues[0].message).toContain('102,400 bytes');
    expect(recs[2].issues[0].code).toBe('input.invalid-utf8');
  });

  it('shows progress only when stderr is a terminal', async () => {
    const tty = await runCli(['decode', '--batch'], { stdin: docPayInfo + '\n', tty: { stderr: true } });
    expect(tty.stderr).toContain('\r\u001b[K');
    expect(tty.stderr).toContain('decoding: ');
    const piped = await runCli(['decode', '--batch'], { stdin: docPayInfo + '\n' });
    expect(piped.stderr).not.toContain('\r');
    expect(piped.stderr).not.toContain('decoding: ');
  });

  it('--workers without the built worker script warns and still decodes, in order', async () => {
    const many = Array.from({ length: 300 }, (_, i) => payInfo({ out_trade_no: `o${i}` }).replace(/&sign=.*/, '&sign=' + encodeURIComponent('A'.repeat(342) + '==')));
    const r = await runCli(['decode', '--batch', '--workers', '2'], { stdin: many.join('\n') });
    expect(r.stderr).toMatch(/worker script .* is missing; decoding on one thread/);
    expect(records(r.stdout).map((x) => x.out_trade_no)).toEqual(many.map((_, i) => `o${i}`));
  });

  it('an empty input is an error, not an empty success', async () => {
    const r = await runCli(['decode', '--batch'], { stdin: '' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: no pay_info lines in stdin\n/);
  });

  it('a --file that is a directory or missing: one line, exit 1', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'd'));
    const d = await runCli(['decode', '--file', 'd'], { cwd: dir });
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(/^error: pay_info file d is a directory, not a file\n/);
    const m = await runCli(['decode', '--file', 'missing.txt'], { cwd: dir });
    expect(m.code).toBe(1);
    expect(m.stderr).toContain('pay_info file missing.txt does not exist');
    noStack(d.stderr + m.stderr);
  });

  it('--file - reads stdin', async () => {
    const r = await runCli(['decode', '--file', '-'], { stdin: docPayInfo });
    expect(records(r.stdout)).toHaveLength(1);
    expect(r.code).toBe(0);
  });
});
