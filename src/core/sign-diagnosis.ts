/**
 * Why a request signature does not verify. Rebuilds the string-to-sign the way common
 * implementations get it wrong (percent-encoded values, a separator before the offerKey, the wrong
 * sort, SHA-1, ...; alone and in pairs) and checks the signature against each, so the user learns
 * which mistake their code makes. Also reads a signature that did not survive transport as strict
 * Base64 (`+` turned into spaces by form decoding, URL-safe alphabet, percent-encoding).
 *
 * The offerKey is part of every candidate string, so no candidate string leaves this module: only
 * `display` forms in which the key is replaced by a placeholder.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { compareCodeUnits, joinParams, paramText, type Params } from './canonical.js';
import { issue, type Issue } from './issues.js';
import { encodeRfc3986 } from './params.js';
import { isStrictBase64, verifyBytes, type HashName } from './signature.js';

/** How the offerKey is shown wherever the string-to-sign is printed: its length, never its text. */
export function offerKeyPlaceholder(length: number): string {
  return `<offerKey: ${length} chars>`;
}

/** SHA-256 hex of the full string-to-sign: comparable with one's own implementation without showing the key. */
export function canonicalSha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Stable ids of the mistakes tried; scripts may match on them. */
export type MistakeId =
  | 'values-uri-encoded'
  | 'values-form-encoded'
  | 'values-rfc3986-encoded'
  | 'amp-before-key'
  | 'key-param-before-key'
  | 'no-offer-key'
  | 'offer-key-trailing-newline'
  | 'offer-key-trailing-space'
  | 'offer-key-leading-space'
  | 'offer-key-trimmed'
  | 'insertion-order'
  | 'locale-sort'
  | 'case-insensitive-sort'
  | 'sign-included'
  | 'empty-dropped'
  | 'sha1';

/** How one candidate string-to-sign is built. The correct recipe is BASE. */
interface Recipe {
  encoding: 'raw' | 'uri' | 'form' | 'rfc3986';
  order: 'code-unit' | 'insertion' | 'locale' | 'case-insensitive';
  separator: '' | '&' | '&key=';
  keyForm: 'plain' | 'none' | 'trailing-newline' | 'trailing-space' | 'leading-space' | 'trimmed';
  /** The value `sign` had when it was (wrongly) signed; undefined = left out, as it should be. */
  signValue: string | undefined;
  dropEmpty: boolean;
  hash: HashName;
}

const BASE: Recipe = { encoding: 'raw', order: 'code-unit', separator: '', keyForm: 'plain', signValue: undefined, dropEmpty: false, hash: 'sha256' };

interface Inputs {
  params: Params;
  offerKey: string;
}

interface MistakeSpec {
  id: MistakeId;
  /** Mistakes of one dimension exclude each other, so they are never paired. */
  dimension: 'encoding' | 'suffix' | 'key-whitespace' | 'order' | 'sign' | 'empty' | 'hash';
  description: string;
  fix: string;
  /** The recipes this mistake turns `r` into; none when it cannot apply to these inputs. */
  apply(r: Recipe, inputs: Inputs): Recipe[];
}

const set = (patch: Partial<Recipe>) => (r: Recipe): Recipe[] => [{ ...r, ...patch }];

const MISTAKES: readonly MistakeSpec[] = [
  {
    id: 'values-uri-encoded',
    dimension: 'encoding',
    description: 'values percent-encoded with encodeURIComponent before joining',
    fix: 'join the raw values; percent-encode only when putting them into the URL',
    apply: set({ encoding: 'uri' }),
  },
  {
    id: 'values-form-encoded',
    dimension: 'encoding',
    description: 'values form-encoded (space as +, like URLEncoder / URLSearchParams) before joining',
    fix: 'join the raw values; percent-encode only when putting them into the URL',
    apply: set({ encoding: 'form' }),
  },
  {
    id: 'values-rfc3986-encoded',
    dimension: 'encoding',
    description: "values RFC 3986-encoded (rawurlencode; ! ' ( ) * escaped too) before joining",
    fix: 'join the raw values; percent-encode only when putting them into the URL',
    apply: set({ encoding: 'rfc3986' }),
  },
  {
    id: 'amp-before-key',
    dimension: 'suffix',
    description: '"&" between the parameters and the offerKey',
    fix: 'append the offerKey directly after the last value: no "&"',
    apply: set({ separator: '&' }),
  },
  {
    id: 'key-param-before-key',
    dimension: 'suffix',
    description: '"&key=" before the offerKey (the WeChat Pay convention)',
    fix: 'append the offerKey directly after the last value: no "&key="',
    apply: set({ separator: '&key=' }),
  },
  {
    id: 'no-offer-key',
    dimension: 'suffix',
    description: 'no offerKey appended',
    fix: 'append the offerKey directly after the last value',
    apply: set({ keyForm: 'none' }),
  },
  {
    id: 'offer-key-trailing-newline',
    dimension: 'key-whitespace',
    description: 'a newline after the offerKey (read from a file or env var with its line ending)',
    fix: 'strip the line ending from the offerKey',
    apply: set({ keyForm: 'trailing-newline' }),
  },
  {
    id: 'offer-key-trailing-space',
    dimension: 'key-whitespace',
    description: 'a space after the offerKey',
    fix: 'strip whitespace around the offerKey',
    apply: set({ keyForm: 'trailing-space' }),
  },
  {
    id: 'offer-key-leading-space',
    dimension: 'key-whitespace',
    description: 'a space before the offerKey',
    fix: 'strip whitespace around the offerKey',
    apply: set({ keyForm: 'leading-space' }),
  },
  {
    id: 'offer-key-trimmed',
    dimension: 'key-whitespace',
    description: 'the offerKey trimmed, while the key given here has whitespace around it',
    fix: 'one side trims the offerKey and the other does not: remove the whitespace from the configured key',
    apply: (r, { offerKey }) => (offerKey.trim() !== offerKey ? [{ ...r, keyForm: 'trimmed' }] : []),
  },
  {
    id: 'insertion-order',
    dimension: 'order',
    description: 'parameters in the order given, not sorted',
    fix: 'sort the parameter names in ascending code-unit order (Java Arrays.sort)',
    apply: set({ order: 'insertion' }),
  },
  {
    id: 'locale-sort',
    dimension: 'order',
    description: 'names sorted with localeCompare (locale order puts "_" and capitals elsewhere)',
    fix: 'sort by code unit: (a, b) => (a < b ? -1 : a > b ? 1 : 0), not localeCompare',
    apply: set({ order: 'locale' }),
  },
  {
    id: 'case-insensitive-sort',
    dimension: 'order',
    description: 'names sorted ignoring case',
    fix: 'sort by code unit, case-sensitively (capitals before lowercase)',
    apply: set({ order: 'case-insensitive' }),
  },
  {
    id: 'sign-included',
    dimension: 'sign',
    description: 'the sign parameter included in the string-to-sign',
    fix: 'leave sign out of the string-to-sign',
    // Either an empty placeholder sign, or the value the input carries (e.g. a stale signature).
    apply: (r, { params }) => {
      const values = new Set(['', paramText(params.sign) ?? '']);
      return [...values].map((signValue) => ({ ...r, signValue }));
    },
  },
  {
    id: 'empty-dropped',
    dimension: 'empty',
    description: 'parameters with empty values left out',
    fix: 'keep empty values as "k=" in the string-to-sign',
    apply: set({ dropEmpty: true }),
  },
  {
    id: 'sha1',
    dimension: 'hash',
    description: 'SHA1withRSA instead of SHA256withRSA',
    fix: 'sign with SHA256withRSA (Signature.getInstance("SHA256withRSA"), crypto.createSign("RSA-SHA256"))',
    apply: set({ hash: 'sha1' }),
  },
];

/** Every mistake id, in the order they are tried. */
export const MISTAKE_IDS: readonly MistakeId[] = MISTAKES.map((m) => m.id);

function encodeValue(value: string, encoding: Recipe['encoding']): string {
  switch (encoding) {
    case 'raw':
      return value;
    case 'uri':
      return encodeURIComponent(value);
    case 'form':
      return new URLSearchParams([['', value]]).toString().slice(1);
    case 'rfc3986':
      return encodeRfc3986(value);
  }
}

const ORDERS: Record<Exclude<Recipe['order'], 'insertion'>, (a: string, b: string) => number> = {
  'code-unit': compareCodeUnits,
  locale: (a, b) => a.localeCompare(b),
  'case-insensitive': (a, b) => compareCodeUnits(a.toLowerCase(), b.toLowerCase()),
};

/** A string-to-sign split where the offerKey starts, so it can be shown without the key. */
interface Built {
  body: string;
  keyPart: string;
}

function build(r: Recipe, { params, offerKey }: Inputs): Built {
  let keys = Object.keys(params).filter((k) => k !== 'sign');
  if (r.signValue !== undefined) keys = Object.hasOwn(params, 'sign') ? Object.keys(params) : [...keys, 'sign'];
  if (r.order !== 'insertion') keys = [...keys].sort(ORDERS[r.order]);
  const pairs = keys.flatMap((k) => {
    const text = k === 'sign' && r.signValue !== undefined ? r.signValue : paramText(params[k]);
    if (text === undefined || (r.dropEmpty && text === '')) return [];
    return [`${k}=${encodeValue(text, r.encoding)}`];
  });
  const keyPart =
    r.keyForm === 'none'
      ? ''
      : r.keyForm === 'trailing-newline'
        ? offerKey + '\n'
        : r.keyForm === 'trailing-space'
          ? offerKey + ' '
          : r.keyForm === 'leading-space'
            ? ' ' + offerKey
            : r.keyForm === 'trimmed'
              ? offerKey.trim()
              : offerKey;
  return { body: pairs.join('&') + (r.keyForm === 'none' ? '' : r.separator), keyPart };
}

/** A candidate shown to people: the key part replaced by its placeholder, whitespace around it kept. */
function display({ body, keyPart }: Built, offerKey: string): string {
  const core = offerKey.trim();
  if (core === '') return body + keyPart;
  return body + keyPart.split(core).join(offerKeyPlaceholder(core.length));
}

/** One mistake (or a pair of them) that was checked. */
export interface TriedMistake {
  /** A MistakeId, or two joined by `+` for a pair. */
  id: string;
  description: string;
  /** Other mistakes that produce the very same string here, so cannot be told apart. */
  sameAs?: string[];
}

/** The mistake that reproduces the signature. */
export interface Mistake extends TriedMistake {
  ids: MistakeId[];
  fix: string;
  hash: HashName;
  /** The string the signer must have signed, offerKey replaced by its placeholder. */
  canonical: string;
}

export interface Diagnosis {
  matched: Mistake | undefined;
  tried: TriedMistake[];
  issues: Issue[];
}

interface Candidate {
  ids: MistakeId[];
  specs: MistakeSpec[];
  recipe: Recipe;
  built: Built;
  sameAs: string[];
}

/** Builds every distinct candidate: single mistakes first (simplest explanation wins), then pairs. */
function candidates(inputs: Inputs): Candidate[] {
  const seen = new Map<string, Candidate | 'correct'>();
  const out: Candidate[] = [];
  const correct = build(BASE, inputs);
  seen.set(`${BASE.hash}\u0000${correct.body}${correct.keyPart}`, 'correct');
  const add = (specs: MistakeSpec[], recipe: Recipe) => {
    const built = build(recipe, inputs);
    const key = `${recipe.hash}\u0000${built.body}${built.keyPart}`;
    const id = specs.map((s) => s.id).join('+');
    const prior = seen.get(key);
    if (prior === 'correct') return;
    if (prior) {
      // A pair that equals a single means its second mistake is a no-op here: not worth naming.
      if (prior.ids.length === specs.length && !prior.sameAs.includes(id)) prior.sameAs.push(id);
      return;
    }
    const c: Candidate = { ids: specs.map((s) => s.id), specs, recipe, built, sameAs: [] };
    seen.set(key, c);
    out.push(c);
  };
  for (const m of MISTAKES) for (const r of m.apply(BASE, inputs)) add([m], r);
  for (let i = 0; i < MISTAKES.length; i++) {
    for (let j = i + 1; j < MISTAKES.length; j++) {
      const a = MISTAKES[i]!;
      const b = MISTAKES[j]!;
      if (a.dimension === b.dimension) continue;
      // No key at all cannot also have whitespace around it.
      if ((a.id === 'no-offer-key' && b.dimension === 'key-whitespace') || (b.id === 'no-offer-key' && a.dimension === 'key-whitespace')) continue;
      for (const ra of a.apply(BASE, inputs)) for (const r of b.apply(ra, inputs)) add([a, b], r);
    }
  }
  return out;
}

function describe(c: Candidate): string {
  return c.specs.map((s) => s.description).join('; and ');
}

/**
 * Tries each common mistake (and each pair) against a signature that did not verify over the
 * correct string. `matched` is the first candidate that verifies, singles before pairs.
 */
export function diagnoseSignature(input: { params: Params; offerKey: string; signature: Uint8Array; publicKey: KeyObject }): Diagnosis {
  const { params, offerKey, signature, publicKey } = input;
  const issues: Issue[] = [];
  const bits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
  const expectedBytes = Math.ceil(bits / 8);
  if (bits > 0 && signature.length !== expectedBytes) {
    // RSA signatures are exactly as long as the modulus: no string variant can fix a length mismatch.
    // Below 64 bytes (RSA-512, the smallest key seen in the docs) it is no RSA signature at all.
    const plausible = signature.length >= 64 && signature.length <= 2048;
    issues.push(issue('sign.length-mismatch', 'error', plausible
      ? `the signature is ${signature.length} bytes, but a ${bits}-bit key makes ${expectedBytes}-byte signatures: it was made with a different key (a ${signature.length * 8}-bit one)`
      : `the signature is ${signature.length} bytes, but a ${bits}-bit key makes ${expectedBytes}-byte signatures: it is truncated or not a signature`, {
      hint: plausible ? 'verify with the public key that belongs to the private key the signer used' : 'copy the whole sign value (a 2048-bit key gives 344 Base64 characters)',
      path: 'sign',
    }));
    return { matched: undefined, tried: [], issues };
  }
  const all = candidates({ params, offerKey });
  const tried: TriedMistake[] = all.map((c) => ({ id: c.ids.join('+'), description: describe(c), ...(c.sameAs.length ? { sameAs: [...c.sameAs] } : {}) }));
  for (const c of all) {
    if (verifyBytes(c.built.body + c.built.keyPart, signature, publicKey, c.recipe.hash)) {
      return {
        matched: {
          id: c.ids.join('+'),
          ids: [...c.ids],
          description: describe(c),
          fix: c.specs.map((s) => s.fix).join('; and '),
          hash: c.recipe.hash,
          canonical: display(c.built, offerKey),
          ...(c.sameAs.length ? { sameAs: [...c.sameAs] } : {}),
        },
        tried,
        issues,
      };
    }
  }
  issues.push(issue('sign.no-known-mistake', 'info', `none of ${tried.length} common mistakes reproduces the signature`, {
    hint: 'the signer probably used another key pair, another offerKey, or different parameter values',
  }));
  return { matched: undefined, tried, issues };
}

/** A change made to a signature before it parsed as strict Base64. */
export interface SignatureRepair {
  id: 'quotes-removed' | 'percent-decoded' | 'line-breaks-removed' | 'plus-from-space' | 'spaces-trimmed' | 'url-safe-alphabet' | 'padding-added';
  description: string;
}

const REPAIR_TEXT: Record<SignatureRepair['id'], string> = {
  'quotes-removed': 'quotes around it removed',
  'percent-decoded': 'percent-escapes decoded (%2B → +, %2F → /, %3D → =)',
  'line-breaks-removed': 'line breaks removed',
  'plus-from-space': 'spaces turned back into "+" (a query string decoded as a form turns + into spaces)',
  'spaces-trimmed': 'spaces around it removed',
  'url-safe-alphabet': 'URL-safe Base64 (- and _) turned into standard (+ and /)',
  'padding-added': 'missing "=" padding added',
};

export interface ReadSignature {
  /** The signature in strict standard Base64, when it could be read. */
  base64: string | undefined;
  bytes: Buffer | undefined;
  repairs: SignatureRepair[];
  issues: Issue[];
}

/**
 * Reads a signature as given on a command line or copied from a URL or log. Strict Base64 is taken
 * as is; otherwise the usual transport damage is undone, step by step, and each repair is reported.
 */
export function readSignature(given: string): ReadSignature {
  if (isStrictBase64(given)) return { base64: given, bytes: Buffer.from(given, 'base64'), repairs: [], issues: [] };
  const repairs: SignatureRepair['id'][] = [];
  let s = given.replace(/^[\r\n\t]+|[\r\n\t]+$/g, '');
  const unquoted = s.replace(/^(["'])(.*)\1$/s, '$2');
  if (unquoted !== s) {
    s = unquoted;
    repairs.push('quotes-removed');
  }
  if (/%[0-9A-Fa-f]{2}/.test(s)) {
    try {
      s = decodeURIComponent(s);
      repairs.push('percent-decoded');
    } catch {
      /* not valid percent-encoding; leave it to the checks below */
    }
  }
  if (/[\r\n\t]/.test(s)) {
    s = s.replace(/[\r\n\t]/g, '');
    repairs.push('line-breaks-removed');
  }
  if (s.includes(' ')) {
    // Spaces inside are almost always + lost to form decoding; at the ends they may be paste slop.
    const plus = finish(s.replaceAll(' ', '+'));
    const trimmed = s.trim();
    if (isStrictBase64(plus.text)) {
      s = s.replaceAll(' ', '+');
      repairs.push('plus-from-space');
    } else if (trimmed !== s) {
      s = trimmed;
      repairs.push('spaces-trimmed');
      if (s.includes(' ')) {
        s = s.replaceAll(' ', '+');
        repairs.push('plus-from-space');
      }
    }
  }
  const done = finish(s);
  repairs.push(...done.repairs);
  const toRepairs = (ids: SignatureRepair['id'][]) => ids.map((id) => ({ id, description: REPAIR_TEXT[id] }));
  if (!isStrictBase64(done.text)) {
    const bad = done.text.match(/[^A-Za-z0-9+/=]/)?.[0];
    return {
      base64: undefined,
      bytes: undefined,
      repairs: toRepairs(repairs),
      issues: [issue('sign.not-base64', 'error', bad !== undefined ? `the signature is not Base64: it contains ${JSON.stringify(bad)}` : given.trim() === '' ? 'the signature is empty' : 'the signature is not Base64: its length or padding is wrong (truncated?)', {
        hint: 'give the sign value exactly as the signer produced it (standard Base64, e.g. 344 characters for a 2048-bit key)',
        path: 'sign',
      })],
    };
  }
  return { base64: done.text, bytes: Buffer.from(done.text, 'base64'), repairs: toRepairs(repairs), issues: [] };
}

/** The last two repairs: URL-safe alphabet and missing padding. */
function finish(s: string): { text: string; repairs: SignatureRepair['id'][] } {
  const repairs: SignatureRepair['id'][] = [];
  if (/[-_]/.test(s) && !/[+/]/.test(s)) {
    s = s.replace(/-/g, '+').replace(/_/g, '/');
    repairs.push('url-safe-alphabet');
  }
  if (/^[A-Za-z0-9+/]+$/.test(s) && s.length % 4 !== 0 && s.length % 4 !== 1) {
    s += '='.repeat(4 - (s.length % 4));
    repairs.push('padding-added');
  }
  return { text: s, repairs };
}

/** The outcome of checking a request signature over the correct string, with the diagnosis when it fails. */
export interface VerifyOutcome {
  signature: ReadSignature;
  verified: boolean;
  diagnosis: Diagnosis | undefined;
}

/** Verifies `given` over the string-to-sign of `params` + offerKey; diagnoses a failure. */
export function verifyRequestSignature(input: { params: Params; offerKey: string; given: string; publicKey: KeyObject }): VerifyOutcome {
  const signature = readSignature(input.given);
  if (!signature.bytes) return { signature, verified: false, diagnosis: undefined };
  const text = joinParams(input.params) + input.offerKey;
  if (verifyBytes(text, signature.bytes, input.publicKey, 'sha256')) return { signature, verified: true, diagnosis: undefined };
  const diagnosis = diagnoseSignature({ params: input.params, offerKey: input.offerKey, signature: signature.bytes, publicKey: input.publicKey });
  return { signature, verified: false, diagnosis };
}
