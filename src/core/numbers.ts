/**
 * Integers with thousands separators ("1,000,000"), as `toLocaleString('en-US')` writes them. Why
 * not that: its first call loads ICU's locale data, ~20 ms of a batch run's start-up.
 */
export function thousands(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const digits = String(Math.abs(Math.trunc(n)));
  let out = '';
  for (let end = digits.length; end > 0; end -= 3) out = digits.slice(Math.max(0, end - 3), end) + (out ? ',' + out : '');
  return (n < 0 && Math.trunc(n) !== 0 ? '-' : '') + out;
}
