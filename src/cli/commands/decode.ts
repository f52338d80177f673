/** Placeholder: `tacpay decode` is being built. */
import type { Command } from 'commander';
import type { App } from '../kit.js';

export function registerDecode(_program: Command, _app: App): void {}
