/** Every command's register function, in help order. */
import type { Command } from 'commander';
import type { App } from '../kit.js';
import { registerCompletion } from './completion.js';

export function registerAll(program: Command, app: App): void {
  registerCompletion(program, app);
}
