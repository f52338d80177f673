/**
 * What a sandbox order gets when the caller leaves a value out, in one place: `order create`, the
 * scenario runner and `simulate notify` (with no order) all fill from here, so a sandbox order looks
 * the same whichever command made it. And the one generator of merchant-side ids (out_trade_no,
 * refund_id, billno): a time prefix keeps them sortable, random bytes keep two in the same
 * millisecond apart, and 32 characters is the documented limit.
 */
/** The sandbox's default user: 5-255 letters and digits, as unified_order requires. */
export const SANDBOX_USER_ID = 'tacpayuser1';
export const SANDBOX_PRODUCT_ID = 'product_test';

/** Every required unified_order value a sandbox order may leave out (strings, as flags give them). */
export const SANDBOX_ORDER_DEFAULTS: Readonly<Record<string, string>> = {
  user_id: SANDBOX_USER_ID,
  product_id: SANDBOX_PRODUCT_ID,
  product_name: '金元宝',
  product_detail: 'tacpay sandbox order',
  amount: '1',
};

/** `prefix` + epoch ms + 8 hex digits, at most 32 characters. */
export function newOrderNo(prefix: string, now: Date): string {
  // Web Crypto's global, not node:crypto: importing that costs ~10 ms of start-up where this is reachable.
  const rand = Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(4))).toString('hex');
  return `${prefix}${now.getTime()}${rand}`.slice(0, 32);
}
