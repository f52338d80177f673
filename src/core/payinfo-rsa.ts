/**
 * The RSA step of pay_info verification. One RSA public operation (RSAVP1 plus PKCS#1 v1.5 type-1
 * unpadding) recovers the DigestInfo the signer embedded; a candidate text verifies when its
 * DigestInfo equals it byte for byte. That is RSASSA-PKCS1-v1_5 verification as RFC 8017 §8.2.2
 * defines it (encode-and-compare, not parse), so the answer is crypto.verify's (a test holds it to
 * that); but one RSA operation covers every candidate text and hash, it tells "wrong key" (nothing
 * opens) from "data changed" (it opens, to another digest), and batches run at bare verify speed.
 */
import { constants, publicDecrypt, type KeyObject } from 'node:crypto';

export interface VerifyKey {
  publicKey: KeyObject;
  bits: number;
  fingerprint: string;
}

/** The SHA-256 DigestInfo prefix (RFC 8017 §9.2 note 1): what a SHA256withRSA signature opens to, before the digest. */
export const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

// DER DigestInfo prefixes (RFC 8017 §9.2 note 1), each followed by the digest itself.
const DIGEST_PREFIX: ReadonlyArray<readonly [string, Buffer, number]> = [
  ['sha256', SHA256_DIGEST_INFO, 32],
  ['sha1', Buffer.from('3021300906052b0e03021a05000414', 'hex'), 20],
  ['md5', Buffer.from('3020300c06082a864886f70d020505000410', 'hex'), 16],
  ['sha224', Buffer.from('302d300d06096086480165030402040500041c', 'hex'), 28],
  ['sha384', Buffer.from('3041300d060960864801650304020205000430', 'hex'), 48],
  ['sha512', Buffer.from('3051300d060960864801650304020305000440', 'hex'), 64],
];

/** What the key recovers from a signature: the digest algorithm and value, or why nothing. */
export type Opened = { ok: true; hash: string; digest: Buffer } | { ok: false; why: 'length' | 'padding' | 'digestinfo' };

/** Opens a signature with the public key. Never throws. */
export function openSignature(sig: Buffer, key: VerifyKey): Opened {
  // RSA verification requires exactly k bytes; publicDecrypt alone would accept shorter input.
  if (sig.length !== Math.ceil(key.bits / 8)) return { ok: false, why: 'length' };
  let em: Buffer;
  try {
    em = publicDecrypt({ key: key.publicKey, padding: constants.RSA_PKCS1_PADDING }, sig);
  } catch {
    return { ok: false, why: 'padding' };
  }
  for (const [hash, prefix, size] of DIGEST_PREFIX) {
    if (em.length === prefix.length + size && em.compare(prefix, 0, prefix.length, 0, prefix.length) === 0) return { ok: true, hash, digest: em.subarray(prefix.length) };
  }
  return { ok: false, why: 'digestinfo' };
}
