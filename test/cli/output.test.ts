import { describe, expect, it } from 'vitest';
import { colorLevel, makeColor } from '../../src/cli/output.js';
import { inert } from '../../src/core/inert.js';

describe('colour decision', () => {
  it('is on only for a TTY', () => {
    expect(colorLevel({}, true, {})).toBeGreaterThan(0);
    expect(colorLevel({}, false, {})).toBe(0);
  });
  it('honours NO_COLOR (non-empty) even on a TTY', () => {
    expect(colorLevel({ NO_COLOR: '1' }, true, {})).toBe(0);
    expect(colorLevel({ NO_COLOR: '' }, true, {})).toBeGreaterThan(0);
  });
  it('lets FORCE_COLOR win over a pipe, but never over NO_COLOR, --json or --no-color', () => {
    expect(colorLevel({ FORCE_COLOR: '1', NO_COLOR: '1' }, false, {})).toBe(0);
    expect(colorLevel({ FORCE_COLOR: '1', NO_COLOR: '1' }, true, {})).toBe(0);
    expect(colorLevel({ FORCE_COLOR: '1', NO_COLOR: '' }, false, {})).toBe(1);
    expect(colorLevel({ FORCE_COLOR: '1' }, false, {})).toBe(1);
    expect(colorLevel({ FORCE_COLOR: '0' }, true, {})).toBe(0);
    expect(colorLevel({ FORCE_COLOR: '3' }, false, { json: true })).toBe(0);
    expect(colorLevel({ FORCE_COLOR: '3' }, true, { color: false })).toBe(0);
  });
  it('treats TERM=dumb as no colour', () => {
    expect(colorLevel({ TERM: 'dumb' }, true, {})).toBe(0);
  });
  it('level 0 is a chalk-compatible no-op that still chains', async () => {
    const c = await makeColor(0);
    expect(c.bold.red('a', 'b')).toBe('a b');
    const on = await makeColor(1);
    expect(on.red('x')).toBe('\u001b[31mx\u001b[39m');
  });
});

describe('inert()', () => {
  it('makes terminal escapes and bidi overrides visible instead of acting on them', () => {
    expect(inert('a\u001b[31mb')).toBe('a\\x1b[31mb');
    expect(inert('x\u202ey')).toBe('x\\u202ey');
    expect(inert('line1\nline2')).toBe('line1\nline2');
    expect(inert('line1\nline2', { singleLine: true })).toBe('line1\\x0aline2');
  });
});
