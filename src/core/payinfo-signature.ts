/**
 * What checking a pay_info's signature yields. A leaf: payinfo-verify.ts (the general path) and
 * batch/fast-scan.ts (the shortcut decode --file takes for canonical lines) both return it, so neither imports the other for it.
 */
import type { Candidate, HashName } from './payinfo-scheme.js';

export interface SignatureCause {
  code: string;
  message: string;
  evidence: string;
  /** True when the repaired pay_info actually verifies with the key. */
  confirmed: boolean;
}

export interface SignatureResult {
  status: 'verified' | 'failed' | 'not-checked';
  candidate?: Candidate;
  hash?: HashName;
  keyFingerprint?: string;
  expectedFingerprint?: string;
  /** Why it was not checked. */
  reason?: string;
  /** Most likely first. */
  causes?: SignatureCause[];
}
