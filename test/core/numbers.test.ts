import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thousands } from '../../src/core/numbers.js';

describe('thousands', () => {
  it('writes integers as toLocaleString("en-US") does', () => {
    for (const n of [0, 7, 999, 1000, 65536, 1000000, -1, -1234567]) expect(thousands(n)).toBe(n.toLocaleString('en-US'));
    fc.assert(fc.property(fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (n) => thousands(n) === n.toLocaleString('en-US')));
  });

  it('drops a fraction instead of rounding it, and leaves non-finite numbers as they are', () => {
    expect(thousands(1234.9)).toBe('1,234');
    expect(thousands(-0.5)).toBe('0');
    expect(thousands(Number.NaN)).toBe('NaN');
  });
});
