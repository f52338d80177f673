/** Every command's register function, in help order. */
import type { Command } from 'commander';
import type { App } from '../kit.js';
import { registerCompletion } from './completion.js';
import { registerConfig } from './config.js';
import { registerDecode } from './decode.js';
import { registerDoctor } from './doctor.js';
import { registerKeys } from './keys.js';
import { registerListen } from './listen.js';
import { registerOrder } from './order.js';
import { registerRefund } from './refund.js';
import { registerSandbox } from './sandbox.js';
import { registerSign } from './sign.js';
import { registerSimulate } from './simulate.js';

export function registerAll(program: Command, app: App): void {
  registerOrder(program, app);
  registerRefund(program, app);
  registerDecode(program, app);
  registerSign(program, app);
  registerKeys(program, app);
  registerSandbox(program, app);
  registerSimulate(program, app);
  registerListen(program, app);
  registerDoctor(program, app);
  registerConfig(program, app);
  registerCompletion(program, app);
}
