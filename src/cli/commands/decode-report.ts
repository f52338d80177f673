/** What decoding one pay_info yields: a leaf, so decode-run.ts (which makes it) and decode-render.ts (which shows it) both import it. */
import type { Issue } from '../../core/issues.js';
import type { SignatureResult } from '../../core/payinfo-verify.js';

export interface DecodeReport {
  input: { length: number };
  valid: boolean;
  data: Record<string, unknown> | null;
  sign: { base64Length: number | null; bytes: number | null };
  issues: Issue[];
  signature: SignatureResult & { scheme: string; keyBits?: number };
}
