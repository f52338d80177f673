/** SHA256withRSA (PKCS#1 v1.5) signatures in standard Base64, as the order API uses (spec §1.4 step 5). */
import { createSign, createVerify, type KeyObject } from 'node:crypto';

export type HashName = 'sha256' | 'sha1';

/** Signs the UTF-8 bytes of `text`; returns standard Base64 with `+/` and `=` padding. */
export function signText(text: string, privateKey: KeyObject, hash: HashName = 'sha256'): string {
  return createSign(hash === 'sha256' ? 'RSA-SHA256' : 'RSA-SHA1').update(text, 'utf8').sign(privateKey, 'base64');
}

/** Verifies a signature given as raw bytes. Never throws: a malformed key or signature is just `false`. */
export function verifyBytes(data: string | Uint8Array, signature: Uint8Array, publicKey: KeyObject, hash: HashName = 'sha256'): boolean {
  try {
    const v = createVerify(hash === 'sha256' ? 'RSA-SHA256' : 'RSA-SHA1');
    v.update(data);
    return v.verify(publicKey, signature);
  } catch {
    return false;
  }
}

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict standard Base64 check (no URL-safe alphabet, no whitespace, correct padding). */
export function isStrictBase64(s: string): boolean {
  return s.length > 0 && BASE64_RE.test(s);
}

/** Decodes strict Base64, or returns undefined. */
export function decodeBase64(s: string): Buffer | undefined {
  return isStrictBase64(s) ? Buffer.from(s, 'base64') : undefined;
}
