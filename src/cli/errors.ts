/**
 * One error taxonomy, one exit point (cli/main.ts). Exit codes are a stable contract:
 * 0 ok, 1 failed or invalid, 2 usage error, 130 cancelled. Anything not a TacpayError is a bug.
 *
 * Where the line falls: a command line that cannot be run as given (a missing or malformed flag, a
 * path argument that does not exist) is a UsageError, exit 2. A well-formed command whose subject
 * is not there (an order, refund or merchant the sandbox or the API does not have) is a failure,
 * exit 1, with code "not_found": the same command may succeed tomorrow without being changed.
 */

export const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A user-actionable failure: one line of message, one line of hint, no stack. */
export class TacpayError extends Error {
  readonly exitCode: number = EXIT.failed;
  constructor(
    message: string,
    readonly hint?: string,
    readonly code: string = 'failed',
  ) {
    super(message);
    this.name = 'TacpayError';
  }
}

/** The command line itself is wrong: exit 2. */
export class UsageError extends TacpayError {
  override readonly exitCode = EXIT.usage;
  constructor(message: string, hint?: string) {
    super(message, hint, 'usage');
    this.name = 'UsageError';
  }
}

/** The order API (or the sandbox) answered with a failure. Carries no secrets by construction. */
export class ApiError extends TacpayError {
  constructor(
    message: string,
    hint: string | undefined,
    readonly details: { status?: number; ret?: number; msg?: string; requestId?: string; outTradeNo?: string },
  ) {
    super(message, hint, 'api');
    this.name = 'ApiError';
  }
}

/** The user cancelled (Ctrl-C at a prompt): exit 130. */
export class Cancelled extends TacpayError {
  override readonly exitCode = EXIT.cancelled;
  constructor(message = 'cancelled') {
    super(message, undefined, 'cancelled');
    this.name = 'Cancelled';
  }
}
