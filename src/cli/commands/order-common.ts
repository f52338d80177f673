/**
 * What the order and refund command files share at registration: the target flags and amounts.
 * Light on purpose (command files load at start-up); the call path is in order-call.ts.
 */
import { Option, type Command } from 'commander';
import type { TargetFlags } from '../order-target.js';

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

/** Adds the flags every API command takes. */
export function addTargetOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--env <env>', 'sandbox (default) or production').choices(['sandbox', 'production']))
    .option('--base-url <url>', 'order API base URL (http only for loopback)')
    .option('--offer-id <id>', 'offerId (TC + digits); with the sandbox, picks a sandbox merchant')
    .option('--offer-key <key>', 'offerKey (prefer TACPAY_OFFER_KEY: command lines are visible to other users)')
    .option('--private-key <file|->', 'merchant RSA private key (file, - for stdin, or TACPAY_PRIVATE_KEY)')
    .option('--platform-public-key <file>', 'platform public key to verify the returned pay_info')
    .addOption(new Option('--ts-mode <mode>', 'ts as epoch-28800 like the official examples, or the true epoch').choices(['beijing-naive', 'epoch']))
    .option('--sandbox-dir <dir>', 'data dir of the built-in sandbox')
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
