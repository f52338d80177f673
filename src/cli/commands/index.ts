/** Every command's register function, in help order. */
import type { Command } from 'commander';
import type { App } from '../kit.js';
import { registerCompletion } from './completion.js';
import { registerConfig } from './config.js';
import { registerDecode } from './decode.js';
import { registerKeys } from './keys.js';
import { registerSign } from './sign.js';

export function registerAll(program: Command, app: App): void {
  registerDecode(program, app);
  registerSign(program, app);
  registerKeys(program, app);
  registerConfig(program, app);
  registerCompletion(program, app);
}
