/** Placeholder: `tacpay sign` is being built. */
import type { Command } from 'commander';
import type { App } from '../kit.js';

export function registerSign(_program: Command, _app: App): void {}
