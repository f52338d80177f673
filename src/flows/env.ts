/**
 * What a flow may use of the world: the working directory, the environment, the clock, a place for
 * progress and warnings, the resolved configuration, and a signal that cancels it. The CLI's Ctx
 * satisfies it as it is; the library and tests build one with `flowEnv()`. A flow never touches
 * `process`, commander, chalk or prompts: those belong to whoever calls it.
 */
import type { ConfigKey } from '../config/options.js';
import { resolveConfig, type ResolvedConfig } from '../config/resolve.js';

export interface FlowEnv {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  now(): Date;
  /** A progress or status line for a person (the CLI writes it to stderr). */
  note(message: string): void;
  /** Something a person should know that does not stop the work. */
  warn(message: string): void;
  /** Resolved configuration: `flags` are the highest-precedence values (a command's own flags). */
  config(flags?: Partial<Record<ConfigKey, string | undefined>>): ResolvedConfig;
  /** Aborts the flow (Ctrl-C in the CLI, a test's timeout in the library). */
  readonly signal?: AbortSignal;
}

export interface FlowEnvInit {
  cwd?: string;
  env?: Readonly<Record<string, string | undefined>>;
  now?: () => Date;
  note?: (message: string) => void;
  warn?: (message: string) => void;
  signal?: AbortSignal;
  /** Read tacpay.config.json and TACPAY_* (default false: the library uses only what it is given). */
  useConfig?: boolean;
}

/** A FlowEnv for callers that are not the CLI: silent by default, and no configuration unless asked. */
export function flowEnv(init: FlowEnvInit = {}): FlowEnv {
  const cwd = init.cwd ?? process.cwd();
  const env = init.env ?? (init.useConfig ? process.env : {});
  return {
    cwd,
    env,
    now: init.now ?? (() => new Date()),
    note: init.note ?? (() => {}),
    warn: init.warn ?? (() => {}),
    config: (flags = {}) => resolveConfig({ flags, env: init.useConfig ? env : {}, cwd, noFiles: !init.useConfig }),
    ...(init.signal ? { signal: init.signal } : {}),
  };
}
