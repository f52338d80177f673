/** Fixture loading shared by tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './cli.js';

export const FIXTURES = join(ROOT, 'fixtures');

export interface SigningVector {
  offerKey: string;
  privateKey: string;
  params: Record<string, string>;
  original: string;
  sign: string;
}

/** The documented signing test vector (spec §1.4.1). */
export const docVector: SigningVector = JSON.parse(readFileSync(join(FIXTURES, 'vectors/doc-signing.json'), 'utf8'));
/** The documented pay_info example (seed document). */
export const docPayInfo: string = JSON.parse(readFileSync(join(FIXTURES, 'vectors/doc-payinfo.json'), 'utf8')).pay_info;
export const docPublicPem: string = readFileSync(join(FIXTURES, 'keys/doc-public.pem'), 'utf8');
