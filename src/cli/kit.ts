/** What command files use to plug into the program: the action wrapper and help helpers. */
import type { Command } from 'commander';
import { makeCtx, type BaseIo, type Ctx, type GlobalFlags } from './context.js';

export interface App {
  io: BaseIo;
  /** Exit code the last action asked for. */
  exitCode: number;
  /** With --json, commander's own help and version text is held back (main.ts prints JSON instead). */
  quietHelp?: boolean;
}

/** Wraps a command handler: builds the context from global flags, records the exit code it returns. */
export function action<O>(app: App, handler: (opts: O, ctx: Ctx, args: string[]) => Promise<number | void>) {
  return async (...params: unknown[]): Promise<void> => {
    const cmd = params[params.length - 1] as Command;
    const globals = cmd.optsWithGlobals() as GlobalFlags;
    const ctx = await makeCtx(app.io, globals);
    const code = await handler(cmd.opts() as O, ctx, cmd.args);
    app.exitCode = code ?? 0;
  };
}

/** Adds an "Examples:" block to a command's help. */
export function examples(cmd: Command, lines: readonly string[]): Command {
  return cmd.addHelpText('after', `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
}

