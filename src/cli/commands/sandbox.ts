/** Placeholder: `tacpay sandbox` is being built. */
import type { Command } from 'commander';
import type { App } from '../kit.js';

export function registerSandbox(_program: Command, _app: App): void {}
