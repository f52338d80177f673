import { createPublicKey, createSign, createVerify, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeFormat, fingerprintOf, knownKey, parseKey, privateBase64, publicPem, type KeyInfo } from '../../src/core/keys.js';
import type { Issue } from '../../src/core/issues.js';
import { docPublicPem, docVector, FIXTURES, FP_2048, FP_512, FP_DOC, KEY_FIXTURES } from '../helpers/fixtures.js';

const fixture = (name: string): Buffer => readFileSync(join(FIXTURES, 'keys', name));
const text = (name: string): string => fixture(name).toString('utf8');

// The fixtures' public halves, computed independently with `openssl pkey -pubout -outform DER | sha256 | base64`.

const codes = (issues: readonly Issue[]): string[] => issues.map((i) => i.code);
const errorOf = (issues: readonly Issue[]): Issue | undefined => issues.find((i) => i.severity === 'error');

/** Parses and insists on success, so the table rows below read as data. */
function ok(input: string | Uint8Array, want: 'private' | 'public' | 'any' = 'any'): { key: KeyInfo; issues: Issue[] } {
  const r = parseKey(input, want);
  expect(errorOf(r.issues), JSON.stringify(r.issues)).toBeUndefined();
  expect(r.value).toBeDefined();
  return { key: r.value!, issues: r.issues };
}

/** Parses and insists on failure with `code`; returns the error issue. */
function fails(input: string | Uint8Array, want: 'private' | 'public' | 'any', code: string): Issue {
  const r = parseKey(input, want);
  expect(r.value).toBeUndefined();
  const err = errorOf(r.issues);
  expect(err?.code, JSON.stringify(r.issues)).toBe(code);
  return err!;
}

describe('parseKey: every accepted form', () => {
  const table = KEY_FIXTURES;

  it.each(table)('%s → %s, %s, %i bits, fingerprint of the pair', (file, kind, format, bits, fingerprint) => {
    // Both as bytes (a file) and as a string (a pasted value or env var).
    for (const input of [fixture(file), text(file)]) {
      if (typeof input === 'string' && format.endsWith('-der') && !format.endsWith('base64')) continue; // binary has no string form
      const { key } = ok(input);
      expect(key.kind).toBe(kind);
      expect(key.format).toBe(format);
      expect(key.bits).toBe(bits);
      expect(key.fingerprint).toBe(fingerprint);
      expect(key.privateKey !== undefined).toBe(kind === 'private');
      expect(describeFormat(key.format)).toMatch(/\w/);
    }
  });

  it('the document example key is a 2048-bit PKCS#8 whose fingerprint equals doc-public.pem', () => {
    const priv = ok(text('doc-private.b64').trim(), 'private').key;
    const pub = ok(docPublicPem, 'public').key;
    expect(priv.format).toBe('pkcs8-der-base64');
    expect(priv.bits).toBe(2048);
    expect(priv.fingerprint).toBe(pub.fingerprint);
    // And it is the signing vector's key, byte for byte.
    expect(privateBase64(priv.privateKey!)).toBe(docVector.privateKey);
    expect(publicPem(priv).trim()).toBe(docPublicPem.trim());
  });

  it('marks the document example key as published, and no other', () => {
    const doc = ok(text('doc-private.b64'));
    expect(codes(doc.issues)).toContain('key.published');
    expect(knownKey(doc.key.fingerprint)).toMatch(/signing document/);
    expect(codes(ok(text('test-rsa2048.pkcs8.pem')).issues)).not.toContain('key.published');
    expect(knownKey(FP_2048)).toBeUndefined();
  });

  it('gives the certificate subject for a certificate', () => {
    const { key } = ok(text('test-rsa2048.cert.pem'));
    expect(key.certificateSubject).toContain('CN=TEST ONLY - not a real merchant');
  });

  it('notes the mislabelled ENCRYPTED PRIVATE KEY it read as plain PKCS#8 (spec §1.4)', () => {
    expect(codes(ok(text('test-rsa2048.mislabelled-encrypted.pem'), 'private').issues)).toEqual(['key.mislabelled']);
  });

  it('accepts a line-wrapped Base64 paste with an info note', () => {
    const { issues } = ok(text('test-rsa2048.pkcs8-wrapped.b64'), 'private');
    expect(issues).toEqual([expect.objectContaining({ code: 'key.whitespace', severity: 'info' })]);
  });

  it('warns about a 512-bit key but accepts it (the official demo uses one)', () => {
    const { issues } = ok(text('test-rsa512.pkcs8.pem'), 'private');
    expect(issues).toEqual([expect.objectContaining({ code: 'key.weak', severity: 'warning' })]);
    expect(issues[0]!.message).toContain('512-bit');
  });

  it('reads a private key where a public one is wanted, with a note', () => {
    const { key, issues } = ok(text('test-rsa2048.pkcs8.pem'), 'public');
    expect(key.fingerprint).toBe(FP_2048);
    expect(codes(issues)).toEqual(['key.private-as-public']);
  });

  it('publicPem gives SPKI PEM that parses to the same fingerprint; fingerprintOf agrees', () => {
    const { key } = ok(text('test-rsa2048.pkcs1.pem'));
    const pem = publicPem(key);
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(pem).not.toContain('PRIVATE');
    expect(ok(pem).key.fingerprint).toBe(FP_2048);
    expect(fingerprintOf(createPublicKey(pem))).toBe(FP_2048);
  });

  it('privateBase64 round-trips through parseKey', () => {
    const { key } = ok(text('test-rsa2048.pkcs1.pem'));
    const b64 = privateBase64(key.privateKey!);
    expect(b64).toBe(text('test-rsa2048.pkcs8.b64'));
    expect(ok(b64).key.fingerprint).toBe(FP_2048);
  });

  it('the parsed private key signs what its public half verifies', () => {
    const priv = ok(fixture('test-rsa2048.pkcs8.der'), 'private').key;
    const pub = ok(fixture('test-rsa2048.cert.pem'), 'public').key;
    const sig = createSign('RSA-SHA256').update('x').sign(priv.privateKey!);
    expect(createVerify('RSA-SHA256').update('x').verify(pub.publicKey, sig)).toBe(true);
  });
});

describe('parseKey: pastes that need tidying', () => {
  const b64 = text('test-rsa2048.pkcs8.b64');
  const pem = text('test-rsa2048.pkcs8.pem');

  it.each([
    ['double quotes', `"${b64}"`, ['key.quoted']],
    ['single quotes', `'${b64}'`, ['key.quoted']],
    ['surrounding blank lines and CRLF', `\r\n\r\n${b64}\r\n`, []],
    ['a UTF-8 byte-order mark', `\uFEFF${b64}`, []],
    ['the document layout "privateKey : MII..."', `privateKey : ${b64}`, ['key.label-removed']],
    ['a .env line with quotes', `TACPAY_PRIVATE_KEY="${b64}"`, ['key.label-removed', 'key.quoted']],
    ['a JSON member', `"privateKey": "${b64}",`, ['key.label-removed', 'key.quoted']],
    ['a PEM in quotes', `"${pem}"`, []],
    ['a PEM with JSON \\n escapes', JSON.stringify(pem).slice(1, -1), ['key.escaped-newlines']],
    ['a PEM with CRLF line ends and indentation', pem.replace(/\n/g, '\r\n    '), []],
  ])('%s', (_name, input, expected) => {
    const { key, issues } = ok(input, 'private');
    expect(key.fingerprint).toBe(FP_2048);
    expect(codes(issues)).toEqual(expected);
  });

  it('URL-safe Base64 is read with a warning naming both alphabets', () => {
    // The doc key has + and / in it, so its URL-safe form really differs.
    const doc = text('doc-private.b64').trim();
    const urlSafe = doc.replace(/\+/g, '-').replace(/\//g, '_');
    expect(urlSafe).not.toBe(doc);
    const { key, issues } = ok(urlSafe, 'private');
    expect(key.fingerprint).toBe(FP_DOC);
    const w = issues.find((i) => i.code === 'key.url-safe-base64');
    expect(w?.severity).toBe('warning');
    expect(w?.message).toMatch(/URL-safe.*standard/);
  });

  it('UTF-16 text (Windows "Unicode") is read with a note', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(pem, 'utf16le')]);
    const { key, issues } = ok(utf16, 'private');
    expect(key.fingerprint).toBe(FP_2048);
    expect(codes(issues)).toEqual(['key.utf16']);
    const be = Buffer.from(utf16.subarray(2)).swap16();
    expect(ok(Buffer.concat([Buffer.from([0xfe, 0xff]), be]), 'private').key.fingerprint).toBe(FP_2048);
  });

  it('a file with a certificate then the private key: picks the block the caller wants', () => {
    const both = text('test-rsa2048.cert.pem') + text('test-rsa2048.pkcs8.pem');
    const priv = ok(both, 'private');
    expect(priv.key.kind).toBe('private');
    expect(priv.issues.find((i) => i.code === 'key.several-pem-blocks')?.message).toMatch(/2 PEM blocks.*PRIVATE KEY block was used/);
    const any = ok(both, 'any');
    expect(any.key.format).toBe('x509-pem');
  });

  it('a key block that begins one label and ends another still parses, with a warning', () => {
    const odd = pem.replace('-----END PRIVATE KEY-----', '-----END RSA PRIVATE KEY-----');
    const { issues } = ok(odd, 'private');
    expect(issues.find((i) => i.code === 'key.pem-label-mismatch')?.severity).toBe('warning');
  });
});

describe('parseKey: wrong kinds name what was given and what was expected', () => {
  it.each([
    ['public key where private is needed', text('test-rsa2048.pub.pem'), 'key.public-not-private', /public key \(SPKI PEM public key\).*private key is needed/],
    ['bare Base64 public key where private is needed', text('test-rsa2048.pub.b64'), 'key.public-not-private', /public key.*private key is needed/],
    ['certificate where private is needed', text('test-rsa2048.cert.pem'), 'key.public-not-private', /certificate.*only a public key.*private key is needed/],
    ['an offerKey', docVector.offerKey, 'key.offerkey-given', /32-character string.*offerKey/],
    ['a quoted offerKey', `"${docVector.offerKey}"`, 'key.offerkey-given', /offerKey/],
    ['a truncated PEM (no END line)', text('test-rsa2048.truncated.pem'), 'key.truncated', /no END line/],
    ['a truncated Base64 paste', text('test-rsa2048.truncated.b64'), 'key.truncated', /750 of the 1216 bytes/],
    ['a PEM with two lines lost in the middle', text('test-rsa2048.pkcs8.pem').split('\n').filter((_l, i) => i !== 10 && i !== 11).join('\n'), 'key.truncated', /1120 of the 1216 bytes/],
    ['an EC key (PKCS#8)', text('test-ec-p256.pkcs8.pem'), 'key.not-rsa', /EC .*key was given.*RSA/],
    ['an EC key (SEC1)', text('test-ec-p256.sec1.pem'), 'key.not-rsa', /EC .*key was given.*RSA/],
    ['a really encrypted PKCS#8', text('test-rsa2048.encrypted.pem'), 'key.encrypted', /really encrypted/],
    ['a legacy encrypted PKCS#1', text('test-rsa2048.pkcs1-encrypted.pem'), 'key.encrypted', /Proc-Type/],
    ['empty input', '', 'key.empty', /empty/],
    ['whitespace only', ' \n\t\r\n', 'key.empty', /empty/],
    ['an empty PEM block', '-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n', 'key.empty', /empty/],
    ['a signature pasted as a key', docVector.sign, 'key.signature-given', /256-byte.*signature/],
    ['text that is not Base64', 'this is not a key at all!', 'key.not-base64', /neither PEM nor Base64/],
    ['Base64 of something else', Buffer.from('hello world, this is definitely not a DER structure at all, no.').toString('base64'), 'key.corrupt', /does not parse/],
    ['hex DER', fixture('test-rsa2048.pkcs8.der').toString('hex'), 'key.hex', /hex/],
    ['an OpenSSH key', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----', 'key.openssh', /OpenSSH/],
    ['a CSR', '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----', 'key.csr', /signing request/],
    ['an unknown PEM label', '-----BEGIN PGP MESSAGE-----\nabc\n-----END PGP MESSAGE-----', 'key.unsupported-pem', /"PGP MESSAGE"/],
  ] as const)('%s', (_name, input, code, message) => {
    const err = fails(input, 'private', code);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('\n');
    if (code !== 'key.empty') expect(err.hint ?? '').not.toBe('');
  });

  it('binary DER files: a key is read, garbage is refused, a cut-off or encrypted DER is named', () => {
    expect(ok(fixture('test-rsa2048.pkcs8.der'), 'private').key.format).toBe('pkcs8-der');
    const spkiDer = createPublicKey(text('test-rsa2048.pub.pem')).export({ type: 'spki', format: 'der' });
    expect(ok(spkiDer, 'public').key.format).toBe('spki-der');
    const pkcs1PubDer = createPublicKey(text('test-rsa2048.pub.pem')).export({ type: 'pkcs1', format: 'der' });
    expect(ok(pkcs1PubDer, 'public').key.format).toBe('pkcs1-public-der');
    const certDer = Buffer.from(text('test-rsa2048.cert.pem').replace(/-----[^-]+-----|\s/g, ''), 'base64');
    expect(ok(certDer, 'public').key).toMatchObject({ format: 'x509-der', fingerprint: FP_2048 });

    expect(fails(Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x10, 0x80]), 'private', 'key.unrecognised').message).toMatch(/binary but not an RSA key/);
    expect(fails(fixture('test-rsa2048.pkcs8.der').subarray(0, 600), 'private', 'key.truncated').message).toMatch(/600 of the 1216 bytes/);
    const encDer = Buffer.from(text('test-rsa2048.encrypted.pem').replace(/-----[^-]+-----|\s/g, ''), 'base64');
    fails(encDer, 'private', 'key.encrypted');
    fails(encDer.toString('base64'), 'private', 'key.encrypted');
  });

  it('other key types are named', () => {
    const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(fails(ed, 'any', 'key.not-rsa').message).toMatch(/^an Ed25519 key was given/);
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(fails(pss, 'public', 'key.not-rsa').message).toMatch(/^an RSA-PSS key/);
  });

  it('error messages never echo key material', () => {
    const secret = text('test-rsa2048.pkcs8.b64');
    const inputs = [secret.slice(0, 900), `${secret}!!`, secret.replace(/A/g, '*'), `-----BEGIN PRIVATE KEY-----\n${secret.slice(0, 800)}\n-----END PRIVATE KEY-----`];
    for (const input of inputs) {
      const r = parseKey(input, 'private');
      expect(r.value).toBeUndefined();
      for (const i of r.issues) expect(`${i.message} ${i.hint ?? ''}`).not.toMatch(/[A-Za-z0-9+/]{24,}/);
    }
  });
});

describe('parseKey: never throws (property tests)', () => {
  /** What every result must satisfy: an error iff no value; one-line messages; no safety-net catch. */
  function wellFormed(input: string | Uint8Array, want: 'private' | 'public' | 'any'): void {
    const r = parseKey(input, want);
    expect(r.value === undefined).toBe(r.issues.some((i) => i.severity === 'error'));
    for (const i of r.issues) {
      expect(i.message).not.toMatch(/\n/);
      // key.unreadable is the last-resort catch: reaching it means a parser path threw.
      expect(i.code).not.toBe('key.unreadable');
    }
    if (r.value) {
      expect(r.value.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
      expect(r.value.bits).toBeGreaterThan(0);
    }
  }
  const wants = fc.constantFrom('private' as const, 'public' as const, 'any' as const);

  it('on any string', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), wants, (s, want) => wellFormed(s, want)), { numRuns: 500 });
  });

  it('on any full-Unicode string with PEM-ish pieces', () => {
    const piece = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.constantFrom('-----BEGIN PRIVATE KEY-----', '-----END PRIVATE KEY-----', '-----BEGIN ', '-----', '\\n', '\n', '"', 'MII', '=', 'Proc-Type: 4,ENCRYPTED\n', 'key: '),
    );
    fc.assert(fc.property(fc.array(piece, { maxLength: 12 }).map((a) => a.join('')), wants, (s, want) => wellFormed(s, want)), { numRuns: 500 });
  });

  it('on any byte array', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), wants, (b, want) => wellFormed(b, want)), { numRuns: 500 });
  });

  it('on byte arrays that start like DER', () => {
    const derish = fc.tuple(fc.constantFrom([0x30, 0x82], [0x30, 0x81], [0x30], [0x30, 0x84, 0xff, 0xff, 0xff, 0xff], [0x30, 0x80]), fc.uint8Array({ maxLength: 300 }));
    fc.assert(fc.property(derish, wants, ([head, tail], want) => wellFormed(Uint8Array.from([...head, ...tail]), want)), { numRuns: 500 });
  });

  // Mutations of real keys: delete, insert, replace and duplicate ranges; flip bytes of the DER.
  const mutation = fc.record({
    op: fc.constantFrom('delete', 'insert', 'replace', 'duplicate', 'truncate'),
    at: fc.nat(),
    len: fc.integer({ min: 1, max: 80 }),
    with: fc.string({ maxLength: 8 }),
  });
  function mutate(s: string, muts: ReadonlyArray<{ op: string; at: number; len: number; with: string }>): string {
    for (const m of muts) {
      const at = s.length ? m.at % s.length : 0;
      if (m.op === 'delete') s = s.slice(0, at) + s.slice(at + m.len);
      else if (m.op === 'insert') s = s.slice(0, at) + m.with + s.slice(at);
      else if (m.op === 'replace') s = s.slice(0, at) + m.with + s.slice(at + m.with.length);
      else if (m.op === 'duplicate') s = s.slice(0, at + m.len) + s.slice(at, at + m.len) + s.slice(at + m.len);
      else s = s.slice(0, at);
    }
    return s;
  }

  it.each(['test-rsa2048.pkcs8.pem', 'test-rsa512.pkcs8.pem', 'test-rsa2048.cert.pem', 'test-rsa2048.pub-pkcs1.pem', 'test-rsa2048.mislabelled-encrypted.pem', 'test-rsa2048.encrypted.pem'])(
    'on mutations of %s',
    (file) => {
      const pem = text(file);
      fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), wants, (muts, want) => wellFormed(mutate(pem, muts), want)), { numRuns: 300 });
    },
  );

  it('on byte flips and cuts of a DER key', () => {
    // 512 bits keeps each parse cheap; the structure is the same as for 2048.
    const der = Buffer.from(text('test-rsa512.pkcs8.b64'), 'base64');
    const flips = fc.array(fc.tuple(fc.nat({ max: der.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(flips, fc.nat({ max: der.length }), wants, (changes, cut, want) => {
        const b = Buffer.from(der);
        for (const [at, v] of changes) b[at] = v;
        wellFormed(b.subarray(0, Math.max(cut, 1)), want);
        wellFormed(b.toString('base64'), want);
      }),
      { numRuns: 300 },
    );
  });

  it('a valid key survives any amount of surrounding whitespace', () => {
    const b64 = text('test-rsa512.pkcs8.b64');
    fc.assert(
      fc.property(fc.array(fc.constantFrom(' ', '\n', '\r\n', '\t'), { maxLength: 6 }), fc.array(fc.nat({ max: b64.length }), { maxLength: 5 }), (ws, cuts) => {
        let s = b64;
        for (const [i, at] of cuts.entries()) s = s.slice(0, at) + (ws[i] ?? '\n') + s.slice(at);
        const r = parseKey(ws.join('') + s + ws.join(''), 'private');
        expect(r.value?.fingerprint).toBe(FP_512);
      }),
      { numRuns: 100 },
    );
  });
});
