/** Every command's register function, in help order. */
import type { Command } from 'commander';
import type { App } from '../kit.js';
import { registerCompletion } from './completion.js';
import { registerConfig } from './config.js';
import { registerDecode } from './decode.js';
import { registerDoctor } from './doctor.js';
import { registerKeys } from './keys.js';
import { registerListen } from './listen.js';
import { registerOrder } from './order.js';
import { registerRefund } from './refund.js';
import { registerSandbox } from './sandbox.js';
import { registerSign } from './sign.js';
import { registerSimulate } from './simulate.js';

const COMMANDS: ReadonlyArray<readonly [name: string, register: (program: Command, app: App) => void]> = [
  ['order', registerOrder],
  ['refund', registerRefund],
  ['decode', registerDecode],
  ['sign', registerSign],
  ['keys', registerKeys],
  ['sandbox', registerSandbox],
  ['simulate', registerSimulate],
  ['listen', registerListen],
  ['doctor', registerDoctor],
  ['config', registerConfig],
  ['completion', registerCompletion],
];

/**
 * Registers every command, or with `only` just that one: a run of `tacpay decode ...` needs no
 * other command's options, and building them all is ~2-3 ms of a ~60 ms start. Root help,
 * unknown commands (for suggestions) and completion (it walks the tree) get them all.
 */
export function registerAll(program: Command, app: App, only?: string): void {
  const one = only !== undefined && only !== 'completion' ? COMMANDS.find(([name]) => name === only) : undefined;
  for (const [, register] of one ? [one] : COMMANDS) register(program, app);
}

/** Global options that take a value: the token after them is not a command name. */
const VALUED = new Set(['--profile', '--config']);

/** The command a user's argv names (its first word that is not an option or an option's value), if any. */
export function commandNamed(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return undefined;
    if (VALUED.has(a)) i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}
