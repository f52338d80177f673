/**
 * What `tacpay doctor` compares the project with: the ids and keys from flags, TACPAY_* variables and
 * the project's tacpay.config.json (searched upwards from the project directory unless --config is
 * given), with its doctor.skip list and per-platform ids. A broken config file or an unusable key is
 * a finding for the checks, never the end of the run.
 */
import { isAbsolute, relative } from 'node:path';
import { envName, type ConfigKey } from '../../../config/options.js';
import { ConfigFileError, resolveConfig, type ConfigValue } from '../../../config/resolve.js';
import { CAPS, readBounded, Refused } from '../../../doctor/index.js';
import type { KeyEntry, PlatformIds, Snapshot } from '../../../doctor/types.js';
import type { Ctx, GlobalFlags } from '../../context.js';
import { kindOf, type DoctorRequest } from './parse.js';

export interface ResolvedInputs {
  config: Snapshot['config'];
  /** doctor.skip from the project config file. */
  configSkip: string[];
}

/** Config for the project directory: its own tacpay.config.json (searched upwards from it) unless --config is given. */
export async function resolveInputs(ctx: Ctx, root: string, globals: GlobalFlags, ids: DoctorRequest['ids']): Promise<ResolvedInputs> {
  const flags: Partial<Record<ConfigKey, string | undefined>> = { offerId: ids.offerId, wechatAppId: ids.wechatAppId, qqAppId: ids.qqAppId };
  const values: Partial<Record<ConfigKey, ConfigValue>> = {};
  let file: string | undefined;
  let fileError: string | undefined;
  try {
    const r = resolveConfig({ flags, env: ctx.env, cwd: root, ...(globals.config ? { configFile: globals.config } : {}), ...(globals.profile ? { profile: globals.profile } : {}) });
    Object.assign(values, r.values);
    file = r.files.project;
    for (const w of r.warnings) ctx.warn(w);
  } catch (err) {
    if (!(err instanceof ConfigFileError)) throw err;
    // A broken config file is a finding (config.file), not the end of the run: flags and env still count.
    fileError = err.message;
    for (const k of ['offerId', 'offerKey', 'privateKey', 'platformPublicKey', 'wechatAppId', 'qqAppId'] as const) {
      const v = flags[k] ?? (ctx.env[envName(k)] || undefined);
      if (v !== undefined) values[k] = { value: v, source: flags[k] !== undefined ? 'flag' : 'env', origin: flags[k] !== undefined ? `--${k}` : envName(k), baseDir: ctx.cwd };
    }
  }
  // Origins are shown relative to the project (or the current) directory when they are files there.
  const shown = (p: string) => {
    for (const base of [root, ctx.cwd]) {
      const rel = relative(base, p);
      if (isAbsolute(p) && rel && !rel.startsWith('..') && !isAbsolute(rel)) return rel.split('\\').join('/');
    }
    return p;
  };
  for (const v of Object.values(values)) if (v) v.origin = shown(v.origin);
  const entry = (k: ConfigKey) => (values[k] ? { value: values[k]!.value, origin: values[k]!.origin } : undefined);
  const config: Snapshot['config'] = {
    ...(file ? { file } : {}),
    ...(fileError ? { fileError } : {}),
  };
  for (const k of ['offerId', 'wechatAppId', 'qqAppId', 'offerKey'] as const) {
    const e = entry(k);
    if (e) config[k] = e;
  }
  if (values.privateKey) {
    const { key, path } = await loadKeyEntry(values.privateKey);
    config.privateKey = key;
    const sibling = path?.replace(/\.key\.(?:pem|b64)$/, '.pub.pem');
    if (sibling && sibling !== path && (await kindOf(sibling)) === 'file') config.merchantPublicKey = (await loadKeyEntry({ ...values.privateKey, value: sibling, origin: shown(sibling) })).key;
  }
  if (values.platformPublicKey) config.platformPublicKey = (await loadKeyEntry(values.platformPublicKey)).key;

  const configSkip: string[] = [];
  if (file && !fileError) {
    try {
      const doc = JSON.parse((await readBounded(file, CAPS.config)).toString('utf8')) as { doctor?: { skip?: unknown }; ios?: unknown; android?: unknown };
      const list = doc.doctor?.skip;
      if (list !== undefined) {
        if (Array.isArray(list) && list.every((x) => typeof x === 'string')) configSkip.push(...list);
        else ctx.warn(`${file}: doctor.skip must be a list of check ids; ignored`);
      }
      for (const platform of ['ios', 'android'] as const) {
        const ids = platformIds(ctx, file, platform, doc[platform], shown(file), flags);
        if (ids) config[platform] = ids;
      }
    } catch {
      /* resolveConfig read it a moment ago; a race is not worth failing over */
    }
  }
  return { config, configSkip };
}

/** `"ios": {"offerId": ..., "wechatAppId": ..., "qqAppId": ...}`: a platform's own ids; a command-line flag still wins. */
function platformIds(ctx: Ctx, file: string, platform: 'ios' | 'android', section: unknown, shownFile: string, flags: Partial<Record<ConfigKey, string | undefined>>): PlatformIds | undefined {
  if (section === undefined) return undefined;
  if (!section || typeof section !== 'object' || Array.isArray(section)) {
    ctx.warn(`${file}: "${platform}" must be an object such as {"offerId": "TC100008"}; ignored`);
    return undefined;
  }
  const out: PlatformIds = {};
  for (const [k, v] of Object.entries(section)) {
    if (k !== 'offerId' && k !== 'wechatAppId' && k !== 'qqAppId') {
      ctx.warn(`${file}: unknown key "${k}" in "${platform}" ignored (known: offerId, wechatAppId, qqAppId)`);
      continue;
    }
    if (typeof v !== 'string' && typeof v !== 'number') {
      ctx.warn(`${file}: "${platform}.${k}" must be a string; ignored`);
      continue;
    }
    // Precedence as for every option: a flag or a TACPAY_* variable beats the file, per-platform or not.
    if (flags[k] === undefined && !ctx.env[envName(k)]) out[k] = { value: String(v), origin: `${shownFile} (${platform})` };
  }
  return out;
}

/** A key from config (inline or a file), judged but never fatal: problems become findings. */
async function loadKeyEntry(spec: ConfigValue): Promise<{ key: KeyEntry; path?: string }> {
  const { classifyKeyValue, unusableKeyValue } = await import('../../key-input.js');
  const { parseKey, knownKey } = await import('../../../core/keys.js');
  const origin = spec.origin;
  let input: string | Buffer = spec.value;
  let path: string | undefined;
  const form = await classifyKeyValue(spec.value, spec.baseDir);
  if (form.form === 'not-file') {
    // Not a file: key text, or an error that describes the value (it may be a secret) without quoting it.
    const asText = parseKey(spec.value, 'any');
    if (!asText.value) return { key: { origin, error: (await unusableKeyValue('the value', spec, form, asText.issues.find((i) => i.severity === 'error'), { origin: false })).message } };
  } else if (form.form === 'file') {
    path = form.path;
    // Named by a project's config file: a FIFO or /dev/zero there must not hang the run or fill memory.
    try {
      input = await readBounded(path, CAPS.config);
    } catch (err) {
      return { key: { origin, error: err instanceof Refused ? `${spec.value}: ${err.reason}` : `cannot read ${spec.value} (${(err as NodeJS.ErrnoException).code ?? 'error'})` }, path };
    }
  }
  // 'any': a key of the wrong kind is still described (config.private-key says what it is).
  const parsed = parseKey(input, 'any');
  if (!parsed.value) return { key: { origin, error: parsed.issues.find((i) => i.severity === 'error')?.message ?? 'not a usable key' }, ...(path ? { path } : {}) };
  const k = parsed.value;
  const known = knownKey(k.fingerprint);
  return {
    key: { origin, kind: k.kind, bits: k.bits, fingerprint: k.fingerprint, publicKey: k.publicKey, ...(known ? { known } : {}), ...(path ? { file: path } : {}) },
    ...(path ? { path } : {}),
  };
}
