/**
 * RSA key parsing in every form the documents and consoles hand out (spec §1.4): bare Base64 PKCS#8
 * DER (the docs' own form), PEM PKCS#8 or PKCS#1, the console's PEM mislabelled `ENCRYPTED PRIVATE
 * KEY` that is really plain PKCS#8, SPKI / PKCS#1 public keys, and X.509 certificates. Any key size.
 * A wrong kind of input gets an issue that names what was given and what was expected.
 */
import type * as NodeCrypto from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import { issue, type Issue, type Result } from './issues.js';

// node:crypto is loaded on first use, not at import: it costs ~10 ms of start-up, and command files
// that `tacpay --help` loads import this module's plain helpers (formats, fingerprints of stored keys).
let cryptoModule: typeof NodeCrypto | undefined;
const crypto = (): typeof NodeCrypto => (cryptoModule ??= createRequire(import.meta.url)('node:crypto') as typeof NodeCrypto);
const createHash = (...a: Parameters<typeof NodeCrypto.createHash>) => crypto().createHash(...a);
const createPrivateKey = (...a: Parameters<typeof NodeCrypto.createPrivateKey>) => crypto().createPrivateKey(...a);
const createPublicKey = (...a: Parameters<typeof NodeCrypto.createPublicKey>) => crypto().createPublicKey(...a);
const certificate = (der: Buffer) => new (crypto().X509Certificate)(der);

export type KeyFormat =
  | 'pkcs8-pem'
  | 'pkcs8-pem-mislabelled-encrypted'
  | 'pkcs1-pem'
  | 'pkcs8-der-base64'
  | 'pkcs1-der-base64'
  | 'pkcs8-der'
  | 'pkcs1-der'
  | 'spki-pem'
  | 'pkcs1-public-pem'
  | 'spki-der-base64'
  | 'pkcs1-public-der-base64'
  | 'spki-der'
  | 'pkcs1-public-der'
  | 'x509-pem'
  | 'x509-der-base64'
  | 'x509-der';

export type KeyKind = 'private' | 'public';

export interface KeyInfo {
  kind: KeyKind;
  format: KeyFormat;
  bits: number;
  /** `SHA256:` + unpadded Base64 of the SPKI DER of the public half (the same for a private key and its public key). */
  fingerprint: string;
  publicKey: KeyObject;
  privateKey?: KeyObject;
  /** Subject of the certificate when the input was one. */
  certificateSubject?: string;
}

const FORMAT_WORDS: Record<KeyFormat, string> = {
  'pkcs8-pem': 'PKCS#8 PEM private key',
  'pkcs8-pem-mislabelled-encrypted': 'PKCS#8 private key in PEM labelled "ENCRYPTED" (not actually encrypted)',
  'pkcs1-pem': 'PKCS#1 PEM private key',
  'pkcs8-der-base64': 'bare Base64 PKCS#8 private key',
  'pkcs1-der-base64': 'bare Base64 PKCS#1 private key',
  'pkcs8-der': 'binary DER PKCS#8 private key',
  'pkcs1-der': 'binary DER PKCS#1 private key',
  'spki-pem': 'SPKI PEM public key',
  'pkcs1-public-pem': 'PKCS#1 PEM public key',
  'spki-der-base64': 'bare Base64 SPKI public key',
  'pkcs1-public-der-base64': 'bare Base64 PKCS#1 public key',
  'spki-der': 'binary DER SPKI public key',
  'pkcs1-public-der': 'binary DER PKCS#1 public key',
  'x509-pem': 'X.509 certificate (PEM)',
  'x509-der-base64': 'X.509 certificate (bare Base64 DER)',
  'x509-der': 'X.509 certificate (binary DER)',
};

/** A person-readable name for a key format. */
export function describeFormat(format: KeyFormat): string {
  return FORMAT_WORDS[format];
}

/** `SHA256:<base64>` of the public key's SPKI DER, as ssh-keygen prints fingerprints. */
export function fingerprintOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return 'SHA256:' + createHash('sha256').update(der).digest('base64').replace(/=+$/, '');
}

/**
 * Keys everyone has because a document printed them. Using one for a real merchant means anyone can
 * sign orders as that merchant, so parseKey and `tacpay keys` point it out.
 */
const KNOWN_KEYS: Readonly<Record<string, string>> = {
  'SHA256:b6HPrbadv2NSNpFMeRaVhp2l9lorGblxdQdF5dJIW+8': 'the example key printed in the Tencent Cloud signing document',
};

/** What a well-known published key is, by fingerprint; undefined for any other key. */
export function knownKey(fingerprint: string): string | undefined {
  return KNOWN_KEYS[fingerprint];
}

function info(format: KeyFormat, key: KeyObject, extra: Partial<KeyInfo> = {}): KeyInfo {
  const isPrivate = key.type === 'private';
  const publicKey = isPrivate ? createPublicKey(key) : key;
  return {
    kind: isPrivate ? 'private' : 'public',
    format,
    bits: key.asymmetricKeyDetails?.modulusLength ?? 0,
    fingerprint: fingerprintOf(publicKey),
    publicKey,
    ...(isPrivate ? { privateKey: key } : {}),
    ...extra,
  };
}

function tryKey(make: () => KeyObject): KeyObject | undefined {
  try {
    return make();
  } catch {
    return undefined;
  }
}

// ---- a few DER facts, enough to tell "truncated" and "encrypted" from "garbage" ----

/** One DER tag-length header at `at`: content runs from `start` to `end` (which may lie past the buffer). */
function derHeader(der: Uint8Array, at: number): { tag: number; start: number; end: number } | undefined {
  if (at + 2 > der.length) return undefined;
  const tag = der[at]!;
  let len = der[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > der.length) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[start + i]!;
    start += n;
  }
  return { tag, start, end: start + len };
}

// OID prefixes of password-based encryption: PKCS#5 (1.2.840.113549.1.5.*, PBES2 and the old PBES1)
// and PKCS#12 (1.2.840.113549.1.12.1.*). An EncryptedPrivateKeyInfo starts with one of them.
const PBE_OID_PREFIXES = [Buffer.from('2a864886f70d0105', 'hex'), Buffer.from('2a864886f70d010c01', 'hex')];

/** True when the DER is a PKCS#8 EncryptedPrivateKeyInfo: SEQUENCE { SEQUENCE { PBE OID, ... }, OCTET STRING }. */
function isEncryptedPkcs8(der: Uint8Array): boolean {
  const outer = derHeader(der, 0);
  if (outer?.tag !== 0x30) return false;
  const alg = derHeader(der, outer.start);
  if (alg?.tag !== 0x30) return false;
  const oid = derHeader(der, alg.start);
  if (oid?.tag !== 0x06 || oid.end > der.length) return false;
  const bytes = Buffer.from(der.subarray(oid.start, oid.end));
  return PBE_OID_PREFIXES.some((p) => bytes.subarray(0, p.length).equals(p));
}

/** Why DER that failed to parse failed: empty, cut short (the outer length says so), or altered. */
function damaged(what: string, der: Uint8Array): Issue {
  if (der.length === 0) {
    return issue('key.empty', 'error', `the ${what} is empty (no Base64 between the BEGIN and END lines)`, {
      hint: 'copy the whole key again, from the first ----- line to the last',
    });
  }
  const outer = derHeader(der, 0);
  if (outer?.tag === 0x30 && outer.end > der.length) {
    return issue('key.truncated', 'error', `the ${what} is truncated: it holds ${der.length} of the ${outer.end} bytes it declares`, {
      hint: 'copy the whole key again; a 2048-bit private key is about 1,600 Base64 characters',
    });
  }
  return issue('key.corrupt', 'error', `the ${what} does not parse (${der.length} bytes of DER): it looks altered or incomplete`, {
    hint: 'copy the whole key again, from the first ----- line to the last; a 2048-bit private key is about 1,600 characters',
  });
}

function encrypted(how: string, hint: string): Issue {
  return issue('key.encrypted', 'error', `the private key is really encrypted (${how}); tacpay needs it unencrypted`, { hint });
}

const PKCS8_DECRYPT_HINT = 'decrypt a copy: openssl pkcs8 -in key.pem -out key-plain.pem (add -inform DER for a binary file; keep key-plain.pem private)';

const KEY_TYPE_WORDS: Readonly<Record<string, string>> = {
  ec: 'an EC (elliptic-curve)',
  'rsa-pss': 'an RSA-PSS',
  dsa: 'a DSA',
  dh: 'a Diffie-Hellman',
  ed25519: 'an Ed25519',
  ed448: 'an Ed448',
  x25519: 'an X25519',
  x448: 'an X448',
};

function notRsa(type: string | undefined): Issue {
  const words = (type && KEY_TYPE_WORDS[type]) ?? `a ${type ?? 'non-RSA'}`;
  return issue('key.not-rsa', 'error', `${words} key was given; the order API signs with RSA (SHA256withRSA, PKCS#1 v1.5)`, {
    hint: 'give the RSA key issued for this offerId, or make one with: tacpay keys generate',
  });
}

/** Parses DER bytes as any supported key structure; `base64` picks the format names. */
function fromDer(der: Buffer, base64: boolean): KeyInfo | Issue | undefined {
  const p8 = tryKey(() => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
  if (p8) return info(base64 ? 'pkcs8-der-base64' : 'pkcs8-der', p8);
  if (isEncryptedPkcs8(der)) return encrypted('PKCS#8 with a passphrase', PKCS8_DECRYPT_HINT);
  const p1 = tryKey(() => createPrivateKey({ key: der, format: 'der', type: 'pkcs1' }));
  if (p1) return info(base64 ? 'pkcs1-der-base64' : 'pkcs1-der', p1);
  const spki = tryKey(() => createPublicKey({ key: der, format: 'der', type: 'spki' }));
  if (spki) return info(base64 ? 'spki-der-base64' : 'spki-der', spki);
  const pub1 = tryKey(() => createPublicKey({ key: der, format: 'der', type: 'pkcs1' }));
  if (pub1) return info(base64 ? 'pkcs1-public-der-base64' : 'pkcs1-public-der', pub1);
  try {
    const cert = certificate(der);
    return info(base64 ? 'x509-der-base64' : 'x509-der', cert.publicKey, { certificateSubject: cert.subject });
  } catch {
    return undefined; // not a certificate either
  }
}

function fromPem(label: string, body: string): KeyInfo | Issue {
  if (/^Proc-Type:\s*4,ENCRYPTED/m.test(body)) {
    return encrypted('legacy OpenSSL PEM encryption, Proc-Type 4,ENCRYPTED', 'decrypt a copy: openssl rsa -in key.pem -out key-plain.pem (then keep key-plain.pem private)');
  }
  // Drop RFC 1421 header lines (Proc-Type, DEK-Info, Comment); Base64 lines never hold a colon.
  const der = Buffer.from(body.replace(/^[A-Za-z-]+:.*$/gm, '').replace(/\s+/g, ''), 'base64');
  switch (label) {
    case 'PRIVATE KEY': {
      const k = tryKey(() => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
      if (k) return info('pkcs8-pem', k);
      return isEncryptedPkcs8(der) ? encrypted('PKCS#8 with a passphrase', PKCS8_DECRYPT_HINT) : damaged('PKCS#8 private key', der);
    }
    case 'ENCRYPTED PRIVATE KEY': {
      // The official demo strips this label and reads plain PKCS#8: consoles mislabel unencrypted keys.
      const k = tryKey(() => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
      if (k) return info('pkcs8-pem-mislabelled-encrypted', k);
      // Tell a real EncryptedPrivateKeyInfo from a damaged paste by its structure, not by the label.
      return isEncryptedPkcs8(der) ? encrypted('PKCS#8 with a passphrase', PKCS8_DECRYPT_HINT) : damaged('private key', der);
    }
    case 'RSA PRIVATE KEY': {
      const k = tryKey(() => createPrivateKey({ key: der, format: 'der', type: 'pkcs1' }));
      return k ? info('pkcs1-pem', k) : damaged('PKCS#1 private key', der);
    }
    case 'PUBLIC KEY': {
      const k = tryKey(() => createPublicKey({ key: der, format: 'der', type: 'spki' }));
      return k ? info('spki-pem', k) : damaged('public key', der);
    }
    case 'RSA PUBLIC KEY': {
      const k = tryKey(() => createPublicKey({ key: der, format: 'der', type: 'pkcs1' }));
      return k ? info('pkcs1-public-pem', k) : damaged('PKCS#1 public key', der);
    }
    case 'CERTIFICATE':
    case 'TRUSTED CERTIFICATE': {
      try {
        const cert = certificate(der);
        return info('x509-pem', cert.publicKey, { certificateSubject: cert.subject });
      } catch {
        return damaged('certificate', der);
      }
    }
    case 'EC PRIVATE KEY':
    case 'EC PARAMETERS':
      return notRsa('ec');
    case 'DSA PRIVATE KEY':
      return notRsa('dsa');
    case 'OPENSSH PRIVATE KEY':
      return issue('key.openssh', 'error', 'an OpenSSH private key was given; tacpay reads PKCS#8 or PKCS#1 (PEM or Base64)', {
        hint: 'convert a copy (ssh-keygen rewrites the file in place): cp id_rsa k && ssh-keygen -p -m PKCS8 -N "" -f k',
      });
    case 'CERTIFICATE REQUEST':
    case 'NEW CERTIFICATE REQUEST':
      return issue('key.csr', 'error', 'a certificate signing request was given, not a key', {
        hint: 'give the private key the request was made from, or its public key (BEGIN PUBLIC KEY)',
      });
    default:
      return issue('key.unsupported-pem', 'error', `a PEM block labelled "${label}" was given, not an RSA key`, {
        hint: 'give an RSA private key (BEGIN PRIVATE KEY / BEGIN RSA PRIVATE KEY) or public key (BEGIN PUBLIC KEY) or a certificate',
      });
  }
}

// A block's body is everything up to the next "-----", so a second BEGIN (two pastes run together)
// ends the first block instead of being swallowed into it.
const PEM_BLOCK_RE = /-----BEGIN ([A-Z0-9 ]+)-----((?:(?!-----)[\s\S])*)(?:-----END ([A-Z0-9 ]+)-----)?/g;

/** Every PEM block in the text; the chosen one is the first that gives the kind the caller wants. */
function fromPemText(text: string, want: KeyKind | 'any', issues: Issue[]): KeyInfo | Issue | undefined {
  const blocks = [...text.matchAll(PEM_BLOCK_RE)];
  if (blocks.length === 0) return undefined;
  const results: Array<{ label: string; parsed: KeyInfo | Issue }> = [];
  for (const [, label = '', body = '', endLabel] of blocks) {
    let parsed: KeyInfo | Issue;
    if (endLabel === undefined) {
      parsed = issue('key.truncated', 'error', `the PEM block "${label}" has no END line: the paste is truncated`, {
        hint: 'copy the whole key again, including the -----END ...----- line',
      });
    } else {
      parsed = fromPem(label, body);
      if (endLabel !== label && 'kind' in parsed) {
        issues.push(issue('key.pem-label-mismatch', 'warning', `the PEM block begins "${label}" but ends "${endLabel}": two pastes may have run together`));
      } else if (endLabel !== label) {
        parsed = issue('key.pem-label-mismatch', 'error', `the PEM block begins "${label}" but ends "${endLabel}": two pastes ran together or one is cut short`, {
          hint: 'copy the whole key again, from its BEGIN line to its matching END line',
        });
      }
    }
    results.push({ label, parsed });
    if ('kind' in parsed && (want === 'any' || want === 'public' || parsed.kind === want)) break;
  }
  if (blocks.length === 1) return results[0]!.parsed;
  const chosen = results.find((r) => 'kind' in r.parsed && (want !== 'private' || r.parsed.kind === 'private')) ?? results.find((r) => 'kind' in r.parsed) ?? results[0]!;
  const labels = blocks.map((b) => b[1]).join(', ');
  issues.push(issue('key.several-pem-blocks', 'info', `the input holds ${blocks.length} PEM blocks (${labels}); the ${chosen.label} block was used`));
  return chosen.parsed;
}

/**
 * Reads a key from text or bytes. `want` says which kind the caller needs: a public key where a
 * private one is needed is an error; a private key where a public one is needed is accepted (its
 * public half is used) with an info note. Never throws, whatever the input.
 */
export function parseKey(input: string | Uint8Array, want: KeyKind | 'any'): Result<KeyInfo> {
  const issues: Issue[] = [];
  try {
    return finish(readAny(input, want, issues), want, issues);
  } catch (err) {
    // A safety net: every known failure is an issue above. Node's parsers throw on inputs no one
    // foresaw (that is what the property tests hunt for), and a parser must not crash its caller.
    issues.push(issue('key.unreadable', 'error', `not a readable RSA key (${String((err as Error)?.message ?? err).replace(/\s+/g, ' ')})`, {
      hint: 'give a PEM file (-----BEGIN PRIVATE KEY-----) or the bare Base64 key text (starts MII...)',
    }));
    return { value: undefined, issues };
  }
}

function readAny(input: string | Uint8Array, want: KeyKind | 'any', issues: Issue[]): KeyInfo | Issue | undefined {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    const utf16 = decodeUtf16(bytes);
    if (utf16 !== undefined) {
      issues.push(issue('key.utf16', 'info', 'the file is UTF-16 text (as Windows Notepad saves "Unicode"); read as text'));
      text = utf16;
    } else if (looksLikeText(bytes)) {
      text = bytes.toString('utf8');
    } else {
      return fromDer(bytes, false) ?? damagedBinary(bytes);
    }
  }

  let trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed === '') return issue('key.empty', 'error', 'the key is empty', { hint: 'give the key file, or - to read it from stdin' });
  // Mangled line breaks are repaired, not refused: Base64 never holds a backslash or a space, and
  // PEM armor lines are fixed text, so the repair cannot change what the key is. Decision: literal
  // "\n" escapes stay an info note, since they are the dotenv convention (tacpay sandbox keys
  // --dotenv writes them, every dotenv loader reads them); a PEM flattened onto one line with spaces
  // (a CI secret field, a shell `echo $VAR`) is a warning, because openssl and Java's PEM readers refuse it.
  if (/(?:\\+r)?\\+n/.test(trimmed)) {
    trimmed = trimmed.replace(/(?:\\+r)?\\+n/g, '\n');
    issues.push(issue('key.escaped-newlines', 'info', 'literal \\n escapes (as in JSON or .env files) were read as line breaks'));
  }
  if (/-----BEGIN [A-Z0-9 ]+-----[ \t]+\S/.test(trimmed) && !/-----BEGIN [A-Z0-9 ]+-----[ \t]*\r?\n/.test(trimmed)) {
    issues.push(issue('key.pem-flattened', 'warning', 'the PEM is on one line, its line breaks turned into spaces; read anyway', {
      hint: 'store it with its line breaks (or as a file): other tools (openssl, Java) refuse a flattened PEM',
    }));
  }
  return fromPemText(trimmed, want, issues) ?? fromBareText(trimmed, issues);
}

/** Binary input that is no key: say "truncated" or "encrypted" when the DER shows it, else what it is not. */
function damagedBinary(bytes: Buffer): Issue {
  const outer = derHeader(bytes, 0);
  if (outer?.tag === 0x30 && outer.end > bytes.length) return damaged('binary DER key', bytes);
  return issue('key.unrecognised', 'error', 'the input is binary but not an RSA key in DER form', {
    hint: 'give a PEM file (-----BEGIN PRIVATE KEY-----), the bare Base64 key text, or a DER key file',
  });
}

function finish(parsed: KeyInfo | Issue | undefined, want: KeyKind | 'any', issues: Issue[]): Result<KeyInfo> {
  if (!parsed || !('kind' in parsed)) {
    issues.push(parsed ?? issue('key.unrecognised', 'error', 'not a recognisable RSA key'));
    return { value: undefined, issues };
  }
  const key = parsed;
  if (key.publicKey.asymmetricKeyType !== 'rsa') {
    issues.push(notRsa(key.publicKey.asymmetricKeyType));
    return { value: undefined, issues };
  }
  if (want === 'private' && key.kind === 'public') {
    const given = key.certificateSubject !== undefined ? `an ${describeFormat(key.format)}, which holds only a public key,` : `a public key (${describeFormat(key.format)})`;
    issues.push(issue('key.public-not-private', 'error', `${given} was given where a private key is needed`, {
      hint: 'signing needs the private key (BEGIN PRIVATE KEY, or the bare Base64 privateKey from the console)',
    }));
    return { value: undefined, issues };
  }
  if (want === 'public' && key.kind === 'private') {
    issues.push(issue('key.private-as-public', 'info', 'a private key was given where a public key is enough; its public half is used'));
  }
  if (key.format === 'pkcs8-pem-mislabelled-encrypted') {
    issues.push(issue('key.mislabelled', 'info', 'the PEM says ENCRYPTED PRIVATE KEY but holds a plain PKCS#8 key (as the console hands them out); read as plain'));
  }
  if (key.bits < 2048) {
    issues.push(issue('key.weak', 'warning', `${key.bits}-bit RSA key: factorable today; 2048 bits or more is advised (the official Android demo still uses 512 bits)`, {
      hint: 'tacpay keys generate makes a 2048-bit pair',
    }));
  }
  const known = knownKey(key.fingerprint);
  if (known) {
    issues.push(issue('key.published', 'info', `this is ${known}: everyone has it, so use it only to reproduce the document's examples`));
  }
  return { value: key, issues };
}

/** Text saved as UTF-16 (with a byte-order mark) decoded, or undefined. */
function decodeUtf16(bytes: Buffer): string | undefined {
  if (bytes.length < 2 || bytes.length % 2 !== 0) return undefined;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  return undefined;
}

function looksLikeText(bytes: Buffer): boolean {
  // DER always starts with a SEQUENCE tag 0x30 followed by a length byte >= 0x80 for keys; text keys
  // are printable ASCII. Count control bytes rather than trusting the first byte alone.
  const sample = bytes.subarray(0, 256);
  let control = 0;
  for (const b of sample) if (b < 9 || (b > 13 && b < 32) || b === 127) control++;
  return control === 0;
}

// `privateKey : MII...` (the document's own layout), `TACPAY_PRIVATE_KEY=MII...` (a .env line),
// `"key": "MII..."`. Only an identifier is stripped, so no key text ends up in the note.
const LABEL_RE = /^["']?([A-Za-z_][A-Za-z0-9_.-]{0,63})["']?\s*[:=]\s*(?=\S)/;

function fromBareText(text: string, issues: Issue[]): KeyInfo | Issue {
  const label = LABEL_RE.exec(text);
  if (label) {
    text = text.slice(label[0].length).replace(/\s*[,;]$/, '');
    // The label is not named: it is part of the value, and the value may be a secret.
    issues.push(issue('key.label-removed', 'info', `a leading ${label[1]!.length}-character name and "${label[0].trim().slice(-1)}" before the key were removed`));
  }
  const compact = text.replace(/\s+/g, '');
  if (compact !== text) {
    issues.push(issue('key.whitespace', 'info', 'line breaks or spaces inside the Base64 key were removed'));
  }
  const unquoted = compact.replace(/^["'`]+|["'`]+$/g, '');
  if (unquoted !== compact) issues.push(issue('key.quoted', 'info', 'quotes around the key were removed'));
  if (/^[A-Za-z0-9]{16,64}$/.test(unquoted)) {
    return issue('key.offerkey-given', 'error', `a ${unquoted.length}-character string was given where an RSA key belongs: that looks like an offerKey`, {
      hint: 'the offerKey goes in --offer-key (or TACPAY_OFFER_KEY); the RSA key is the long Base64 privateKey (starts MII...)',
    });
  }
  let b64 = unquoted;
  if (/^[A-Za-z0-9_-]+={0,2}$/.test(unquoted) && /[-_]/.test(unquoted)) {
    // URL-safe Base64 maps one to one onto the standard alphabet, so read it, but say so: Java's
    // Base64.getDecoder(), which the demo servers use, rejects it.
    b64 = unquoted.replace(/-/g, '+').replace(/_/g, '/');
    issues.push(issue('key.url-safe-base64', 'warning', 'the key is in URL-safe Base64 (- and _), but keys are standard Base64 (+ and /); read anyway', {
      hint: 'store the standard form: tacpay keys inspect prints the key details, and the documents print keys with + and /',
    }));
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) {
    return issue('key.not-base64', 'error', `the key is neither PEM nor Base64 (${notBase64At(b64)})`, {
      hint: 'give a PEM file (-----BEGIN PRIVATE KEY-----) or the bare Base64 key (starts MII...)',
    });
  }
  const der = Buffer.from(b64, 'base64');
  const parsed = fromDer(der, true);
  if (parsed) return parsed;
  if (/^(?:[0-9a-fA-F]{2})+$/.test(b64) && b64.startsWith('30')) {
    return issue('key.hex', 'error', 'the key is hex, but keys are Base64 (or PEM)', { hint: 'convert it: xxd -r -p key.hex | base64 -w0 > key.b64' });
  }
  if ([64, 128, 256, 384, 512].includes(der.length) && der[0] !== 0x30) {
    return issue('key.signature-given', 'error', `a ${der.length}-byte Base64 value was given where a key belongs: that looks like a signature (sign=...), not a key`, {
      hint: 'give the privateKey (Base64 starting MII...) or a PEM key file',
    });
  }
  return damaged('Base64 key', der);
}

/**
 * Where Base64 stops being Base64, by position and kind of character: the input may be a secret, so
 * a character is named only when it is one no key or offerKey holds (ASCII punctuation).
 */
function notBase64At(text: string): string {
  const at = /[^A-Za-z0-9+/=]|=+(?=[^=])/.exec(text);
  if (!at) return 'its padding is wrong';
  const c = at[0][0]!;
  const kind = c === '='
    ? '"=" padding before the end'
    : /[-_]/.test(c)
      ? `"${c}" (URL-safe Base64) mixed with "+" or "/"`
      : /[!-~]/.test(c)
        ? `"${c}"`
        : c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127
          ? 'a control character'
          : 'a non-ASCII character';
  return `${kind} at character ${at.index + 1} of ${text.length}`;
}

/** Exports the public half as SPKI PEM (what a merchant hands to a verifier). */
export function publicPem(key: KeyInfo): string {
  return key.publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

/** Bare Base64 of the PKCS#8 DER, the form the documents print privateKeys in. */
export function privateBase64(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'der' }).toString('base64');
}
