/** `tacpay order create | query | close`. */
import type { Command } from 'commander';
import type { App } from '../kit.js';
import { registerOrderCreate } from './order-create.js';
import { registerOrderLookups } from './order-lookup.js';

export function registerOrder(program: Command, app: App): void {
  const order = program.command('order').description('place, query and close orders (built-in sandbox unless credentials are configured)');
  registerOrderCreate(order, app);
  registerOrderLookups(order, app);
}
