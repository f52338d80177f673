/**
 * What a secret value looks like, in words that hold none of it. Every error about a value of a
 * secret option (privateKey, offerKey) describes the value through describeSecret: its length, its
 * alphabet, how many lines, a PEM armor label, whether a file by that name exists. Never the value,
 * never a prefix or suffix of it, never one of its characters unless that character cannot be part
 * of any key or offerKey (a punctuation mark outside the Base64 alphabet).
 */

export interface SecretFacts {
  /** What a file by that name is, when the value was tried as a path. */
  file?: 'missing' | 'directory' | 'not-regular' | 'unreadable';
}

export interface SecretShape {
  /** e.g. "a 1624-character value, one line, in the URL-safe Base64 alphabet (- and _); no file by that name". */
  shape: string;
  /** The most useful next step for a value of this shape. */
  hint: string;
  /** A short name for the shape, for tests and --json consumers. */
  kind: SecretShapeKind;
}

export type SecretShapeKind = 'empty' | 'pem' | 'pem-label-only' | 'prefixed' | 'url-safe-base64' | 'base64' | 'base64-with-spaces' | 'offer-key' | 'hex' | 'path-like' | 'other';

/** The forms a key value may take, for "expected ..." in messages. */
export const KEY_FORMS = 'a PEM key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----), the bare Base64 PKCS#8 or PKCS#1 key (starts MII), or the path of a key file';

// Punctuation that is in no Base64 alphabet and in no offerKey, so naming it reveals nothing.
const NAMEABLE = new Set([...'.,:;!?#$%&*()[]{}<>|@^~`']);

// Only the armor label is ever shown, and only when it is one of the labels PEM uses.
const PEM_LABEL_RE = /^-----(BEGIN|END) ((?:RSA |ENCRYPTED |EC |DSA |OPENSSH )?(?:PRIVATE KEY|PUBLIC KEY)|CERTIFICATE|TRUSTED CERTIFICATE|CERTIFICATE REQUEST|NEW CERTIFICATE REQUEST|EC PARAMETERS)-----/;

// `privateKey=`, `TACPAY_PRIVATE_KEY=`, `"privateKey": `: a name pasted with the value.
const PREFIX_RE = /^["']?[A-Za-z_][A-Za-z0-9_.-]{0,63}["']?\s*[:=]\s*\S/;

/** The words "a 44-character value, one line, letters and digits only; no file by that name", and a hint. */
export function describeSecret(value: string, facts: SecretFacts = {}): SecretShape {
  const parts: string[] = [];
  const lines = value.split(/\r\n|\r|\n/).length;
  parts.push(`a ${value.length}-character value`);
  if (value.length > 0) parts.push(lines === 1 ? 'one line' : `${lines} lines`);
  const alphabet = alphabetWords(value);
  if (alphabet) parts.push(alphabet);
  const firstLine = value.trimStart().split(/\r\n|\r|\n/)[0] ?? '';
  const label = PEM_LABEL_RE.exec(firstLine);
  if (label) parts.push(`first line starts ${label[0]}`);
  else if (/BEGIN/.test(value) && /KEY|CERTIFICATE/.test(value)) parts.push('it holds BEGIN ... KEY but no well-formed -----BEGIN ...----- line');
  const file = fileWords(facts.file);
  const kind = kindOf(value, Boolean(label));
  return { shape: parts.join(', ') + (file ? `; ${file}` : ''), hint: HINTS[kind], kind };
}

function fileWords(file: SecretFacts['file']): string {
  switch (file) {
    case 'missing':
      return 'no file by that name';
    case 'directory':
      return 'a directory by that name exists (not a key file)';
    case 'not-regular':
      return 'a special file by that name exists (not a regular file)';
    case 'unreadable':
      return 'a file by that name exists but cannot be read';
    default:
      return '';
  }
}

function alphabetWords(v: string): string {
  if (v === '') return '';
  const inner = v.trim();
  if (/^[0-9a-fA-F]+$/.test(inner) && inner.length % 2 === 0 && inner.length >= 32) return 'hex digits only';
  if (/^[A-Za-z0-9]+$/.test(inner)) return 'letters and digits only';
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(inner)) return 'the standard Base64 alphabet (A-Z a-z 0-9 + /)';
  if (/^[A-Za-z0-9_-]+={0,2}$/.test(inner)) return 'the URL-safe Base64 alphabet (A-Z a-z 0-9 - _)';
  const has: string[] = [];
  if (/[A-Za-z0-9]/.test(v)) has.push('letters and digits');
  if (/[+/]/.test(v)) has.push('"+" or "/"');
  if (/[-_]/.test(v)) has.push('"-" or "_"');
  if (/=/.test(v)) has.push('"="');
  if (/ /.test(v)) has.push('spaces');
  if (/\t/.test(v)) has.push('tabs');
  if (/[\r\n]/.test(v)) has.push('line breaks');
  if (/\\[rn]/.test(v)) has.push('literal \\n escapes');
  if (/["']/.test(v)) has.push('quotes');
  const named = [...new Set([...v].filter((c) => NAMEABLE.has(c)))];
  if (named.length) has.push(named.map((c) => `"${c}"`).join(' '));
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(v)) has.push('control characters');
  if (/[^\x00-\x7f]/.test(v)) has.push('non-ASCII characters');
  return 'has ' + has.join(', ');
}

function kindOf(v: string, pemLabel: boolean): SecretShapeKind {
  const t = v.trim();
  if (t === '') return 'empty';
  if (pemLabel) return /[A-Za-z0-9+/]{16}/.test(t.replace(/-----[^-]*-----/g, '')) ? 'pem' : 'pem-label-only';
  if (PREFIX_RE.test(t) && t.length > 24) return 'prefixed';
  if (/^[0-9a-fA-F]+$/.test(t) && t.length % 2 === 0 && t.length >= 32 && /^30/.test(t)) return 'hex';
  if (/^[A-Za-z0-9]{16,64}$/.test(t)) return 'offer-key';
  if (/^[A-Za-z0-9_-]+={0,2}$/.test(t) && /[-_]/.test(t) && t.length >= 40) return 'url-safe-base64';
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(t)) return 'base64';
  if (/^[A-Za-z0-9+/=\s]+$/.test(t)) return 'base64-with-spaces';
  if (/[./\\]/.test(t) && !/\s/.test(t)) return 'path-like';
  return 'other';
}

const HINTS: Record<SecretShapeKind, string> = {
  empty: 'set the key (or the path of its file); an empty value is no key',
  pem: 'copy the whole PEM again, from the -----BEGIN line to the -----END line (tacpay keys inspect - < file tells what a file holds)',
  'pem-label-only': 'the PEM lines are there but the Base64 between them is missing: copy the whole key again',
  prefixed: 'remove the leading name= (or "name": ) part: the value must start with -----BEGIN or with the Base64 itself (MII...)',
  'url-safe-base64': 'keys are standard Base64: convert - to + and _ to / (tr -- "-_" "+/"), or give the PEM file',
  base64: 'the Base64 does not decode to an RSA key: copy the whole key again (a 2048-bit private key is about 1,600 characters)',
  'base64-with-spaces': 'remove the spaces and line breaks inside the Base64, or give the PEM file',
  'offer-key': 'that looks like an offerKey: it goes in TACPAY_OFFER_KEY (or --offer-key); the private key is the long Base64 (starts MII...) or a PEM file',
  hex: 'the key is hex, but keys are Base64 or PEM: xxd -r -p key.hex | base64 -w0 > key.b64',
  'path-like': 'check the path: relative paths start from the current directory, or from the config file that names them',
  other: `give ${KEY_FORMS}`,
};
