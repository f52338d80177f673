/** What `tacpay keys generate` (and `sandbox merchant add`) accept as a key size and an output prefix. */
import { UsageError } from '../../../errors.js';
import { inert } from '../../../core/inert.js';

/** Sizes offered: 512 and 1024 only because the official demo and older setups use them (spec §0, §1.4.2). */
export const KEY_SIZES = [512, 1024, 2048, 3072, 4096] as const;
export const DEFAULT_PREFIX = 'tacpay-merchant';

export interface GenerateOptions {
  bits?: string;
  out?: string;
  force?: boolean;
}

/** `--bits` as a number from KEY_SIZES, or a usage error. */
export function parseBits(value: string | undefined): number {
  const bits = Number(value ?? '2048');
  if (!/^\d+$/.test(value ?? '2048') || !(KEY_SIZES as readonly number[]).includes(bits)) {
    throw new UsageError(`--bits must be one of ${KEY_SIZES.join(', ')}, not "${inert(String(value), { singleLine: true })}"`, '2048 is the usual choice; the order API does not fix a size');
  }
  return bits;
}
