/** `tacpay order create | query | close`. */
import type { Command } from 'commander';
import { examples, type App } from '../../kit.js';
import { registerOrderCreate } from './create.js';
import { registerOrderLookups } from './lookup.js';

export function registerOrder(program: Command, app: App): void {
  const order = program.command('order').description('place, query and close orders (built-in sandbox unless credentials are configured)');
  examples(order, [
    'tacpay order create                                  # the built-in sandbox, no credentials needed',
    'tacpay order query --out-trade-no open_1764237000',
    'tacpay order close --out-trade-no open_1764237000',
  ]);
  registerOrderCreate(order, app);
  registerOrderLookups(order, app);
}
