import { createPrivateKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseKey } from '../../src/core/keys.js';
import { json, runCli, tempDir, type RunResult } from '../helpers/cli.js';
import { FIXTURES, FP_2048, FP_512, FP_DOC, KEY_FIXTURES } from '../helpers/fixtures.js';
import { expectNoSecrets, secretRuns } from '../helpers/secrets.js';

const K = (name: string): string => join(FIXTURES, 'keys', name);
const mode = (p: string): number => statSync(p).mode & 0o777;
const expectedMode = (m: number): number => m & ~process.umask();



/** A failed command: given exit code, a one-line error and a hint on stderr, nothing on stdout, no stack. */
function expectCleanFailure(r: RunResult, code: number, message: RegExp): void {
  expect(r.code).toBe(code);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(message);
  expect(lines[1]).toMatch(/^hint: \S/);
  expect(lines).toHaveLength(2);
  expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
}

describe('the secret-leak check used below', () => {
  it('catches a private key printed as PEM, PKCS#1 or bare Base64, even re-wrapped', () => {
    const runs = secretRuns(K('test-rsa2048.pkcs8.pem'));
    for (const f of ['test-rsa2048.pkcs8.pem', 'test-rsa2048.pkcs1.pem', 'test-rsa2048.pkcs8-wrapped.b64']) {
      expect(() => expectNoSecrets({ code: 0, stdout: `x\n${readFileSync(K(f), 'utf8')}`, stderr: '' }, runs)).toThrow(/private key material printed/);
    }
    expectNoSecrets({ code: 0, stdout: readFileSync(K('test-rsa2048.pub.pem'), 'utf8') + readFileSync(K('test-rsa2048.cert.pem'), 'utf8'), stderr: '' }, runs);
  });
});

describe('tacpay keys generate', () => {
  it('writes the three files with the right forms, modes and one fingerprint; prints no key', async () => {
    const cwd = tempDir();
    const r = await runCli(['keys', 'generate', '--bits', '512', '--json'], { cwd });
    expect(r.code).toBe(0);
    const out = json(r);
    expect(out.bits).toBe(512);
    const names = ['tacpay-merchant.key.pem', 'tacpay-merchant.key.b64', 'tacpay-merchant.pub.pem'];
    expect(out.files.map((f: { path: string }) => f.path)).toEqual(names.map((n) => join(cwd, n)));
    expect(readdirSync(cwd).sort()).toEqual([...names].sort()); // no temporary files left behind

    const [pem, b64, pub] = names.map((n) => join(cwd, n)) as [string, string, string];
    expect(mode(pem)).toBe(expectedMode(0o600));
    expect(mode(b64)).toBe(expectedMode(0o600));
    expect(mode(pub)).toBe(expectedMode(0o644));
    expect(out.files.map((f: { mode: string }) => f.mode)).toEqual([mode(pem), mode(b64), mode(pub)].map((m) => m.toString(8).padStart(4, '0')));

    const forms = [pem, b64, pub].map((p) => parseKey(readFileSync(p), 'any').value!);
    expect(forms.map((k) => [k.kind, k.format, k.bits])).toEqual([
      ['private', 'pkcs8-pem', 512],
      ['private', 'pkcs8-der-base64', 512],
      ['public', 'spki-pem', 512],
    ]);
    for (const k of forms) expect(k.fingerprint).toBe(out.fingerprint);
    // The .b64 file is exactly the value to paste: one line, no trailing newline.
    expect(readFileSync(b64, 'utf8')).toMatch(/^MII[A-Za-z0-9+/]+=*$/);
    expectNoSecrets(r, secretRuns(pem));
  });

  it('human output lists the files and the fingerprint, and warns on stderr that 512 bits is weak', async () => {
    const cwd = tempDir();
    const r = await runCli(['keys', 'generate', '--bits', '512'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Generated an RSA-512 key pair/);
    expect(r.stdout).toMatch(/tacpay-merchant\.key\.pem\s+0600\s+private/);
    expect(r.stdout).toMatch(/tacpay-merchant\.pub\.pem\s+0644\s+public/);
    const fp = parseKey(readFileSync(join(cwd, 'tacpay-merchant.pub.pem')), 'public').value!.fingerprint;
    expect(r.stdout).toContain(fp);
    expect(r.stderr).toMatch(/^warning: 512-bit RSA is weak.*official Android demo/);
    expectNoSecrets(r, secretRuns(join(cwd, 'tacpay-merchant.key.pem')));
  });

  it('defaults to 2048 bits without a warning; 1024 warns', async () => {
    const cwd = tempDir();
    const r = await runCli(['keys', 'generate', '--json'], { cwd });
    expect(r.code).toBe(0);
    expect(json(r).bits).toBe(2048);
    expect(parseKey(readFileSync(join(cwd, 'tacpay-merchant.key.b64')), 'private').value!.bits).toBe(2048);
    expect(r.stderr).toBe('');
    const weak = await runCli(['keys', 'generate', '--bits', '1024', '--out', 'weak'], { cwd });
    expect(weak.code).toBe(0);
    expect(weak.stderr).toMatch(/1024-bit RSA is weak/);
  });

  it.each(['1000', 'abc', '0', '2048.0', '-512', '8192', ''])('--bits %j is a usage error (exit 2) and writes nothing', async (bits) => {
    const cwd = tempDir();
    const r = await runCli(['keys', 'generate', '--bits', bits], { cwd });
    expectCleanFailure(r, 2, /--bits must be one of 512, 1024, 2048, 3072, 4096/);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('refuses to replace any existing file, checks all three first, and writes none', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'tacpay-merchant.pub.pem'), 'precious');
    const r = await runCli(['keys', 'generate', '--bits', '512'], { cwd });
    expectCleanFailure(r, 1, /tacpay-merchant\.pub\.pem already exists; nothing was written/);
    expect(r.stderr).toMatch(/hint: pass --force/);
    expect(readdirSync(cwd)).toEqual(['tacpay-merchant.pub.pem']);
    expect(readFileSync(join(cwd, 'tacpay-merchant.pub.pem'), 'utf8')).toBe('precious');
  });

  it('treats a dangling symlink as an existing file', async () => {
    const cwd = tempDir();
    symlinkSync(join(cwd, 'nowhere'), join(cwd, 'tacpay-merchant.key.pem'));
    const r = await runCli(['keys', 'generate', '--bits', '512'], { cwd });
    expectCleanFailure(r, 1, /tacpay-merchant\.key\.pem already exists/);
  });

  it('--force replaces the files, with private modes set from creation even over a 0644 file', async () => {
    const cwd = tempDir();
    const first = json(await runCli(['keys', 'generate', '--bits', '512', '--json'], { cwd }));
    const pem = join(cwd, 'tacpay-merchant.key.pem');
    chmodSync(pem, 0o644);
    const r = await runCli(['keys', 'generate', '--bits', '512', '--force', '--json'], { cwd });
    expect(r.code).toBe(0);
    const second = json(r);
    expect(second.fingerprint).not.toBe(first.fingerprint);
    expect(parseKey(readFileSync(pem), 'private').value!.fingerprint).toBe(second.fingerprint);
    expect(mode(pem)).toBe(expectedMode(0o600));
    expect(readdirSync(cwd)).toHaveLength(3);
  });

  it('--force does not replace a directory', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'x.key.b64'));
    const r = await runCli(['keys', 'generate', '--bits', '512', '--out', 'x', '--force'], { cwd });
    expectCleanFailure(r, 1, /x\.key\.b64 is a directory/);
    expect(readdirSync(cwd)).toEqual(['x.key.b64']);
  });

  it('--out: a prefix, a directory, a full file name, a missing directory', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'keys'));
    expect((await runCli(['keys', 'generate', '--bits', '512', '--out', 'keys/shop'], { cwd })).code).toBe(0);
    expect(readdirSync(join(cwd, 'keys')).sort()).toEqual(['shop.key.b64', 'shop.key.pem', 'shop.pub.pem']);

    const inDir = tempDir();
    expect((await runCli(['keys', 'generate', '--bits', '512', '--out', inDir], { cwd })).code).toBe(0);
    expect(readdirSync(inDir).sort()).toEqual(['tacpay-merchant.key.b64', 'tacpay-merchant.key.pem', 'tacpay-merchant.pub.pem']);

    expect((await runCli(['keys', 'generate', '--bits', '512', '--out', 'm.key.pem'], { cwd })).code).toBe(0);
    expect(readdirSync(cwd)).toContain('m.pub.pem');

    const r = await runCli(['keys', 'generate', '--bits', '512', '--out', 'no/such/dir/k'], { cwd });
    expectCleanFailure(r, 1, /directory .*no\/such\/dir does not exist/);
    expect(r.stderr).toMatch(/mkdir -p/);
  });

  // Root writes into a read-only directory regardless, so this runs only as an ordinary user.
  it.skipIf(process.getuid?.() === 0)('a read-only directory: exit 1, nothing written', async () => {
    const cwd = tempDir();
    chmodSync(cwd, 0o555);
    const r = await runCli(['keys', 'generate', '--bits', '512'], { cwd });
    chmodSync(cwd, 0o755);
    expectCleanFailure(r, 1, /directory .* is not writable; nothing was written/);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('help shows examples', async () => {
    const r = await runCli(['keys', 'generate', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Examples:\n\s+tacpay keys generate/);
    expect(r.stdout).toMatch(/--bits <n>/);
  });
});

describe('tacpay keys inspect', () => {
  it.each(KEY_FIXTURES.map((row) => [...row]))('%s --json → %s %s %i bits', async (file, kind, format, bits, fingerprint) => {
    const r = await runCli(['keys', 'inspect', K(file), '--json']);
    expect(r.code).toBe(0);
    const out = json(r);
    expect(out).toMatchObject({ source: K(file), kind, format, bits, fingerprint });
    expect(out.formatDescription).toMatch(/\w/);
    // The public half printed is the public half of this key, and nothing private is printed.
    expect(out.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/);
    expect(parseKey(out.publicKeyPem, 'public').value!.fingerprint).toBe(fingerprint);
    expect(r.stdout).not.toMatch(/BEGIN [A-Z ]*PRIVATE/);
    if (kind === 'private') expectNoSecrets(r, secretRuns(K(file)));
  });

  it('human output: kind, format, size, fingerprint, notes, then the public half', async () => {
    const r = await runCli(['keys', 'inspect', K('test-rsa2048.mislabelled-encrypted.pem')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/kind\s+private key \(RSA\)/);
    expect(r.stdout).toMatch(/format\s+PKCS#8 private key in PEM labelled "ENCRYPTED"/);
    expect(r.stdout).toMatch(/size\s+2048 bits/);
    expect(r.stdout).toContain(`fingerprint  ${FP_2048}`);
    expect(r.stdout).toMatch(/note\s+the PEM says ENCRYPTED PRIVATE KEY but holds a plain PKCS#8 key/);
    expect(r.stdout).toMatch(/public half \(SPKI PEM\), safe to share:\n-----BEGIN PUBLIC KEY-----/);
    expect(r.stderr).toBe('');
    expectNoSecrets(r, secretRuns(K('test-rsa2048.pkcs8.pem')));
  });

  it('shows a certificate subject on one line', async () => {
    const r = await runCli(['keys', 'inspect', K('test-rsa2048.cert.pem')]);
    expect(r.stdout).toMatch(/subject\s+C=CN, O=tacpay test fixture, CN=TEST ONLY - not a real merchant\n/);
    expect(json(await runCli(['keys', 'inspect', K('test-rsa2048.cert.pem'), '--json'])).certificateSubject).toContain('CN=TEST ONLY');
  });

  it('warnings go to stderr and into the JSON issues; info notes into the JSON issues', async () => {
    const weak = await runCli(['keys', 'inspect', K('test-rsa512.pub.pem'), '--json']);
    expect(weak.code).toBe(0);
    expect(weak.stderr).toMatch(/^warning: key .*test-rsa512\.pub\.pem: 512-bit RSA key/);
    expect(json(weak).issues).toEqual([expect.objectContaining({ code: 'key.weak', severity: 'warning' })]);
    const doc = json(await runCli(['keys', 'inspect', K('doc-private.b64'), '--json']));
    expect(doc.issues.map((i: { code: string }) => i.code)).toEqual(['key.published']);
  });

  it('reads stdin with -, and inline key text', async () => {
    const pem = readFileSync(K('test-rsa2048.pkcs8.pem'), 'utf8');
    const fromStdin = await runCli(['keys', 'inspect', '-', '--json'], { stdin: pem });
    expect(json(fromStdin)).toMatchObject({ source: 'stdin', fingerprint: FP_2048 });
    const b64 = readFileSync(K('test-rsa2048.pub.b64'), 'utf8');
    const inline = await runCli(['keys', 'inspect', b64, '--json']);
    expect(json(inline)).toMatchObject({ source: 'inline key', kind: 'public', fingerprint: FP_2048 });
  });

  it('TTY output is coloured, NO_COLOR and --json are not', async () => {
    const tty = { stdout: true, stderr: true };
    const esc = /\u001b\[/;
    expect((await runCli(['keys', 'inspect', K('test-rsa2048.pub.pem')], { tty, env: { TERM: 'xterm' } })).stdout).toMatch(esc);
    expect((await runCli(['keys', 'inspect', K('test-rsa2048.pub.pem')], { tty, env: { TERM: 'xterm', NO_COLOR: '1' } })).stdout).not.toMatch(esc);
    expect((await runCli(['keys', 'inspect', K('test-rsa2048.pub.pem'), '--json'], { tty, env: { TERM: 'xterm' } })).stdout).not.toMatch(esc);
  });

  describe('unusable input: exit 1, one-line error naming the problem, a hint, no stack', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'empty.pem'), '');
    writeFileSync(join(dir, 'garbage.bin'), Buffer.from([0x00, 0x13, 0x37, 0xff, 0x00, 0x01, 0x02, 0x80, 0x7f, 0x00]));
    writeFileSync(join(dir, 'offerkey.txt'), 'bBJ2la1zfmssX28fhe39dv9OcFe6JFvY\n');
    it.each([
      ['a directory', dir, /key file .* is a directory, not a file/],
      ['a missing file', join(dir, 'missing.pem'), /key file .*missing\.pem does not exist/],
      ['an empty file', join(dir, 'empty.pem'), /empty\.pem: the key is empty/],
      ['binary garbage', join(dir, 'garbage.bin'), /garbage\.bin: the input is binary but not an RSA key/],
      ['an offerKey', join(dir, 'offerkey.txt'), /32-character string .* offerKey/],
      ['a truncated PEM', K('test-rsa2048.truncated.pem'), /truncated/],
      ['a truncated Base64 paste', K('test-rsa2048.truncated.b64'), /truncated: it holds 750 of the 1216 bytes/],
      ['an EC key', K('test-ec-p256.pkcs8.pem'), /EC .*key was given; the order API signs with RSA/],
      ['a really encrypted key', K('test-rsa2048.encrypted.pem'), /really encrypted/],
    ])('%s', async (_name, path, message) => {
      const r = await runCli(['keys', 'inspect', path]);
      expectCleanFailure(r, 1, message);
      const j = await runCli(['keys', 'inspect', path, '--json']);
      expect(j.code).toBe(1);
      expect(json(j).error.message).toMatch(message);
      expect(json(j).error.hint).toMatch(/\S/);
    });

    // As root, chmod 000 does not stop a read (root bypasses file permissions), so the case cannot
    // be produced; the tests run as root in CI containers, hence the explicit skip.
    it.skipIf(process.getuid?.() === 0)('an unreadable file (chmod 000)', async () => {
      const p = join(tempDir(), 'locked.pem');
      writeFileSync(p, readFileSync(K('test-rsa2048.pkcs8.pem')));
      chmodSync(p, 0o000);
      expectCleanFailure(await runCli(['keys', 'inspect', p]), 1, /locked\.pem cannot be read: permission denied/);
    });
  });

  it('a missing argument is a usage error (exit 2)', async () => {
    const r = await runCli(['keys', 'inspect']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: missing required argument 'file'/);
  });
});

describe('tacpay keys match', () => {
  it.each([
    ['test-rsa2048.pkcs8.pem', 'test-rsa2048.pub.pem'],
    ['test-rsa2048.pkcs1.pem', 'test-rsa2048.cert.pem'],
    ['test-rsa2048.pkcs8.b64', 'test-rsa2048.pub-pkcs1.pem'],
    ['test-rsa2048.mislabelled-encrypted.pem', 'test-rsa2048.pub.b64'],
    ['doc-private.b64', 'doc-public.pem'],
  ])('%s + %s: a pair (exit 0), fingerprints equal, signature verified', async (priv, pub) => {
    const r = await runCli(['keys', 'match', K(priv), K(pub), '--json']);
    expect(r.code).toBe(0);
    const out = json(r);
    expect(out).toMatchObject({ match: true, fingerprintsEqual: true, signatureCheck: 'verified', notes: [] });
    expect(out.private.fingerprint).toBe(out.public.fingerprint);
    expect(out.problem).toBeUndefined();
  });

  it('human output shows both fingerprints and the verdict', async () => {
    const r = await runCli(['keys', 'match', K('test-rsa2048.pkcs8.pem'), K('test-rsa2048.pub.pem')]);
    expect(r.code).toBe(0);
    expect(r.stdout.split(FP_2048)).toHaveLength(3);
    expect(r.stdout).toMatch(/signature\s+verified/);
    expect(r.stdout).toMatch(/match: the two files are a key pair\n$/);
    expect(r.stderr).toBe('');
    expectNoSecrets(r, secretRuns(K('test-rsa2048.pkcs8.pem')));
  });

  it('a mismatch exits 1, names both fingerprints on stdout and in the error, and says which file is likely wrong', async () => {
    const r = await runCli(['keys', 'match', K('test-rsa2048.pkcs8.pem'), K('doc-public.pem')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(FP_2048);
    expect(r.stdout).toContain(FP_DOC);
    expect(r.stdout).toMatch(/signature\s+does not verify/);
    expect(r.stdout).toMatch(/no match\n$/);
    const [err, hint] = r.stderr.trimEnd().split('\n');
    expect(err).toMatch(new RegExp(`^error: .*test-rsa2048\\.pkcs8\\.pem \\(${FP_2048.replace(/[+/]/g, '\\$&')}\\) and .*doc-public\\.pem \\(${FP_DOC.replace(/[+/]/g, '\\$&')}\\) are not a key pair$`));
    expect(hint).toMatch(/^hint: .*doc-public\.pem is the example key printed in the Tencent Cloud signing document/);
    expectNoSecrets(r, secretRuns(K('test-rsa2048.pkcs8.pem')));
  });

  it('a mismatch in --json is one document with match:false, the problem and the hint; exit 1', async () => {
    const r = await runCli(['keys', 'match', K('test-rsa512.pkcs8.pem'), K('test-rsa2048.pub.pem'), '--json']);
    expect(r.code).toBe(1);
    const out = json(r);
    expect(out).toMatchObject({ match: false, fingerprintsEqual: false, signatureCheck: 'failed' });
    expect(out.private.fingerprint).toBe(FP_512);
    expect(out.public.fingerprint).toBe(FP_2048);
    expect(out.problem).toContain(FP_512);
    expect(out.problem).toContain(FP_2048);
    expect(out.hint).toMatch(/sizes differ \(512 and 2048 bits\)/);
  });

  it.each([
    ['the "public" file is another private key', 'test-rsa512.pkcs8.pem', 'test-rsa2048.pkcs8.pem', /test-rsa2048\.pkcs8\.pem is a different private key, not a public key: it is probably the wrong file/],
    ['the "public" file is a certificate for another key', 'test-rsa512.pkcs8.pem', 'test-rsa2048.cert.pem', /test-rsa2048\.cert\.pem is a certificate for "C=CN, O=tacpay test fixture, CN=TEST ONLY - not a real merchant" issued for another key/],
    ['the private key is the document example', 'doc-private.b64', 'test-rsa2048.pub.pem', /doc-private\.b64 is the example key printed in the Tencent Cloud signing document, not your merchant key/],
  ])('%s: the hint says so', async (_name, priv, pub, hint) => {
    const out = json(await runCli(['keys', 'match', K(priv), K(pub), '--json']));
    expect(out.match).toBe(false);
    expect(out.hint).toMatch(hint);
  });

  it('two keys of the same size from different pairs: the public file is named as the likely stale one', async () => {
    const dir = tempDir();
    const other = generateKeyPairSync('rsa', { modulusLength: 512 }).publicKey.export({ type: 'spki', format: 'pem' });
    writeFileSync(join(dir, 'other.pub.pem'), other);
    const out = json(await runCli(['keys', 'match', K('test-rsa512.pkcs8.pem'), join(dir, 'other.pub.pem'), '--json']));
    expect(out.match).toBe(false);
    expect(out.hint).toMatch(/the public file is usually the stale one.*tacpay keys inspect .*test-rsa512\.pkcs8\.pem/);
  });

  it('swapped arguments: matched the right way round, with a note', async () => {
    const r = await runCli(['keys', 'match', K('test-rsa2048.pub.pem'), K('test-rsa2048.pkcs1.pem'), '--json']);
    expect(r.code).toBe(0);
    const out = json(r);
    expect(out).toMatchObject({ match: true, signatureCheck: 'verified' });
    expect(out.private.format).toBe('pkcs1-pem');
    expect(out.notes[0]).toMatch(/arguments were swapped/);
  });

  it('the same private key given twice matches, with a note not to share a private key as the public one', async () => {
    const out = json(await runCli(['keys', 'match', K('test-rsa2048.pkcs8.pem'), K('test-rsa2048.pkcs1.pem'), '--json']));
    expect(out.match).toBe(true);
    expect(out.notes[0]).toMatch(/test-rsa2048\.pkcs1\.pem is itself a private key/);
  });

  it('two public keys: nothing to sign with, exit 1', async () => {
    const r = await runCli(['keys', 'match', K('test-rsa2048.pub.pem'), K('test-rsa2048.cert.pem'), '--json']);
    expect(r.code).toBe(1);
    const out = json(r);
    expect(out).toMatchObject({ match: false, fingerprintsEqual: true, signatureCheck: 'skipped' });
    expect(out.problem).toMatch(/test-rsa2048\.pub\.pem is not a private key.*both hold the same public key/);
    expect(out.hint).toMatch(/give the private key first/);
  });

  it('a damaged private key with the right modulus: fingerprints agree, the round trip catches it', async () => {
    // Alter the private exponent and both CRT exponents (OpenSSL falls back from a bad CRT result
    // to d, so all three must be wrong); the public modulus, hence the fingerprint, is untouched.
    const jwk = createPrivateKey(readFileSync(K('test-rsa512.pkcs8.pem'))).export({ format: 'jwk' }) as JsonWebKey;
    const flip = (s: string): string => (s.startsWith('A') ? 'B' : 'A') + s.slice(1);
    const bad = createPrivateKey({ key: { ...jwk, d: flip(jwk.d!), dp: flip(jwk.dp!), dq: flip(jwk.dq!) }, format: 'jwk' });
    const dir = tempDir();
    writeFileSync(join(dir, 'damaged.key.pem'), bad.export({ type: 'pkcs8', format: 'pem' }));
    const r = await runCli(['keys', 'match', join(dir, 'damaged.key.pem'), K('test-rsa512.pub.pem'), '--json']);
    expect(r.code).toBe(1);
    const out = json(r);
    expect(out).toMatchObject({ match: false, fingerprintsEqual: true, signatureCheck: 'failed' });
    expect(out.problem).toMatch(/same public key .* but a signature made with .*damaged\.key\.pem does not verify/);
  });

  it('bad inputs: exit 1 naming which argument, stdin twice and a missing argument: exit 2', async () => {
    const dir = tempDir();
    expectCleanFailure(await runCli(['keys', 'match', join(dir, 'nope.pem'), K('test-rsa2048.pub.pem')]), 1, /private key file .*nope\.pem does not exist/);
    expectCleanFailure(await runCli(['keys', 'match', K('test-rsa2048.pkcs8.pem'), dir]), 1, /public key file .* is a directory/);
    expectCleanFailure(await runCli(['keys', 'match', K('test-rsa2048.pkcs8.pem'), K('test-ec-p256.pkcs8.pem')]), 1, /^error: public key .*test-ec-p256\.pkcs8\.pem: an EC/);
    expectCleanFailure(await runCli(['keys', 'match', '-', '-']), 2, /only one input can come from stdin/);
    const missing = await runCli(['keys', 'match', K('test-rsa2048.pkcs8.pem')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing required argument 'public'/);
  });

  it('reads the private key from stdin', async () => {
    const r = await runCli(['keys', 'match', '-', K('test-rsa2048.pub.pem'), '--json'], { stdin: readFileSync(K('test-rsa2048.pkcs8.der')) });
    expect(r.code).toBe(0);
    expect(json(r).private).toMatchObject({ source: 'stdin', format: 'pkcs8-der' });
  });
});

describe('tacpay keys', () => {
  it('help lists the three subcommands with examples', async () => {
    const r = await runCli(['keys', '--help']);
    expect(r.code).toBe(0);
    for (const sub of ['generate', 'inspect', 'match']) expect(r.stdout).toMatch(new RegExp(`^\\s+${sub}\\b`, 'm'));
    expect(r.stdout).toMatch(/Examples:/);
    for (const sub of ['inspect', 'match']) expect((await runCli(['keys', sub, '--help'])).stdout).toMatch(/Examples:\n\s+.*tacpay keys/);
  });
});
