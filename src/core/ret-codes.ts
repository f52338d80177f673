/**
 * The sandbox's `ret` codes (spec §7 D3). Production's codes are undocumented, so these are the
 * sandbox's own, each distinct so a test can tell the failures apart; every answer also carries a
 * `msg` that names the parameter and the rule. Numbers are stable: scripts may match on them.
 */

export const RET = {
  ok: 0,
  badSignature: 1001,
  unknownOffer: 1002,
  invalidParam: 1003,
  tsOutOfWindow: 1004,
  orderFinished: 1005,
  orderNotFound: 1006,
  refundExceedsPaid: 1007,
  refundIdConflict: 1008,
  orderNotPaid: 1009,
  outTradeNoConflict: 1010,
  unsupported: 1011,
  insufficientBalance: 1012,
  billnoConflict: 1013,
  internal: 1099,
} as const;

export type RetName = keyof typeof RET;
export type RetCode = (typeof RET)[RetName];

/** One line per code: what it means and what to do (README table and client hints). */
export const RET_INFO: Readonly<Record<RetCode, { meaning: string; hint: string }>> = {
  0: { meaning: 'success', hint: '' },
  1001: { meaning: 'bad or missing request signature', hint: 'check offerKey and the private key; run `tacpay sign --verify <sign> ...` to see the string-to-sign' },
  1002: { meaning: 'unknown offerId', hint: 'check offerId (TC + digits) and the environment; `tacpay sandbox merchant list` shows the sandbox merchants' },
  1003: { meaning: 'invalid parameter', hint: 'fix the parameter the message names and send again; the rules of every parameter are in docs/protocol.md §5.1' },
  1004: { meaning: 'ts outside the accepted window (±300 s)', hint: 'check the clock, or --ts-mode (beijing-naive sends epoch-28800, epoch the true epoch)' },
  1005: { meaning: 'order already paid or closed', hint: 'use a new out_trade_no for a new payment' },
  1006: { meaning: 'order not found', hint: 'check out_trade_no / transaction_id and the offerId' },
  1007: { meaning: 'refund exceeds the paid amount', hint: 'refunds of one order add up to at most its amount; `tacpay order query` shows what is refunded' },
  1008: { meaning: 'refund_id reused with different content', hint: 'a retry must send the same refund_id with the same order and amount; use a new refund_id for a new refund' },
  1009: { meaning: 'order not paid', hint: 'refund it once it is paid; in the sandbox, `tacpay sandbox pay <out_trade_no>` pays it' },
  1010: { meaning: 'out_trade_no reused with different content', hint: 'a retry must send the same parameters; use a new out_trade_no for a different order' },
  1011: { meaning: 'unsupported API or method', hint: 'the sandbox serves unified_order, query_order, close_order, refund, query_refund, and the hosted-account get_balance, pay, cancel_pay, present, save' },
  1012: { meaning: 'hosted account balance too low', hint: 'top the account up (unified_order type=save, paid; or save / present) before paying from it' },
  1013: { meaning: 'billno reused with different content', hint: 'a retry must send the same billno with the same user and amount; use a new billno for a new operation' },
  1099: { meaning: 'internal sandbox error', hint: 'see the sandbox log; this is a bug worth reporting' },
};

/** The hint for a ret code, or a generic one for codes outside the table (production). */
export function retHint(ret: number): string {
  return (RET_INFO as Record<number, { hint: string } | undefined>)[ret]?.hint || 'production ret codes are undocumented; msg is the best lead';
}
