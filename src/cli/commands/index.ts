/** Every command's register function, in help order. */
import type { Command } from 'commander';
import { firstWord } from '../../core/argv-scan.js';
import type { App } from '../kit.js';
import { registerAccount } from './account/index.js';
import { registerCompletion } from './completion/index.js';
import { registerConfig } from './config/index.js';
import { registerDecode } from './decode/index.js';
import { registerDoctor } from './doctor/index.js';
import { registerKeys } from './keys/index.js';
import { registerListen } from './listen/index.js';
import { registerOrder } from './order/index.js';
import { registerRefund } from './refund/index.js';
import { registerSandbox } from './sandbox/index.js';
import { registerSign } from './sign/index.js';
import { registerSimulate } from './simulate/index.js';

const COMMANDS: ReadonlyArray<readonly [name: string, register: (program: Command, app: App) => void]> = [
  ['order', registerOrder],
  ['refund', registerRefund],
  ['account', registerAccount],
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
 * other command's options. Unknown commands (for suggestions) and completion (it walks the tree)
 * get them all. `shallow` is for a run that names no command (root help, --version, a bare
 * `tacpay`): it lists each command by name, arguments and options, and no noun's subcommands, so
 * their ~200 options are not built (~1.5 ms of a ~25 ms start); test/cli/program.test.ts holds the
 * root help to the same text as with everything registered.
 */
export function registerAll(program: Command, app: App, only?: string, shallow = false): void {
  const one = only !== undefined && only !== 'completion' ? COMMANDS.find(([name]) => name === only) : undefined;
  if (!shallow || one) {
    for (const [, register] of one ? [one] : COMMANDS) register(program, app);
    return;
  }
  const addCommand = program.command.bind(program) as (nameAndArgs: string) => Command;
  // An own property shadows Command.prototype.command while the nouns register; deleted after.
  (program as { command: unknown }).command = (nameAndArgs: string): Command => {
    const noun = addCommand(nameAndArgs);
    (noun as { command: unknown }).command = () => DISCARD;
    return noun;
  };
  try {
    for (const [, register] of COMMANDS) register(program, app);
  } finally {
    delete (program as { command?: unknown }).command;
  }
}

/**
 * Where a noun's subcommands go in a shallow registration: every property is a method that returns
 * DISCARD again, so the registration chains (`.command().description().option()...`) run through
 * and build nothing.
 */
const DISCARD: Command = new Proxy(function discard() {}, {
  get: (_target, key) => (key === 'then' ? undefined : key === Symbol.toPrimitive ? () => '' : DISCARD),
  apply: () => DISCARD,
}) as unknown as Command;

/** Global options that take a value: the token after them is not a command name. */
const VALUED = new Set(['--profile', '--config']);

/** The command a user's argv names (its first word that is not an option or an option's value), if any. */
export function commandNamed(argv: readonly string[]): string | undefined {
  return firstWord(argv, VALUED);
}
