/** Placeholder: `tacpay refund` is being built. */
import type { Command } from 'commander';
import type { App } from '../kit.js';

export function registerRefund(_program: Command, _app: App): void {}
