/** Placeholder: `tacpay order` is being built. */
import type { Command } from 'commander';
import type { App } from '../kit.js';

export function registerOrder(_program: Command, _app: App): void {}
