/**
 * Which order API a command talks to, with which credentials. With credentials configured (or
 * --env production, or --base-url), the configured API. With nothing configured, the built-in
 * sandbox: a running `tacpay sandbox start` found through its ready file, else one started in this
 * process on 127.0.0.1:0 — so `tacpay order create` works with no credentials and no network.
 */
import type { KeyObject } from 'node:crypto';
import type { ConfigKey } from '../config/options.js';
import type { ConfigValue } from '../config/resolve.js';
import type { KeyInfo } from '../core/keys.js';
import type { TsMode } from '../core/timestamp.js';
import type { Ctx } from './context.js';
import { TacpayError, UsageError } from '../errors.js';
import { loadKey } from './key-input.js';

export const PRODUCTION_URL = 'https://api.openmidas.com';

export type TargetKind = 'configured' | 'sandbox-running' | 'sandbox-embedded';

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

export type TargetFlags = Partial<Record<ConfigKey, string | undefined>>;

/** Checks a base URL: http(s) only, and plain http only to loopback (signed requests and pay_info must not cross a network in clear). */
export async function checkBaseUrl(url: string, origin: string): Promise<string> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`base URL ${JSON.stringify(url)} (from ${origin}) is not a URL`, 'e.g. --base-url https://api.openmidas.com or http://127.0.0.1:4010');
  }
  const { isLoopbackHost } = await import('../client/encode.js');
  if (u.protocol === 'http:' && !isLoopbackHost(u.hostname)) {
    throw new UsageError(`refusing plain http to ${u.host} (from ${origin}): only loopback addresses may use http`, 'use https://, or a sandbox on 127.0.0.1');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`base URL must be http(s), not ${u.protocol} (from ${origin})`);
  return url.replace(/\/+$/, '');
}

/** Resolves the target for an order/refund command. Call `close()` when done. */
export async function resolveTarget(ctx: Ctx, flags: TargetFlags): Promise<Target> {
  const cfg = ctx.config(flags);
  const v = cfg.values;
  const env = (v.env?.value ?? 'sandbox') as 'sandbox' | 'production';
  const tsMode = (v.tsMode?.value ?? 'beijing-naive') as TsMode;
  const hasCreds = Boolean(v.offerKey || v.privateKey);
  const explicit = env === 'production' || v.baseUrl !== undefined || hasCreds;

  if (explicit) {
    const missing = (['offerId', 'offerKey', 'privateKey'] as const).filter((k) => !v[k]);
    if (missing.length) {
      const names = { offerId: '--offer-id / TACPAY_OFFER_ID', offerKey: 'TACPAY_OFFER_KEY (or --offer-key)', privateKey: '--private-key / TACPAY_PRIVATE_KEY' };
      throw new UsageError(
        `${env === 'production' ? 'production' : 'a configured API'} needs credentials; missing: ${missing.map((k) => names[k]).join(', ')}`,
        env === 'production' ? 'set them in tacpay.config.json (mode 600) or the environment; tacpay never prompts for secrets' : 'or remove them all to use the built-in sandbox',
      );
    }
    const baseUrl = await checkBaseUrl(v.baseUrl?.value ?? (env === 'production' ? PRODUCTION_URL : 'http://127.0.0.1:4010'), v.baseUrl?.origin ?? `--env ${env}`);
    const privateKey = (await loadKey(ctx, v.privateKey as ConfigValue, 'private', 'private key')).privateKey!;
    const platform = v.platformPublicKey ? await loadKey(ctx, v.platformPublicKey, 'public', 'platform public key') : undefined;
    return {
      kind: 'configured',
      env,
      baseUrl,
      offerId: v.offerId!.value,
      offerKey: v.offerKey!.value,
      privateKey,
      tsMode,
      ...(platform ? { platformPublicKey: platform } : {}),
      close: async () => {},
    };
  }
  return sandboxTarget(ctx, v.sandboxDir?.value, v.offerId?.value, tsMode);
}

async function sandboxTarget(ctx: Ctx, dirFlag: string | undefined, offerId: string | undefined, tsMode: TsMode): Promise<Target> {
  const { createPrivateKey } = await import('node:crypto');
  const { parseKey } = await import('../core/keys.js');
  const { resolve } = await import('node:path');
  const runtime = await import('../sandbox/runtime.js');
  const { openStore } = await import('../sandbox/store.js');
  const { ensureDefaultMerchant, ensurePlatformKeys } = await import('../sandbox/merchants.js');
  const dir = resolve(ctx.cwd, dirFlag ?? runtime.defaultSandboxDir(ctx.env));
  const store = openStore(dir);
  let closeServer = async () => {};
  try {
    const platform = ensurePlatformKeys(store);
    const merchant = offerId ? store.merchant(offerId) : ensureDefaultMerchant(store, ctx.now());
    if (!merchant) throw new TacpayError(`the sandbox at ${dir} has no merchant ${offerId}`, 'tacpay sandbox merchant list shows them; or drop --offer-id to use the default', 'not_found');
    if (!merchant.private_key_pem) throw new UsageError(`sandbox merchant ${merchant.offer_id} was registered with a public key only`, 'pass --private-key and --offer-key to sign as this merchant');
    const running = await runtime.findRunning(dir);
    let baseUrl: string;
    let kind: TargetKind;
    if (running) {
      baseUrl = running.url;
      kind = 'sandbox-running';
      ctx.note(`using the sandbox running at ${baseUrl} (merchant ${merchant.offer_id}); set credentials to talk to production`);
    } else {
      const { startSandbox } = await import('../sandbox/server.js');
      const server = await startSandbox({ store, port: 0, now: () => ctx.now() });
      closeServer = () => server.close();
      baseUrl = server.url;
      kind = 'sandbox-embedded';
      ctx.note(`no credentials configured: using the built-in sandbox (merchant ${merchant.offer_id}, data ${dir}); run \`tacpay sandbox start\` to keep one running`);
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
