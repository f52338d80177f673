/**
 * Which order API a call goes to, with which credentials: a configured API (credentials given), or
 * the built-in sandbox — a running `tacpay sandbox start` found through its ready file, else one
 * started in this process on 127.0.0.1:0 — so placing an order works with no credentials and no
 * network. The caller (the CLI's order-target.ts) has already resolved the configuration, checked
 * it and loaded the keys; this opens what it names. Call `close()` when done (an embedded sandbox stops).
 */
import type { KeyObject } from 'node:crypto';
import type { KeyInfo } from '../core/keys.js';
import type { TsMode } from '../core/timestamp.js';
import { TacpayError } from '../errors.js';
import type { FlowEnv } from './env.js';

export const PRODUCTION_URL = 'https://api.openmidas.com';

export type TargetKind = 'configured' | 'sandbox-running' | 'sandbox-embedded';

/** What the configuration says to talk to. */
export type TargetConfig =
  | {
      kind: 'configured';
      env: 'sandbox' | 'production';
      /** Checked: http(s), plain http only to loopback. */
      baseUrl: string;
      offerId: string;
      offerKey: string;
      privateKey: KeyObject;
      tsMode: TsMode;
      platformPublicKey?: KeyInfo | undefined;
    }
  | {
      kind: 'sandbox';
      /** The sandbox data dir, absolute. */
      dir: string;
      /** A sandbox merchant; default its default merchant. */
      offerId?: string | undefined;
      tsMode: TsMode;
    };

export interface Target {
  kind: TargetKind;
  env: 'sandbox' | 'production';
  baseUrl: string;
  offerId: string;
  offerKey: string;
  privateKey: KeyObject;
  tsMode: TsMode;
  /** Verifies pay_info (§7 D1): the sandbox's platform key, or the configured platformPublicKey. */
  platformPublicKey?: KeyInfo;
  /** The sandbox data dir when the target is a sandbox (order state can be read there). */
  sandboxDir?: string;
  /**
   * Sandbox only: the user_id an order or refund was placed with, so queries need not repeat it
   * (the API requires user_id on every call; production cannot be asked, so there it is a flag).
   */
  userIdOf?: (ref: { outTradeNo?: string; transactionId?: string; refundId?: string }) => string | undefined;
  /** Stops an embedded sandbox; a no-op otherwise. */
  close(): Promise<void>;
}

/** Opens the target `cfg` names. */
export async function openTarget(cfg: TargetConfig, env: FlowEnv): Promise<Target> {
  if (cfg.kind === 'sandbox') return sandboxTarget(cfg.dir, cfg.offerId, cfg.tsMode, env);
  const { kind: _kind, platformPublicKey, ...rest } = cfg;
  return { kind: 'configured', ...rest, ...(platformPublicKey ? { platformPublicKey } : {}), close: async () => {} };
}

/** Opens the target, runs `fn`, and always releases the target (an embedded sandbox stops). */
export async function withTarget<T>(cfg: TargetConfig, env: FlowEnv, fn: (t: Target) => Promise<T>): Promise<T> {
  const target = await openTarget(cfg, env);
  try {
    return await fn(target);
  } finally {
    await target.close();
  }
}

async function sandboxTarget(dir: string, offerId: string | undefined, tsMode: TsMode, env: FlowEnv): Promise<Target> {
  const { createPrivateKey } = await import('node:crypto');
  const { parseKey } = await import('../core/keys.js');
  const runtime = await import('../sandbox/runtime.js');
  const { openStore } = await import('../sandbox/store.js');
  const { ensureDefaultMerchant, ensurePlatformKeys } = await import('../sandbox/merchants.js');
  const store = openStore(dir);
  let closeServer = async () => {};
  try {
    const platform = ensurePlatformKeys(store);
    const merchant = offerId ? store.merchant(offerId) : ensureDefaultMerchant(store, env.now());
    if (!merchant) throw new TacpayError(`the sandbox at ${dir} has no merchant ${offerId}`, 'tacpay sandbox merchant list shows them; or drop --offer-id to use the default', 'not_found');
    if (!merchant.private_key_pem) throw new TacpayError(`sandbox merchant ${merchant.offer_id} was registered with a public key only`, 'pass --private-key and --offer-key to sign as this merchant', 'sandbox-merchant');
    const running = await runtime.findRunning(dir);
    let baseUrl: string;
    let kind: TargetKind;
    if (running) {
      baseUrl = running.url;
      kind = 'sandbox-running';
      env.note(`using the sandbox running at ${baseUrl} (merchant ${merchant.offer_id}); set credentials to talk to production`);
    } else {
      const { startSandbox } = await import('../sandbox/server.js');
      const server = await startSandbox({ store, port: 0, now: () => env.now() });
      closeServer = () => server.close();
      baseUrl = server.url;
      kind = 'sandbox-embedded';
      env.note(`no credentials configured: using the built-in sandbox (merchant ${merchant.offer_id}, data ${dir}); run \`tacpay sandbox start\` to keep one running`);
    }
    return {
      kind,
      env: 'sandbox',
      baseUrl,
      offerId: merchant.offer_id,
      offerKey: merchant.offer_key,
      privateKey: createPrivateKey(merchant.private_key_pem),
      tsMode,
      platformPublicKey: parseKey(platform.publicPem, 'public').value!,
      sandboxDir: dir,
      userIdOf: ({ outTradeNo, transactionId, refundId }) => {
        const byRefund = refundId ? store.refund(merchant.offer_id, refundId) : undefined;
        const order = byRefund
          ? store.orderById(byRefund.order_id)
          : outTradeNo
            ? store.orderByOutTradeNo(merchant.offer_id, outTradeNo)
            : transactionId
              ? store.orderByTransactionId(merchant.offer_id, transactionId)
              : undefined;
        return order?.user_id;
      },
      close: async () => {
        await closeServer();
        store.close();
      },
    };
  } catch (err) {
    await closeServer();
    store.close();
    throw err;
  }
}
