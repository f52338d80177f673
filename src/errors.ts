/**
 * One error taxonomy, below every layer that meets a user's mistake, so a flow or the sandbox can
 * raise one with its hint; cli/main.ts is the one place they become output and an exit code.
 * Exit codes are a stable contract (the table is EXIT in cli/errors.ts): 0 ok, 1 failed or invalid,
 * 2 usage error, 130 cancelled. Anything thrown that is not a TacpayError is a bug.
 *
 * Where the line falls: a command line that cannot be run as given (a missing or malformed flag, a
 * path argument that does not exist) is a UsageError, exit 2. A well-formed command whose subject
 * is not there (an order, refund or merchant the sandbox or the API does not have) is a failure,
 * exit 1, with code "not_found": the same command may succeed tomorrow without being changed.
 *
 * `instanceof` goes by a registered symbol, not by the prototype: main.cjs, sandbox.cjs and
 * doctor.cjs are separate bundles, each with its own copy of any module it includes, so an error made
 * by one copy of these classes must still be recognised by another.
 */
const MARK = Symbol.for('tacpay.error');

type Kind = 'failed' | 'usage' | 'api' | 'cancelled';

function markOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<symbol, unknown>)[MARK] : undefined;
}

/** A user-actionable failure: one line of message, one line of hint, no stack. */
export class TacpayError extends Error {
  /** The kind its instances carry; a class of its own elsewhere inherits its parent's. */
  protected static readonly [MARK]: Kind = 'failed';

  /** Any copy's TacpayError is a TacpayError here; a subclass matches only its own kind. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // A subclass made outside this file has no kind of its own: it is matched the ordinary way.
    if (!Object.hasOwn(this, MARK)) return Function.prototype[Symbol.hasInstance].call(this, value);
    const mark = markOf(value);
    return this === TacpayError ? typeof mark === 'string' : mark === (this as unknown as Record<symbol, unknown>)[MARK];
  }

  readonly [MARK]: Kind;
  readonly exitCode: number = 1;
  constructor(
    message: string,
    readonly hint?: string,
    readonly code: string = 'failed',
  ) {
    super(message);
    this.name = 'TacpayError';
    this[MARK] = (new.target as unknown as Record<symbol, Kind>)[MARK]!;
  }
}

/** The command line itself is wrong: exit 2. */
export class UsageError extends TacpayError {
  protected static override readonly [MARK]: Kind = 'usage';
  override readonly exitCode = 2;
  constructor(message: string, hint?: string) {
    super(message, hint, 'usage');
    this.name = 'UsageError';
  }
}

/** The order API (or the sandbox) answered with a failure. Carries no secrets by construction. */
export class ApiError extends TacpayError {
  protected static override readonly [MARK]: Kind = 'api';
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
  protected static override readonly [MARK]: Kind = 'cancelled';
  override readonly exitCode = 130;
  constructor(message = 'cancelled') {
    super(message, undefined, 'cancelled');
    this.name = 'Cancelled';
  }
}

/** Turns an fs error into a one-line TacpayError naming the file and what to do. */
export function fileError(err: NodeJS.ErrnoException, path: string, what: string): TacpayError {
  switch (err.code) {
    case 'ENOENT':
      return new TacpayError(`${what} ${path} does not exist`, 'check the path (relative paths start from the current directory)');
    case 'EISDIR':
      return new TacpayError(`${what} ${path} is a directory, not a file`, 'give the path of the file inside it');
    case 'EACCES':
    case 'EPERM':
      return new TacpayError(`${what} ${path} cannot be read: permission denied`, `check its permissions (ls -l ${path})`);
    default:
      return new TacpayError(`${what} ${path} cannot be read (${err.code ?? err.message})`, 'check the path and try again');
  }
}
