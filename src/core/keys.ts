/**
 * RSA key parsing in every form the documents and consoles hand out (spec §1.4): bare Base64 PKCS#8
 * DER (the docs' own form), PEM PKCS#8 or PKCS#1, the console's PEM mislabelled `ENCRYPTED PRIVATE
 * KEY` that is really plain PKCS#8, SPKI / PKCS#1 public keys, and X.509 certificates. Any key size.
 * A wrong kind of input gets an issue that names what was given and what was expected.
 */
import { createHash, createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { issue, type Issue, type Result } from './issues.js';

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
  | 'x509-pem'
  | 'x509-der-base64';

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

const PEM_RE = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)(?:-----END ([A-Z0-9 ]+)-----|$)/;
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
  'x509-pem': 'X.509 certificate (PEM)',
  'x509-der-base64': 'X.509 certificate (bare Base64 DER)',
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

/** Parses DER bytes as any supported key structure; `base64` picks the format names. */
function fromDer(der: Buffer, base64: boolean): KeyInfo | undefined {
  const p8 = tryKey(() => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
  if (p8) return info(base64 ? 'pkcs8-der-base64' : 'pkcs8-der', p8);
  const p1 = tryKey(() => createPrivateKey({ key: der, format: 'der', type: 'pkcs1' }));
  if (p1) return info(base64 ? 'pkcs1-der-base64' : 'pkcs1-der', p1);
  const spki = tryKey(() => createPublicKey({ key: der, format: 'der', type: 'spki' }));
  if (spki) return info(base64 ? 'spki-der-base64' : 'spki-der', spki);
  const pub1 = tryKey(() => createPublicKey({ key: der, format: 'der', type: 'pkcs1' }));
  if (pub1 && base64) return info('pkcs1-public-der-base64', pub1);
  if (base64) {
    try {
      const cert = new X509Certificate(der);
      return info('x509-der-base64', cert.publicKey, { certificateSubject: cert.subject });
    } catch {
      /* not a certificate */
    }
  }
  return undefined;
}

function fromPem(label: string, body: string): KeyInfo | Issue {
  const b64 = body.replace(/^[A-Za-z-]+:.*$/gm, '').replace(/\s+/g, '');
  const der = Buffer.from(b64, 'base64');
  if (/^Proc-Type:\s*4,ENCRYPTED/m.test(body)) {
    return issue('key.encrypted', 'error', 'the private key is encrypted with a passphrase', {
      hint: 'decrypt it first: openssl rsa -in key.pem -out key-plain.pem (then keep key-plain.pem private)',
    });
  }
  switch (label) {
    case 'PRIVATE KEY': {
      const k = tryKey(() => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
      return k ? info('pkcs8-pem', k) : truncatedOrCorrupt('PKCS#8 private key', der.length);
    }
    case 'ENCRYPTED PRIVATE KEY': {
      // The official demo strips this label and reads plain PKCS#8: consoles mislabel unencrypted keys.
      const k = tryKey(() => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
      if (k) return info('pkcs8-pem-mislabelled-encrypted', k);
      return issue('key.encrypted', 'error', 'the private key is really encrypted (PKCS#8 with a passphrase)', {
        hint: 'decrypt it first: openssl pkcs8 -in key.pem -out key-plain.pem (then keep key-plain.pem private)',
      });
    }
    case 'RSA PRIVATE KEY': {
      const k = tryKey(() => createPrivateKey({ key: der, format: 'der', type: 'pkcs1' }));
      return k ? info('pkcs1-pem', k) : truncatedOrCorrupt('PKCS#1 private key', der.length);
    }
    case 'PUBLIC KEY': {
      const k = tryKey(() => createPublicKey({ key: der, format: 'der', type: 'spki' }));
      return k ? info('spki-pem', k) : truncatedOrCorrupt('public key', der.length);
    }
    case 'RSA PUBLIC KEY': {
      const k = tryKey(() => createPublicKey({ key: der, format: 'der', type: 'pkcs1' }));
      return k ? info('pkcs1-public-pem', k) : truncatedOrCorrupt('PKCS#1 public key', der.length);
    }
    case 'CERTIFICATE': {
      try {
        const cert = new X509Certificate(der);
        return info('x509-pem', cert.publicKey, { certificateSubject: cert.subject });
      } catch {
        return truncatedOrCorrupt('certificate', der.length);
      }
    }
    default:
      return issue('key.unsupported-pem', 'error', `a PEM block labelled "${label}" was given, not an RSA key`, {
        hint: 'give an RSA private key (BEGIN PRIVATE KEY / BEGIN RSA PRIVATE KEY) or public key (BEGIN PUBLIC KEY) or a certificate',
      });
  }
}

function truncatedOrCorrupt(what: string, derBytes: number): Issue {
  return issue('key.corrupt', 'error', `the ${what} does not parse (${derBytes} bytes of DER): it looks truncated or altered`, {
    hint: 'copy the whole key again, from the first ----- line to the last; a 2048-bit private key is about 1,600 characters',
  });
}

/**
 * Reads a key from text or bytes. `want` says which kind the caller needs: a public key where a
 * private one is needed is an error; a private key where a public one is needed is accepted (its
 * public half is used) with an info note.
 */
export function parseKey(input: string | Uint8Array, want: KeyKind | 'any'): Result<KeyInfo> {
  const issues: Issue[] = [];
  let parsed: KeyInfo | Issue | undefined;
  const bytes = typeof input === 'string' ? undefined : Buffer.from(input);
  const text = typeof input === 'string' ? input : looksLikeText(bytes!) ? bytes!.toString('utf8') : undefined;

  if (text === undefined) {
    parsed = fromDer(bytes!, false) ?? issue('key.unrecognised', 'error', 'the file is binary but not an RSA key in DER form', {
      hint: 'give a PEM file (-----BEGIN PRIVATE KEY-----) or the bare Base64 key text',
    });
  } else {
    const trimmed = text.replace(/^\uFEFF/, '').trim();
    const pem = PEM_RE.exec(trimmed);
    if (trimmed === '') {
      parsed = issue('key.empty', 'error', 'the key is empty', { hint: 'give the key file, or - to read it from stdin' });
    } else if (pem) {
      const [, label = '', body = '', endLabel] = pem;
      if (endLabel === undefined) {
        parsed = issue('key.truncated', 'error', `the PEM block "${label}" has no END line: the paste is truncated`, {
          hint: 'copy the whole key again, including the -----END ...----- line',
        });
      } else {
        parsed = fromPem(label, body);
      }
    } else {
      parsed = fromBareText(trimmed, issues);
    }
  }

  if (!parsed || !('kind' in parsed)) {
    issues.push(parsed ?? issue('key.unrecognised', 'error', 'not a recognisable RSA key'));
    return { value: undefined, issues };
  }
  const key = parsed;
  if (key.publicKey.asymmetricKeyType !== 'rsa') {
    issues.push(issue('key.not-rsa', 'error', `a ${key.publicKey.asymmetricKeyType ?? 'non-RSA'} key was given; the order API signs with RSA`, {
      hint: 'give the RSA key the Payment console issued for this offerId',
    }));
    return { value: undefined, issues };
  }
  if (want === 'private' && key.kind === 'public') {
    issues.push(issue('key.public-not-private', 'error', `a public key (${describeFormat(key.format)}) was given where a private key is needed`, {
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
    issues.push(issue('key.weak', 'warning', `${key.bits}-bit RSA key: factorable today; 2048 bits or more is advised`, {
      hint: 'tacpay keys generate makes a 2048-bit pair',
    }));
  }
  return { value: key, issues };
}

function looksLikeText(bytes: Buffer): boolean {
  // DER always starts with a SEQUENCE tag 0x30 followed by a length byte >= 0x80 for keys; text keys
  // are printable ASCII. Count control bytes rather than trusting the first byte alone.
  const sample = bytes.subarray(0, 256);
  let control = 0;
  for (const b of sample) if (b < 9 || (b > 13 && b < 32) || b === 127) control++;
  return control === 0;
}

function fromBareText(text: string, issues: Issue[]): KeyInfo | Issue {
  const compact = text.replace(/\s+/g, '');
  if (compact !== text) {
    issues.push(issue('key.whitespace', 'info', 'line breaks or spaces inside the Base64 key were removed'));
  }
  const unquoted = compact.replace(/^["']|["']$/g, '');
  if (unquoted !== compact) issues.push(issue('key.quoted', 'info', 'quotes around the key were removed'));
  if (/^[A-Za-z0-9]{16,64}$/.test(unquoted) && unquoted.length < 100) {
    return issue('key.offerkey-given', 'error', `a ${unquoted.length}-character string was given where an RSA key belongs: that looks like an offerKey`, {
      hint: 'the offerKey goes in --offer-key (or TACPAY_OFFER_KEY); the RSA key is the long Base64 privateKey (starts MII...)',
    });
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(unquoted)) {
    const bad = unquoted.match(/[^A-Za-z0-9+/=]/)?.[0] ?? '';
    const urlSafe = /^[A-Za-z0-9_-]+={0,2}$/.test(unquoted);
    return issue('key.not-base64', 'error', urlSafe
      ? 'the key uses URL-safe Base64 (- and _), but keys are standard Base64 (+ and /)'
      : `the key is neither PEM nor Base64 (found ${JSON.stringify(bad)})`, {
      hint: 'give a PEM file (-----BEGIN PRIVATE KEY-----) or the bare Base64 key (starts MII...)',
    });
  }
  const der = Buffer.from(unquoted, 'base64');
  return fromDer(der, true) ?? truncatedOrCorrupt('Base64 key', der.length);
}

/** Exports the public half as SPKI PEM (what a merchant hands to a verifier). */
export function publicPem(key: KeyInfo): string {
  return key.publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

/** Bare Base64 of the PKCS#8 DER, the form the documents print privateKeys in. */
export function privateBase64(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'der' }).toString('base64');
}
