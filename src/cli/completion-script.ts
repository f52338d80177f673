/** The completion script for a shell, from the program's command tree (loaded only by `tacpay completion`). */
import type { Command } from 'commander';
import { listBuiltins } from '../flows/scenario-file.js';
import { codes } from './completion-codes.js';
import { fishScript } from './completion-fish.js';
import { bashScript, zshScript } from './completion-sh.js';
import { completionTree } from './completion-tree.js';
import { UsageError } from '../errors.js';

/** Scenario names are written into the script: TAB never starts tacpay (a Node start per keypress). */
export function completionScript(program: Command, shell: string): string {
  const data = codes(completionTree(program), listBuiltins().map((s) => s.name));
  if (shell === 'bash') return bashScript(data);
  if (shell === 'zsh') return zshScript(data);
  if (shell === 'fish') return fishScript(data);
  throw new UsageError(`unknown shell ${shell}`, 'use bash, zsh or fish');
}
