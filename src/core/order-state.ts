/**
 * The order states of query_order (spec §3.2) as named values, and the rules the sandbox and the
 * commands apply to them. Before this file the numbers (`>= 2 && <= 4`, bare 3, 4, 6) were spelled
 * out wherever a state was tested.
 */

export const OrderState = {
  created: 0,
  launched: 1,
  /** Paid; the notification is being delivered. */
  paid: 2,
  /** Paid; the merchant's endpoint never acknowledged the notification. */
  deliveryFailed: 3,
  /** Paid; the merchant's endpoint acknowledged the notification. */
  delivered: 4,
  expiring: 5,
  /** The payment page expired, or the order was closed. */
  expired: 6,
} as const;

export type OrderStateValue = (typeof OrderState)[keyof typeof OrderState];

/** Paid, whatever became of the notification (2, 3 or 4): closing is refused, refunds are allowed. */
export function isPaidState(state: number): boolean {
  return state >= OrderState.paid && state <= OrderState.delivered;
}

/** The state an attempt's outcome puts a paid order in (3 from the first failed attempt, as the platform reports it). */
export function stateAfterAttempt(delivered: boolean): OrderStateValue {
  return delivered ? OrderState.delivered : OrderState.deliveryFailed;
}
