/** Fixture loading shared by tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './cli.js';
import type { KeyFormat } from '../../src/core/keys.js';

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

/** Fingerprints of the key pairs under fixtures/keys. */
export const FP_2048 = 'SHA256:IJ4EYV3MoISU4fx3jvFbAK5UZ3w6bmIDmT4OLr7ceh0';
export const FP_512 = 'SHA256:0mPj17rIBrttCx8oDcokNv5Kr/rjH1yBibJdEY772JU';
export const FP_DOC = 'SHA256:b6HPrbadv2NSNpFMeRaVhp2l9lorGblxdQdF5dJIW+8';

/** Every key file under fixtures/keys that parses: what it holds, its format, size and pair fingerprint. */
export const KEY_FIXTURES: ReadonlyArray<readonly [file: string, kind: 'private' | 'public', format: KeyFormat, bits: number, fingerprint: string]> = [
  ['test-rsa2048.pkcs8.pem', 'private', 'pkcs8-pem', 2048, FP_2048],
  ['test-rsa2048.pkcs1.pem', 'private', 'pkcs1-pem', 2048, FP_2048],
  ['test-rsa2048.pkcs8.b64', 'private', 'pkcs8-der-base64', 2048, FP_2048],
  ['test-rsa2048.pkcs8-wrapped.b64', 'private', 'pkcs8-der-base64', 2048, FP_2048],
  ['test-rsa2048.pkcs8.der', 'private', 'pkcs8-der', 2048, FP_2048],
  ['test-rsa2048.mislabelled-encrypted.pem', 'private', 'pkcs8-pem-mislabelled-encrypted', 2048, FP_2048],
  ['test-rsa2048.pub.pem', 'public', 'spki-pem', 2048, FP_2048],
  ['test-rsa2048.pub-pkcs1.pem', 'public', 'pkcs1-public-pem', 2048, FP_2048],
  ['test-rsa2048.pub.b64', 'public', 'spki-der-base64', 2048, FP_2048],
  ['test-rsa2048.cert.pem', 'public', 'x509-pem', 2048, FP_2048],
  ['test-rsa512.pkcs8.pem', 'private', 'pkcs8-pem', 512, FP_512],
  ['test-rsa512.pkcs8.b64', 'private', 'pkcs8-der-base64', 512, FP_512],
  ['test-rsa512.pub.pem', 'public', 'spki-pem', 512, FP_512],
  ['doc-private.b64', 'private', 'pkcs8-der-base64', 2048, FP_DOC],
  ['doc-public.pem', 'public', 'spki-pem', 2048, FP_DOC],
];
