/** What `tacpay sign` yields: a leaf, so sign/run.ts (which makes it) and sign/render.ts (which shows it) both import it. */
import type { Diagnosis, SignatureRepair } from '../../../core/sign-diagnosis.js';
import type { Issue } from '../../../core/issues.js';
import type { KeyInfo } from '../../../core/keys.js';
import type { TsReading } from '../../../core/params.js';

export interface KeyView {
  kind: KeyInfo['kind'];
  format: KeyInfo['format'];
  formatDescription: string;
  bits: number;
  fingerprint: string;
  /** Where the key came from: a flag, an env var name, or a config file path. Never the key. */
  source: string;
}

export interface DecodedView {
  name: string;
  given: string;
  decoded: string;
}

export interface VerifyView {
  /** The signature as given (user input, not a secret). */
  given: string;
  /** The strict Base64 actually checked, after repairs. */
  signature: string | null;
  repairs: SignatureRepair[];
  verified: boolean;
  publicKey: KeyView;
  /** Why the signature could not be read, when it could not. */
  problems?: Issue[];
  diagnosis?: Diagnosis;
}

export interface SignResult {
  /** The input parameters as text, in the order given (sign included if it was given). */
  params: Record<string, string>;
  /** Which source each parameter's value came from. */
  origin: Record<string, string>;
  /** Input parameters left out of the string-to-sign (`sign`). */
  excluded: string[];
  /** --query values that percent- or form-decoding changed. */
  decoded: DecodedView[];
  /** The string-to-sign without the offerKey (which follows it directly, spec §1.4 step 4). */
  canonical: string;
  offerKeyAppended: { length: number; source: string };
  /** SHA-256 hex of the whole string-to-sign, offerKey included: compare it with your own code's. */
  stringToSignSha256: string;
  signature?: string;
  key?: KeyView;
  /** The request's query string, RFC 3986-encoded, sign last; when a signature was made or verified. */
  request?: { query: string };
  verify?: VerifyView;
  ts?: TsReading;
  issues: Issue[];
}
