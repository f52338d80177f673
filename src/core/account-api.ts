/**
 * The hosted-account (托管账户) APIs of spec §3.6, `POST /v1/r/{accountid}/{api}`: a per-user
 * balance kept by the platform, with its gifted part (`gen_balance`) and cumulative top-up
 * (`save_amt`). Account ids are the offerId with a suffix (`TC100008_005`). Shared by the sandbox
 * (which serves them) and the client (which calls them).
 */
import { checkParam } from './rules.js';
import { issue, type Issue } from './issues.js';
import type { Params } from './canonical.js';

export type AccountApi = 'get_balance' | 'pay' | 'cancel_pay' | 'present' | 'save';

export const ACCOUNT_APIS: Readonly<Record<AccountApi, { required: readonly string[] }>> = {
  get_balance: { required: ['user_id', 'ts', 'sign'] },
  pay: { required: ['user_id', 'amt', 'billno', 'ts', 'sign'] },
  cancel_pay: { required: ['user_id', 'billno', 'ts', 'sign'] },
  present: { required: ['user_id', 'amt', 'billno', 'ts', 'sign'] },
  save: { required: ['user_id', 'amt', 'billno', 'ts', 'sign'] },
};

/** `TC100008_005`: an offerId, an underscore, digits. */
export const ACCOUNT_ID = /^(TC\d+)_(\d+)$/;

export function isAccountApi(name: string): name is AccountApi {
  return Object.hasOwn(ACCOUNT_APIS, name);
}

/** Checks a hosted-account request's parameters; `sign` is checked by the caller. */
export function checkAccountRequest(api: AccountApi, params: Params): Issue[] {
  const out: Issue[] = [];
  for (const name of ACCOUNT_APIS[api].required) {
    if (name === 'sign' || name === 'ts') continue;
    const v = params[name];
    if (v === undefined || v === null || v === '') {
      out.push(issue(`${name}.missing`, 'error', `${name} is required for ${api}`, { path: name }));
      continue;
    }
    if (name === 'user_id') out.push(...checkParam('user_id', v));
    else if (name === 'amt') out.push(...checkParam('amount', v).map((i) => ({ ...i, message: i.message.replace(/^amount/, 'amt'), path: 'amt' })));
    else if (name === 'billno' && !/^[A-Za-z0-9_.-]{1,32}$/.test(String(v))) out.push(issue('billno.format', 'error', `billno ${JSON.stringify(String(v)).slice(0, 40)} must be 1–32 of letters, digits, _ . -`, { path: 'billno' }));
  }
  return out;
}
