/** `tacpay keys generate|inspect|match`: the RSA keys that sign order requests (spec §1.4). */
import type { Command } from 'commander';
import { examples, type App } from '../../kit.js';
import { registerKeysGenerate } from './generate.js';
import { registerKeysInspect } from './inspect.js';
import { registerKeysMatch } from './match.js';

export function registerKeys(program: Command, app: App): void {
  const keys = program.command('keys').description('generate, inspect and match the RSA keys that sign order requests');
  registerKeysGenerate(keys, app);
  registerKeysInspect(keys, app);
  registerKeysMatch(keys, app);
  examples(keys, [
    'tacpay keys generate --out merchant                a new RSA-2048 pair: merchant.key.pem, .key.b64, .pub.pem',
    'tacpay keys inspect merchant.key.b64               kind, size, fingerprint and public half of a key',
    'tacpay keys match merchant.key.pem merchant.pub.pem  do they form a pair?',
  ]);
}
