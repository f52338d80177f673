/**
 * Every flag string a command takes, parsed to a typed value here: the flows below take numbers,
 * URLs and pairs, never commander's strings. UsageError (exit 2) is raised here and in a verb's
 * parse step, nowhere below the CLI. Light on purpose: reachable from cli/main.ts at start-up, so
 * nothing heavy is imported at the top (the sandbox's default dir loads inside sandboxDir()).
 */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { optionSpec, type ConfigKey } from '../config/options.js';
import { inert } from '../core/inert.js';
import { UsageError } from '../errors.js';
import type { Ctx } from './context.js';

/** `--retry-scale`: above 0, at most 1; absent is 1 (the documented retry schedule). */
export async function retryScaleOption(text: string | undefined): Promise<number> {
  if (text === undefined) return 1;
  // Loaded here: core/notification.ts needs node:crypto, which `tacpay --help` must not pay for.
  const { parseRetryScale } = await import('../core/notification.js');
  const s = parseRetryScale(text);
  if (s === undefined) throw new UsageError(`--retry-scale must be a number above 0 and at most 1, not "${inert(text, { singleLine: true })}"`, '--retry-scale 0.001 turns the 15 s first retry into 15 ms');
  return s;
}

/** `--timeout <ms>` (or another flag in milliseconds): a whole number from 1. */
export function timeoutOption(text: string, flag = '--timeout'): number {
  if (!/^\d{1,7}$/.test(text) || Number(text) < 1) throw new UsageError(`${flag} must be a whole number of milliseconds from 1, not "${inert(text, { singleLine: true })}"`, `e.g. ${flag} 5000`);
  return Number(text);
}

/** An http(s) URL to send notifications to. */
export function targetUrl(text: string, flag = '--to'): string {
  let u: URL | undefined;
  try {
    u = new URL(text);
  } catch {
    u = undefined;
  }
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) {
    throw new UsageError(`${flag} must be an http:// or https:// URL, not "${inert(text, { singleLine: true })}"`, 'e.g. --to http://127.0.0.1:3000/tacpay/notify');
  }
  return u.href;
}

/** Repeated `k=v` flags as ordered pairs (a value may hold `=`). */
export function pairsOption(values: readonly string[] | undefined, flag: string): Array<[string, string]> {
  return (values ?? []).map((p) => {
    const eq = p.indexOf('=');
    if (eq < 1) throw new UsageError(`${flag} takes key=value, not "${inert(p, { singleLine: true })}"`, `e.g. ${flag} order=42`);
    return [p.slice(0, eq), p.slice(eq + 1)];
  });
}

/** commander collector for repeatable options. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Fen from --amount (fen) or --amount-yuan (decimal yuan, at most 2 places), computed without floating point. */
export function amountFen(o: { amount?: string; amountYuan?: string }, what = 'amount'): string | undefined {
  if (o.amount !== undefined && o.amountYuan !== undefined) throw new UsageError(`give --${what} (fen) or --${what}-yuan, not both`);
  if (o.amountYuan !== undefined) {
    const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(o.amountYuan.trim());
    if (!m) throw new UsageError(`--${what}-yuan ${JSON.stringify(o.amountYuan)} is not an amount in yuan`, 'e.g. --amount-yuan 1.00 (= 100 fen); at most two decimals');
    return String(Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0')));
  }
  if (o.amount !== undefined && !/^\d+$/.test(o.amount)) {
    const hint = /^\d*\.\d+$/.test(o.amount) ? `--${what} is in fen (whole numbers); for yuan use --${what}-yuan ${o.amount}` : `e.g. --${what} 100 for 1.00 CNY`;
    throw new UsageError(`--${what} ${JSON.stringify(o.amount)} is not a whole number of fen`, hint);
  }
  return o.amount;
}

/**
 * Declares a config-backed flag from the one option table (config/options.ts): its name, its value
 * placeholder and its choices come from there, so `--offer-id` is spelled the same in every command.
 * No default is set on the flag: an absent flag falls through to TACPAY_* and the config files.
 */
export function configOption(cmd: Command, key: ConfigKey, opts: { description?: string; placeholder?: string } = {}): Command {
  const spec = optionSpec(key);
  const placeholder = opts.placeholder ?? (spec.fileOrInline ? 'file' : spec.flag.split('-').pop()!);
  const option = new Option(`--${spec.flag} <${placeholder}>`, opts.description ?? spec.description);
  if (spec.choices) option.choices(spec.choices);
  return cmd.addOption(option);
}

export interface DataOptions {
  data?: string;
}

/**
 * Adds `--sandbox-dir <dir>` to a subcommand (each leaf takes it, so it works in any position): the
 * name order, refund and account use for the same directory. `--data`, its first name, still
 * works, hidden from help; both land in `data`.
 */
export function dataOption(cmd: Command): Command {
  cmd.option('--sandbox-dir <dir>', 'sandbox data dir (default: the sandboxDir option, else $XDG_DATA_HOME/tacpay/sandbox)');
  cmd.addOption(new Option('--data <dir>', 'the old name of --sandbox-dir').hideHelp());
  cmd.on('option:sandbox-dir', (dir: string) => cmd.setOptionValue('data', dir));
  return cmd;
}

/** The data dir: --data, else the sandboxDir option (flag > env > config files), else the XDG default. Absolute. */
export async function sandboxDir(ctx: Pick<Ctx, 'config' | 'cwd' | 'env'>, data: string | undefined): Promise<string> {
  if (data === '') throw new UsageError('--sandbox-dir is empty', 'give a directory, e.g. --sandbox-dir ./.tacpay-sandbox');
  const v = ctx.config({ sandboxDir: data }).values.sandboxDir;
  if (v) return resolve(v.baseDir, v.value);
  const { defaultSandboxDir } = await import('../sandbox/runtime.js');
  return resolve(ctx.cwd, defaultSandboxDir(ctx.env));
}
