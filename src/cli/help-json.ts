/**
 * `--json` with `--help`, `--version` or a command group given no subcommand (`tacpay order --json`):
 * the help as one JSON document, so a script that always passes --json never has to parse text.
 * Built from commander's own Help model, so it lists exactly what the text help lists.
 */
import type { Command } from 'commander';
import { VERSION } from './version.js';

export interface HelpDoc {
  help: {
    command: string;
    usage: string;
    description: string;
    commands: Array<{ name: string; usage: string; description: string }>;
    options: Array<{ flags: string; description: string; choices?: readonly string[] }>;
  };
}

/** The deepest command that argv names (options and their values skipped as commander would not know them: any non-dash word that is a subcommand's name descends). */
export function commandFor(program: Command, argv: readonly string[]): Command {
  let cmd = program;
  for (const word of argv) {
    if (word === '--') break;
    if (word.startsWith('-')) continue;
    const sub = cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!sub) break;
    cmd = sub;
  }
  return cmd;
}

function pathOf(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

export function helpDocument(program: Command, argv: readonly string[]): HelpDoc {
  const cmd = commandFor(program, argv);
  const help = cmd.createHelp();
  return {
    help: {
      command: pathOf(cmd),
      usage: `${pathOf(cmd)} ${cmd.usage()}`.trim(),
      description: cmd.description(),
      commands: help.visibleCommands(cmd).map((c) => ({ name: c.name(), usage: help.subcommandTerm(c), description: c.description() })),
      options: help.visibleOptions(cmd).map((o) => ({ flags: o.flags, description: o.description, ...(o.argChoices ? { choices: o.argChoices } : {}) })),
    },
  };
}

export function versionDocument(): { name: string; version: string; node: string } {
  return { name: 'tacpay', version: VERSION, node: process.version };
}
