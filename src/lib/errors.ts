/**
 * The library's errors: subclasses of the project's taxonomy (src/errors.ts), so `instanceof
 * TacpayError` holds for both, with fields a library caller branches on (`code`, `ret`).
 */
import { ApiError, TacpayError } from '../errors.js';

/**
 * A caller's mistake (a key that cannot be read, input that is not a pay_info): `code` is stable, `hint` says what to do.
 * @example try { decodePayInfo('') } catch (e) { if (e instanceof TacpayLibError) console.error(e.message, e.hint) }
 */
export class TacpayLibError extends TacpayError {
  constructor(message: string, code: string, hint?: string) {
    super(message, hint, code);
    this.name = 'TacpayLibError';
  }
}

/**
 * The order API answered with a non-zero ret: an answer, not a transport failure. `body` is the whole parsed answer.
 * @example catch (e) { if (e instanceof OpenMidasApiError && e.ret === 1005) useNewOutTradeNo() }
 */
export class OpenMidasApiError extends ApiError {
  constructor(
    readonly api: string,
    readonly ret: number,
    readonly msg: string,
    readonly body: Record<string, unknown>,
  ) {
    super(`${api} failed: ret ${ret}${msg ? `, ${msg}` : ''}`, undefined, { ret, msg });
    this.name = 'OpenMidasApiError';
  }
}
