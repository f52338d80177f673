/**
 * A failure below the CLI that is the user's situation, not a bug (a damaged or read-only sandbox
 * store, say): the CLI prints its message and hint as one line each and exits 1, with no stack.
 * Marked by a registered symbol rather than a class: the CLI and the sandbox are separate bundles,
 * each with its own copy of this module, so `instanceof` could not recognise the other's errors.
 */
const MARK = Symbol.for('tacpay.expected-error');

export class ExpectedError extends Error {
  readonly [MARK] = true;
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ExpectedError';
  }
}

export function isExpectedError(err: unknown): err is { message: string; hint?: string } {
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[MARK] === true;
}
