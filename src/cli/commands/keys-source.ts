/** Reading a key argument of `tacpay keys inspect|match`: a file, `-` for stdin, or inline key text. */
import type { Issue } from '../../core/issues.js';
import { describeFormat, parseKey, type KeyFormat, type KeyInfo, type KeyKind } from '../../core/keys.js';
import type { Ctx } from '../context.js';
import { TacpayError } from '../errors.js';
import { inert } from '../output.js';
import { readStdin, readUserFile } from '../input.js';

export interface LoadedKey {
  key: KeyInfo;
  /** Every note parseKey made (info and warning; errors have become a thrown TacpayError). */
  issues: Issue[];
  /** How to name the input to a person: the path as given, `stdin`, or `inline key`. */
  source: string;
}

/**
 * Inline key text rather than a path (the rule loadKey in cli/input.ts uses for --key values), so a
 * pasted key is read rather than reported back, in full, as "file does not exist".
 */
function looksInline(value: string): boolean {
  return value.includes('-----BEGIN') || (value.length > 80 && /^[A-Za-z0-9+/=\s"']+$/.test(value));
}

/**
 * Reads and parses the key `arg` names, accepting any kind (the caller judges the kind, to say
 * more than "wrong kind"). An unusable key throws a one-line TacpayError naming the input.
 */
export async function loadAnyKey(ctx: Ctx, arg: string, what: string): Promise<LoadedKey> {
  let input: string | Buffer;
  let source: string;
  if (arg === '-') {
    input = await readStdin(ctx, what);
    source = 'stdin';
  } else if (looksInline(arg)) {
    input = arg;
    source = 'inline key';
  } else {
    input = await readUserFile(ctx, arg, `${what} file`);
    source = arg;
  }
  const parsed = parseKey(input, 'any');
  const label = source === 'stdin' ? `${what} from stdin` : source === 'inline key' ? `inline ${what}` : `${what} ${inert(source, { singleLine: true })}`;
  if (!parsed.value) {
    const first = parsed.issues.find((i) => i.severity === 'error');
    throw new TacpayError(`${label}: ${first?.message ?? 'not a usable key'}`, first?.hint, first?.code ?? 'key');
  }
  for (const i of parsed.issues) if (i.severity === 'warning') ctx.warn(`${label}: ${i.message}`);
  return { key: parsed.value, issues: parsed.issues, source };
}

/** What inspect and match report about one key: never any key material. */
export interface KeySummary {
  source: string;
  kind: KeyKind;
  format: KeyFormat;
  formatDescription: string;
  bits: number;
  fingerprint: string;
  certificateSubject?: string;
}

export function summarize({ key, source }: LoadedKey): KeySummary {
  return {
    source,
    kind: key.kind,
    format: key.format,
    formatDescription: describeFormat(key.format),
    bits: key.bits,
    fingerprint: key.fingerprint,
    ...(key.certificateSubject !== undefined ? { certificateSubject: key.certificateSubject } : {}),
  };
}

/** "private key" / "public key" / "certificate (public key)", for output. */
export function kindWords(key: KeyInfo): string {
  if (key.certificateSubject !== undefined) return 'certificate (public key)';
  return `${key.kind} key`;
}

/** A certificate subject on one line (Node gives it one RDN per line), made safe to print. */
export function subjectLine(subject: string): string {
  return inert(subject.split('\n').filter(Boolean).join(', '), { singleLine: true });
}
