/**
 * Sandbox credentials: the platform key pair that signs pay_info and notifications (§7 D1, D2) and
 * merchants (offerId, offerKey, RSA key pair). Created on first start; the merchant's private key is
 * kept so the built-in sandbox can sign for the developer who has no credentials yet.
 */
import { generateKeyPairSync, randomInt, randomBytes } from 'node:crypto';
import type { MerchantRow, Store } from './store.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A 32-character offerKey, the length of the documented example. */
export function newOfferKey(): string {
  const bytes = randomBytes(32);
  let out = '';
  for (const b of bytes) out += ALNUM[b % ALNUM.length];
  return out;
}

/** `TC` + 6 digits, unused in this store. */
export function newOfferId(store: Store): string {
  for (;;) {
    const id = `TC${randomInt(100000, 1000000)}`;
    if (!store.merchant(id)) return id;
  }
}

function rsaPair(bits: number): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export interface PlatformKeys {
  privatePem: string;
  publicPem: string;
}

/** The platform key pair, created (RSA-2048, the size of the documented pay_info signatures) on first use. */
export function ensurePlatformKeys(store: Store): PlatformKeys {
  return store.tx(() => {
    const privatePem = store.getMeta('platform_private_key');
    const publicPem = store.getMeta('platform_public_key');
    if (privatePem && publicPem) return { privatePem, publicPem };
    const pair = rsaPair(2048);
    store.setMeta('platform_private_key', pair.privatePem);
    store.setMeta('platform_public_key', pair.publicPem);
    return pair;
  });
}

export interface NewMerchant {
  offerId?: string;
  offerKey?: string;
  publicKeyPem?: string;
  privateKeyPem?: string;
  notifyUrl?: string;
  bits?: number;
  isDefault?: boolean;
}

/** Registers a merchant. Without a key, a fresh RSA pair is made (and its private half kept for the sandbox client). */
export function addMerchant(store: Store, m: NewMerchant, now: Date): MerchantRow {
  const pair = m.publicKeyPem ? { privatePem: m.privateKeyPem ?? '', publicPem: m.publicKeyPem } : rsaPair(m.bits ?? 2048);
  const row: MerchantRow = {
    offer_id: m.offerId ?? newOfferId(store),
    offer_key: m.offerKey ?? newOfferKey(),
    private_key_pem: pair.privatePem,
    public_key_pem: pair.publicPem,
    notify_url: m.notifyUrl ?? null,
    is_default: m.isDefault ? 1 : 0,
    created_at: now.toISOString(),
  };
  store.addMerchant(row);
  return row;
}

/** The default merchant, created on first use. */
export function ensureDefaultMerchant(store: Store, now: Date): MerchantRow {
  return store.tx(() => store.defaultMerchant() ?? addMerchant(store, { isDefault: true }, now));
}
