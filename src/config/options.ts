/**
 * The one option table. Every configurable value has a camelCase key used in tacpay.config.json,
 * the TACPAY_* environment variable derived from it, an optional command-line flag, a default,
 * and whether it is a secret (secrets are redacted in every output, --verbose included).
 */

export interface OptionSpec {
  key: ConfigKey;
  /** Long flag without leading dashes, e.g. `offer-id`. */
  flag: string;
  description: string;
  secret: boolean;
  default?: string;
  /** Value may be inline text or a path to a file (keys). */
  fileOrInline?: boolean;
  choices?: readonly string[];
}

export type ConfigKey =
  | 'offerId'
  | 'offerKey'
  | 'privateKey'
  | 'platformPublicKey'
  | 'wechatAppId'
  | 'qqAppId'
  | 'env'
  | 'baseUrl'
  | 'tsMode'
  | 'notifyUrl'
  | 'sandboxDir';

export const OPTIONS: readonly OptionSpec[] = [
  { key: 'offerId', flag: 'offer-id', description: 'Payment offerId (the Midas appid, TC + digits)', secret: false },
  { key: 'offerKey', flag: 'offer-key', description: 'offerKey (appkey) appended to the string-to-sign', secret: true },
  { key: 'privateKey', flag: 'private-key', description: 'merchant RSA private key: a file path, - for stdin, or the key itself', secret: true, fileOrInline: true },
  { key: 'platformPublicKey', flag: 'platform-public-key', description: 'platform public key that verifies pay_info and notifications (file or inline)', secret: false, fileOrInline: true },
  { key: 'wechatAppId', flag: 'wechat-app-id', description: 'WeChat Open Platform AppID (wx + 16 hex)', secret: false },
  { key: 'qqAppId', flag: 'qq-app-id', description: 'QQ Open Platform AppID (digits)', secret: false },
  { key: 'env', flag: 'env', description: 'order API environment', secret: false, default: 'sandbox', choices: ['sandbox', 'production'] },
  { key: 'baseUrl', flag: 'base-url', description: 'order API base URL (overrides --env)', secret: false },
  { key: 'tsMode', flag: 'ts-mode', description: 'how ts is computed: beijing-naive (epoch-28800, as every official example) or epoch', secret: false, default: 'beijing-naive', choices: ['beijing-naive', 'epoch'] },
  { key: 'notifyUrl', flag: 'notify-url', description: 'merchant endpoint that receives payment notifications', secret: false },
  { key: 'sandboxDir', flag: 'sandbox-dir', description: 'data dir of the built-in sandbox (default $XDG_DATA_HOME/tacpay/sandbox)', secret: false },
];

/** TACPAY_ + the key in SCREAMING_SNAKE_CASE: offerId -> TACPAY_OFFER_ID. */
export function envName(key: ConfigKey): string {
  return 'TACPAY_' + key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** Looks an option up by key. */
export function optionSpec(key: ConfigKey): OptionSpec {
  const spec = OPTIONS.find((o) => o.key === key);
  if (!spec) throw new Error(`unknown config key ${key}`);
  return spec;
}

export const CONFIG_KEYS: readonly ConfigKey[] = OPTIONS.map((o) => o.key);
