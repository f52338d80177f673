/**
 * Which order API a command talks to, from its flags and the configuration: with credentials
 * configured (or --env production, or --base-url), the configured API, its base URL checked and its
 * keys loaded here (usage errors, exit 2); with nothing configured, the built-in sandbox of the data
 * dir. flows/target.ts opens what this names.
 */
import type { ConfigKey } from '../config/options.js';
import type { ConfigValue } from '../config/resolve.js';
import type { TsMode } from '../core/timestamp.js';
import type { Ctx } from './context.js';
import { UsageError } from '../errors.js';
import { PRODUCTION_URL, type TargetConfig } from '../flows/target.js';
import { loadKey } from './key-input.js';

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

/** What an order/refund command's flags and configuration name; flows/target.ts openTarget() opens it. */
export async function resolveTarget(ctx: Ctx, flags: TargetFlags): Promise<TargetConfig> {
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
    };
  }
  const { resolve } = await import('node:path');
  const { defaultSandboxDir } = await import('../sandbox/runtime.js');
  return { kind: 'sandbox', dir: resolve(ctx.cwd, v.sandboxDir?.value ?? defaultSandboxDir(ctx.env)), offerId: v.offerId?.value, tsMode };
}
