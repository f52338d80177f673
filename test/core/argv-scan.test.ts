import { describe, expect, it } from 'vitest';
import { beforeOperands, firstWord, hasFlag, optionValue } from '../../src/core/argv-scan.js';

describe('argv-scan: the command line read before commander', () => {
  it('counts only what comes before --', () => {
    expect(beforeOperands(['decode', '--json', '--', '--file', 'x'])).toEqual(['decode', '--json']);
    expect(hasFlag(['decode', '--', '--json'], '--json')).toBe(false);
    expect(hasFlag(['--json', 'decode'], '--json')).toBe(true);
    expect(optionValue(['decode', '--', '--file', 'x'], '--file')).toBeUndefined();
  });
  it('takes the last of an option given twice, in either spelling, as commander does', () => {
    expect(optionValue(['decode', '--file', 'a', '--file=b'], '--file')).toBe('b');
    expect(optionValue(['decode', '--file=a', '--file', 'b'], '--file')).toBe('b');
    expect(optionValue(['decode', '--file'], '--file')).toBeUndefined();
    expect(optionValue(['decode', '--files', 'a'], '--file')).toBeUndefined();
  });
  it('finds the first word, skipping the values of valued options', () => {
    const valued = new Set(['--profile']);
    expect(firstWord(['--profile', 'decode', 'sign'], valued)).toBe('sign');
    expect(firstWord(['-v', '--json'], valued)).toBeUndefined();
    expect(firstWord(['--', 'decode'], valued)).toBeUndefined();
  });
});
