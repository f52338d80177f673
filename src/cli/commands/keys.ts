/** Placeholder: `tacpay keys` is being built. */
import type { Command } from 'commander';
import type { App } from '../kit.js';

export function registerKeys(_program: Command, _app: App): void {}
