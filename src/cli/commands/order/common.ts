/**
 * What the order and refund command files share at registration: the target flags and amounts.
 * Light on purpose (command files load at start-up); the call path is in order/call.ts.
 */
import { Option, type Command } from 'commander';
import { configOption } from '../../flags.js';
import type { TargetFlags } from '../../order-target.js';

export interface TargetOptions {
  env?: string;
  baseUrl?: string;
  offerId?: string;
  offerKey?: string;
  privateKey?: string;
  platformPublicKey?: string;
  tsMode?: string;
  sandboxDir?: string;
  wire?: 'post-query' | 'get-query' | 'post-form';
  timeout?: string;
  retries?: string;
}

/** Adds the flags every API command takes; the config-backed ones spelled from the option table (config/options.ts). */
export function addTargetOptions(cmd: Command): Command {
  configOption(cmd, 'env', { description: 'sandbox (default) or production' });
  configOption(cmd, 'baseUrl', { description: 'order API base URL (http only for loopback)' });
  configOption(cmd, 'offerId', { description: 'offerId (TC + digits); with the sandbox, picks a sandbox merchant' });
  configOption(cmd, 'offerKey', { description: 'offerKey (prefer TACPAY_OFFER_KEY: command lines are visible to other users)' });
  configOption(cmd, 'privateKey', { placeholder: 'file|-', description: 'merchant RSA private key (file, - for stdin, or TACPAY_PRIVATE_KEY)' });
  configOption(cmd, 'platformPublicKey', { description: 'platform public key to verify the returned pay_info' });
  configOption(cmd, 'tsMode', { description: 'ts as epoch-28800 like the official examples, or the true epoch' });
  configOption(cmd, 'sandboxDir', { description: 'data dir of the built-in sandbox' });
  return cmd
    .addOption(new Option('--wire <form>', 'how parameters travel (spec §1.2)').choices(['post-query', 'get-query', 'post-form']).default('post-query'))
    .option('--timeout <ms>', 'total time per attempt', '15000')
    .option('--retries <n>', 'retries on network errors and 5xx (every order API call is safe to repeat)', '2');
}

/** The config-table subset of the options (flag > env > file precedence is the resolver's). */
export function targetFlags(o: TargetOptions): TargetFlags {
  return {
    env: o.env,
    baseUrl: o.baseUrl,
    offerId: o.offerId,
    offerKey: o.offerKey,
    privateKey: o.privateKey,
    platformPublicKey: o.platformPublicKey,
    tsMode: o.tsMode,
    sandboxDir: o.sandboxDir,
  };
}
