/**
 * The hosted-account APIs as the sandbox serves them (spec §3.6). Decisions where the documents
 * are silent (README, decisions):
 * - `pay` spends the gifted part first: `used_gen_amt` is min(gen_balance, amt). The response
 *   field exists only if gifted money can be spent, and spending it first is what a balance with
 *   a gifted part means in every wallet product that has one.
 * - `billno` is the idempotency key per account id: the same call again answers as the first did;
 *   the same billno with another user, kind or amount is ret 1013.
 * - `cancel_pay` restores what the pay took, gifted part included; cancelling twice is a no-op.
 * - A balance too low for `pay` is ret 1012, and nothing changes.
 */
import { RET } from '../core/ret-codes.js';
import type { AccountApi } from '../core/account-api.js';
import { apiTime } from './clock.js';
import type { AccountRow, BillRow, Store } from './store.js';

type Reply = Record<string, unknown> & { ret: number; msg: string };

const fail = (ret: number, msg: string): Reply => ({ ret, msg });

function balances(a: AccountRow): { balance: number; gen_balance: number } {
  return { balance: a.balance, gen_balance: a.gen_balance };
}

/** Serves one hosted-account call, in one transaction. */
export function serveAccount(store: Store, api: AccountApi, accountId: string, p: Record<string, string>, now: Date): Reply {
  return store.tx(() => {
    const userId = p.user_id!;
    const account = store.account(accountId, userId);
    if (api === 'get_balance') return { ret: RET.ok, msg: 'ok', ...balances(account), save_amt: account.save_amt };
    const billno = p.billno!;
    const prior = store.bill(accountId, billno);
    if (api === 'cancel_pay') {
      if (!prior || prior.kind !== 'pay' || prior.user_id !== userId) return fail(RET.orderNotFound, `no pay with billno ${billno} for user_id ${userId} in account ${accountId}`);
      if (!prior.cancelled) {
        account.balance += prior.amt;
        account.gen_balance += prior.used_gen_amt;
        store.putAccount(account);
        store.cancelBill(accountId, billno);
      }
      return { ret: RET.ok, msg: prior.cancelled ? 'already cancelled' : 'ok', billno, ...balances(store.account(accountId, userId)) };
    }
    const amt = Number(p.amt);
    if (prior) {
      if (prior.user_id !== userId || prior.kind !== api || prior.amt !== amt) return fail(RET.billnoConflict, `billno ${billno} was used for a ${prior.kind} of ${prior.amt} by user_id ${prior.user_id}; use a new billno`);
      return { ret: RET.ok, msg: 'ok', billno, ...balances(account), ...(api === 'pay' ? { used_gen_amt: prior.used_gen_amt } : {}) };
    }
    const bill: BillRow = { account_id: accountId, billno, user_id: userId, kind: api, amt, used_gen_amt: 0, cancelled: 0, at: apiTime(now) };
    if (api === 'pay') {
      if (account.balance < amt) return fail(RET.insufficientBalance, `balance ${account.balance} of user_id ${userId} is less than amt ${amt}`);
      bill.used_gen_amt = Math.min(account.gen_balance, amt);
      account.balance -= amt;
      account.gen_balance -= bill.used_gen_amt;
    } else if (api === 'present') {
      account.balance += amt;
      account.gen_balance += amt;
    } else {
      account.balance += amt;
      account.save_amt += amt;
    }
    store.putAccount(account);
    store.insertBill(bill);
    return { ret: RET.ok, msg: 'ok', billno, ...balances(account), ...(api === 'pay' ? { used_gen_amt: bill.used_gen_amt } : {}) };
  });
}

/** A paid `unified_order` with type=save tops up the account it was placed on (the order's offerId or account id). */
export function creditSave(store: Store, accountId: string, userId: string, amount: number): void {
  const a = store.account(accountId, userId);
  a.balance += amount;
  a.save_amt += amount;
  store.putAccount(a);
}
