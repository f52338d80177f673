/** Shared result shape of the pure core: a value (when one could be produced) plus the issues found. */

export type Severity = 'error' | 'warning' | 'info';

/** One finding. `code` is stable (scripts match on it); `message` is for people. */
export interface Issue {
  code: string;
  severity: Severity;
  message: string;
  hint?: string;
  /** The field or part the issue is about, e.g. `data.user_id` or `sign`. */
  path?: string;
}

export interface Result<T> {
  value: T | undefined;
  issues: Issue[];
}

export function issue(code: string, severity: Severity, message: string, extra: { hint?: string; path?: string } = {}): Issue {
  return { code, severity, message, ...extra };
}

/** True when no issue has severity `error`. */
export function isOk(issues: readonly Issue[]): boolean {
  return !issues.some((i) => i.severity === 'error');
}
