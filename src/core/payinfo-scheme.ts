/**
 * The assumed pay_info signature scheme (spec §7 D1) as names and words, kept apart from the
 * verification code so output can describe a result without loading node:crypto.
 */

export type HashName = 'sha256' | 'sha1';
export type Candidate = 'decoded-json' | 'encoded-json' | 'data=decoded' | 'data=encoded';

/** The signed-text candidates, in the order §7 D1 tries them. */
export const CANDIDATES: readonly Candidate[] = ['decoded-json', 'encoded-json', 'data=decoded', 'data=encoded'];

/** Printed wherever a result rests on §7 D1: production's pay_info scheme is undocumented (§2.2). */
export const SCHEME = 'assumed (§7 D1)';

export const CANDIDATE_WORDS: Readonly<Record<Candidate, string>> = {
  'decoded-json': 'the decoded data JSON',
  'encoded-json': 'the percent-encoded data JSON',
  'data=decoded': '"data=" + the decoded JSON',
  'data=encoded': '"data=" + the percent-encoded JSON',
};

export const HASH_WORDS: Readonly<Record<HashName, string>> = { sha256: 'SHA-256', sha1: 'SHA-1' };

/** The not-checked reason when no key was given (callers may word it for their own options). */
export const NO_KEY = 'no public key given';
