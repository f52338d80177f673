/**
 * Resolves configuration: flag > TACPAY_* env > project tacpay.config.json > user config file >
 * default, remembering where each value came from (doctor and --verbose show it). A profile
 * (--profile / TACPAY_PROFILE) selects `profiles.<name>` inside each file, overriding that file's
 * top level. Files are read once; a file holding secrets that others can read gets a warning, as
 * ssh does for private keys.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { CONFIG_KEYS, envName, OPTIONS, type ConfigKey } from './options.js';

export type SourceKind = 'flag' | 'env' | 'project' | 'user' | 'default';

export interface ConfigValue {
  value: string;
  source: SourceKind;
  /** Env var name or file path the value came from. */
  origin: string;
  /** Directory relative paths in the value are resolved against (file-backed values). */
  baseDir: string;
}

export interface ResolvedConfig {
  values: Partial<Record<ConfigKey, ConfigValue>>;
  profile?: string;
  files: { project?: string; user?: string };
  warnings: string[];
}

export interface ResolveInput {
  flags: Partial<Record<ConfigKey, string | undefined>>;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Explicit config file (--config) replacing the project-file search. */
  configFile?: string;
  profile?: string;
  /** Read no config file at all: flags, env and defaults only (the library, unless asked). */
  noFiles?: boolean;
}

export const PROJECT_FILE = 'tacpay.config.json';

/** The user-level config file: $XDG_CONFIG_HOME/tacpay/config.json, else ~/.config/tacpay/config.json. */
export function userConfigPath(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const base = env.XDG_CONFIG_HOME || (env.HOME ? join(env.HOME, '.config') : undefined);
  return base ? join(base, 'tacpay', 'config.json') : undefined;
}

/** Nearest tacpay.config.json from `cwd` upwards. */
export function findProjectFile(cwd: string): string | undefined {
  let dir = resolvePath(cwd);
  for (;;) {
    const candidate = join(dir, PROJECT_FILE);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      /* keep looking */
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export class ConfigFileError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

interface FileLayer {
  path: string;
  values: Partial<Record<ConfigKey, string>>;
  /** Whether the requested profile is defined in this file. */
  hasProfile: boolean;
}

/** Largest config file read: a config is a few hundred bytes; a FIFO or /dev/zero must not hang or fill memory. */
const MAX_CONFIG_BYTES = 1024 * 1024;

function readSmallFile(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ConfigFileError(`config file ${path} is not a regular file`, 'point --config (or the file tacpay found) at a JSON file');
    if (st.size > MAX_CONFIG_BYTES) throw new ConfigFileError(`config file ${path} is ${Math.round(st.size / 1024)} KB; a config file is at most 1 MB`, 'check that the path names the config file');
    const buf = Buffer.alloc(st.size);
    let n = 0;
    while (n < buf.length) {
      const r = readSync(fd, buf, n, buf.length - n, n);
      if (r === 0) break;
      n += r;
    }
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function readLayer(path: string, profile: string | undefined, warnings: string[], required: boolean): FileLayer | undefined {
  let text: string;
  try {
    text = readSmallFile(path);
  } catch (err) {
    if (err instanceof ConfigFileError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (!required && code === 'ENOENT') return undefined;
    throw new ConfigFileError(`cannot read config file ${path} (${code ?? 'error'})`, 'check the path and its permissions');
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    // V8 quotes the bytes around the error ("…"offerKey": Q9s8…"): they may be a secret, so only the reason is kept.
    const reason = (err as Error).message.replace(/ in JSON at position \d+.*$/s, '').replace(/,? ?(?:\.\.\.)?".*$/s, '').replace(/^Unexpected token '.'/, 'Unexpected character');
    const pos = /position (\d+)/.exec((err as Error).message);
    const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : undefined;
    throw new ConfigFileError(`config file ${path} is not valid JSON${line ? ` (line ${line})` : ''}: ${reason}`, 'fix the JSON, or move the file away');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigFileError(`config file ${path} must hold a JSON object`, `e.g. {"offerId": "TC100008"}`);
  }
  const obj = doc as Record<string, unknown>;
  const values: Partial<Record<ConfigKey, string>> = {};
  const take = (src: Record<string, unknown>, where: string) => {
    for (const [k, v] of Object.entries(src)) {
      // ios and android: per-platform ids, read by the doctor (an app whose iOS and Android are two TAC apps).
      if (k === 'profiles' || k === 'doctor' || k === 'ios' || k === 'android' || k === '$schema') continue;
      if (!(CONFIG_KEYS as readonly string[]).includes(k)) {
        warnings.push(`${path}: unknown key "${k}" ${where}ignored (known: ${CONFIG_KEYS.join(', ')})`);
        continue;
      }
      if (typeof v !== 'string' && typeof v !== 'number') {
        warnings.push(`${path}: "${k}" must be a string; ignored`);
        continue;
      }
      values[k as ConfigKey] = String(v);
    }
  };
  take(obj, '');
  const profiles = obj.profiles as Record<string, unknown> | undefined;
  const p = profile && profiles && Object.hasOwn(profiles, profile) ? profiles[profile] : undefined;
  if (p && typeof p === 'object' && !Array.isArray(p)) take(p as Record<string, unknown>, `in profile ${profile} `);
  const secretKeys = OPTIONS.filter((o) => o.secret).map((o) => o.key);
  if (secretKeys.some((k) => values[k] !== undefined) || JSON.stringify(obj.profiles ?? {}).match(/"(offerKey|privateKey)"/)) {
    try {
      const mode = statSync(path).mode;
      if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
        warnings.push(`${path} holds secrets and is readable by other users (mode ${(mode & 0o777).toString(8)}); run: chmod 600 ${path}`);
      }
    } catch {
      /* already read it; a stat race is not worth failing over */
    }
  }
  return { path, values, hasProfile: p !== undefined };
}

/** Resolves every option in the table; see the module comment for precedence. */
export function resolveConfig(input: ResolveInput): ResolvedConfig {
  const warnings: string[] = [];
  const profile = input.profile ?? input.env.TACPAY_PROFILE ?? undefined;
  const projectPath = input.noFiles ? undefined : input.configFile ? resolvePath(input.cwd, input.configFile) : findProjectFile(input.cwd);
  const userPath = input.noFiles ? undefined : userConfigPath(input.env);
  const project = projectPath ? readLayer(projectPath, profile, warnings, Boolean(input.configFile)) : undefined;
  const user = userPath && userPath !== projectPath ? readLayer(userPath, profile, warnings, false) : undefined;
  if (profile && !project?.hasProfile && !user?.hasProfile) {
    throw new ConfigFileError(`profile "${profile}" is not defined in any config file`, `add "profiles": {"${profile}": {...}} to ${projectPath ?? userPath ?? PROJECT_FILE}`);
  }

  const values: Partial<Record<ConfigKey, ConfigValue>> = {};
  for (const spec of OPTIONS) {
    const k = spec.key;
    const flag = input.flags[k];
    const envVar = envName(k);
    const envValue = input.env[envVar];
    if (flag !== undefined) values[k] = { value: flag, source: 'flag', origin: `--${spec.flag}`, baseDir: input.cwd };
    else if (envValue !== undefined && envValue !== '') values[k] = { value: envValue, source: 'env', origin: envVar, baseDir: input.cwd };
    else if (project?.values[k] !== undefined) values[k] = { value: project.values[k]!, source: 'project', origin: project.path, baseDir: dirname(project.path) };
    else if (user?.values[k] !== undefined) values[k] = { value: user.values[k]!, source: 'user', origin: user.path, baseDir: dirname(user.path) };
    else if (spec.default !== undefined) values[k] = { value: spec.default, source: 'default', origin: 'default', baseDir: input.cwd };
    const chosen = values[k];
    if (chosen && spec.choices && !spec.choices.includes(chosen.value)) {
      throw new ConfigFileError(`${k} "${chosen.value}" (from ${chosen.origin}) is not one of ${spec.choices.join(', ')}`, `set ${k} to one of: ${spec.choices.join(', ')}`);
    }
  }
  return {
    values,
    ...(profile ? { profile } : {}),
    files: { ...(project ? { project: project.path } : {}), ...(user ? { user: user.path } : {}) },
    warnings,
  };

}

/** Text safe to show for a value: secrets become `<redacted: N chars>`. */
export function displayValue(key: ConfigKey, value: string): string {
  const spec = OPTIONS.find((o) => o.key === key);
  return spec?.secret ? `<redacted: ${value.length} chars>` : value;
}
