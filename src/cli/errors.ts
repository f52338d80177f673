/**
 * The exit codes, a stable contract: 0 ok, 1 failed or invalid, 2 usage error, 130 cancelled.
 * Only cli/main.ts sets the process's exit code; the error classes it maps live in src/errors.ts.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

