/**
 * The context every command receives instead of reaching for globals: streams and their TTY flags,
 * colour instances, environment, working directory, clock, configuration and prompts. Tests build
 * one with fake streams (test/helpers/ctx.ts); nothing in src/ branches on being under test.
 */
import type { ChalkInstance } from 'chalk';
import { ConfigFileError, resolveConfig, type ResolvedConfig } from '../config/resolve.js';
import type { ConfigKey } from '../config/options.js';
import type { FlowEnv } from '../flows/env.js';
import { TacpayError } from '../errors.js';
import { colorLevel, makeColor, type OutStream } from './output.js';

export interface InStream extends AsyncIterable<Buffer | string> {
  isTTY?: boolean;
}

/** What the process (or a test) provides. */
export interface BaseIo {
  stdout: OutStream;
  stderr: OutStream;
  stdin: InStream;
  /** Whether stdin is a terminal, when it can be known without creating `stdin` (costly for process.stdin). */
  readonly stdinIsTTY?: boolean;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  now?: () => Date;
  /**
   * Loads an ESM-only package (inquirer). bin/tacpay.js passes its own import(): the bundle runs
   * from a V8 code cache (vm.Script), where an import() inside the bundle has no loader on Node 20.
   */
  importModule?: (specifier: string) => Promise<unknown>;
}

/** Options every command accepts (defined on the root program). */
export interface GlobalFlags {
  json?: boolean;
  color?: boolean;
  verbose?: boolean;
  profile?: string;
  config?: string;
}

export interface Ctx {
  stdout: OutStream;
  stderr: OutStream;
  stdin: InStream;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  json: boolean;
  verbose: boolean;
  /** Colour for stdout text; level 0 (plain) unless allowed. */
  color: ChalkInstance;
  /** Colour for stderr text (warnings, progress). */
  colorErr: ChalkInstance;
  tty: { stdin: boolean; stdout: boolean; stderr: boolean };
  /** True when a person can answer a prompt: stdin and stderr are TTYs, not --json, not CI. */
  interactive: boolean;
  now(): Date;
  /** Loads an ESM-only package at run time (see BaseIo.importModule). */
  importModule(specifier: string): Promise<unknown>;
  /** Resolved configuration; `flags` are the command's own config flags (highest precedence). */
  config(flags?: Partial<Record<ConfigKey, string | undefined>>): ResolvedConfig;
  /** A warning line on stderr. */
  warn(message: string): void;
  /** A progress / status line on stderr (suppressed by nothing: stderr is not machine output). */
  note(message: string): void;
}

/** Builds the context for one command invocation. */
export async function makeCtx(io: BaseIo, flags: GlobalFlags): Promise<Ctx> {
  const tty = {
    // Evaluated on use: asking about stdin creates process.stdin, which costs start-up.
    get stdin(): boolean {
      return io.stdinIsTTY ?? Boolean(io.stdin.isTTY);
    },
    stdout: Boolean(io.stdout.isTTY),
    stderr: Boolean(io.stderr.isTTY),
  };
  const colorFlags = { json: Boolean(flags.json), ...(flags.color === false ? { color: false } : {}) };
  const color = await makeColor(colorLevel(io.env, tty.stdout, colorFlags));
  const colorErr = await makeColor(colorLevel(io.env, tty.stderr, { ...colorFlags, json: false }));
  const warned = new Set<string>();
  const ctx: Ctx = {
    stdout: io.stdout,
    stderr: io.stderr,
    // A getter, not a copy: reading io.stdin creates process.stdin (~5 ms), which only commands that read it should pay.
    get stdin() {
      return io.stdin;
    },
    env: io.env,
    cwd: io.cwd,
    json: Boolean(flags.json),
    verbose: Boolean(flags.verbose),
    color,
    colorErr,
    tty,
    get interactive() {
      return tty.stdin && tty.stderr && !flags.json && !io.env.CI;
    },
    now: io.now ?? (() => new Date()),
    importModule: io.importModule ?? ((specifier) => import(specifier)),
    config(cmdFlags = {}) {
      let resolved: ResolvedConfig;
      try {
        resolved = resolveConfig({
          flags: cmdFlags,
          env: io.env,
          cwd: io.cwd,
          ...(flags.config ? { configFile: flags.config } : {}),
          ...(flags.profile ? { profile: flags.profile } : {}),
        });
      } catch (err) {
        if (err instanceof ConfigFileError) throw new TacpayError(err.message, err.hint, 'config');
        throw err;
      }
      for (const w of resolved.warnings) ctx.warn(w);
      return resolved;
    },
    warn(message) {
      // The same warning once per run, however many times config is resolved.
      if (warned.has(message)) return;
      warned.add(message);
      io.stderr.write(`${colorErr.yellow('warning:')} ${message}\n`);
    },
    note(message) {
      io.stderr.write(`${colorErr.dim(message)}\n`);
    },
  };
  return ctx;
}

/**
 * The part of a Ctx a flow may use, with the command's abort signal. Named fields, not a spread: a
 * spread would read ctx.stdin, and creating process.stdin costs start-up and can hold the process open.
 */
export function flowEnvOf(ctx: Ctx, signal?: AbortSignal): FlowEnv {
  return {
    cwd: ctx.cwd,
    env: ctx.env,
    now: () => ctx.now(),
    note: (m) => ctx.note(m),
    warn: (m) => ctx.warn(m),
    config: (flags) => ctx.config(flags),
    ...(signal ? { signal } : {}),
  };
}
