/** Reading a key argument of `tacpay keys inspect|match`: a file, `-` for stdin, or inline key text. */
import { describeFormat, type KeyFormat, type KeyInfo, type KeyKind } from '../../../core/keys.js';
import type { Ctx } from '../../context.js';
// Through key-input, which decides path or key text without echoing a key it cannot read.
import { loadKeyWithNotes, type LoadedKey } from '../../key-input.js';
import { inert } from '../../../core/inert.js';

export type { LoadedKey };

/**
 * Reads and parses the key `arg` names, accepting any kind (the caller judges the kind, to say
 * more than "wrong kind"). An unusable key throws a one-line TacpayError naming the input.
 */
export function loadAnyKey(ctx: Ctx, arg: string, what: string): Promise<LoadedKey> {
  return loadKeyWithNotes(ctx, arg, 'any', what);
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
