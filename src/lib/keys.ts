/** Turns what a library user holds (a KeyObject, PEM or bare Base64 text) into a KeyObject, with the core's reasons when it cannot. */
import type { KeyObject } from 'node:crypto';
import { parseKey } from '../core/keys.js';
import { TacpayLibError } from './errors.js';

/**
 * A key as the library takes it: a KeyObject, or PEM / bare Base64 (DER) text.
 * @example const key: KeyInput = readFileSync('merchant.key.pem', 'utf8')
 */
export type KeyInput = KeyObject | string;

function isKeyObject(k: unknown): k is KeyObject {
  return typeof k === 'object' && k !== null && typeof (k as KeyObject).export === 'function' && typeof (k as KeyObject).type === 'string';
}

/** The private key to sign with; throws TacpayLibError (code key.*) naming why the text is not one. */
export function privateKeyFrom(key: KeyInput, what = 'privateKey'): KeyObject {
  if (isKeyObject(key)) {
    if (key.type !== 'private') throw new TacpayLibError(`${what} is a ${key.type} key, not a private key`, 'key.not-private', 'sign with the merchant private key');
    return key;
  }
  const r = parseKey(key, 'private');
  const err = r.issues.find((i) => i.severity === 'error');
  if (!r.value?.privateKey || err) throw new TacpayLibError(`${what}: ${err?.message ?? 'not a private key'}`, err?.code ?? 'key.not-private', err?.hint);
  return r.value.privateKey;
}

/** The public key to verify with (a private key gives its public half). */
export function publicKeyFrom(key: KeyInput, what = 'publicKey'): KeyObject {
  if (isKeyObject(key)) return key;
  const r = parseKey(key, 'public');
  const err = r.issues.find((i) => i.severity === 'error');
  if (!r.value || err) throw new TacpayLibError(`${what}: ${err?.message ?? 'not a public key'}`, err?.code ?? 'key.unreadable', err?.hint);
  return r.value.publicKey;
}
