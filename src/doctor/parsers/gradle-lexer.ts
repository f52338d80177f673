/**
 * Gradle (Groovy and Kotlin DSL) scripts, lexically. No maintained JS parser exists for either; this
 * reader blanks comments and string contents first (so a commented-out `jcenter()` or a URL inside a
 * string cannot be mistaken for code); gradle.ts then reads statements from the code that remains.
 */
import { countAtMost } from '../lines.js';

export interface Blanked {
  /** The source with comments replaced by spaces (newlines kept): positions and lines unchanged. */
  code: string;
  /** String literals by start offset (contents without quotes). */
  strings: Map<number, string>;
  /** The offsets sorted, made on first use (stringsIn). */
  offsets?: number[];
}

export function blank(text: string): Blanked {
  const out = text.split('');
  const strings = new Map<number, string>();
  let i = 0;
  const n = text.length;
  const spaceOut = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  while (i < n) {
    const c = text[i]!;
    const d = text[i + 1];
    if (c === '/' && d === '/') {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? n : end;
      spaceOut(i, stop);
      i = stop;
    } else if (c === '/' && d === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? n : end + 2;
      spaceOut(i, stop);
      i = stop;
    } else if (c === '"' || c === "'") {
      const triple = text.startsWith(c.repeat(3), i);
      const q = triple ? c.repeat(3) : c;
      let j = i + q.length;
      while (j < n && !text.startsWith(q, j)) {
        if (text[j] === '\\') j++;
        else if (!triple && text[j] === '\n') break;
        j++;
      }
      strings.set(i, text.slice(i + q.length, Math.min(j, n)));
      i = Math.min(n, j + q.length);
    } else i++;
  }
  return { code: out.join(''), strings };
}

/** The string literal starting at or after `from` on the same statement (`"x"`, `'x'`, or `("x")`). */
export function stringAfter(b: Blanked, code: string, from: number): { value: string; at: number } | undefined {
  const m = /^\s*(?:[=:(]\s*)*(["'])/.exec(code.slice(from, from + 200));
  if (!m) return undefined;
  const at = from + m[0].length - 1;
  const value = b.strings.get(at);
  return value === undefined ? undefined : { value, at };
}

/** String literals whose start lies in (from, to), in order: a binary search over the sorted offsets, not a scan per call. */
export function stringsIn(b: Blanked, from: number, to: number): Array<[number, string]> {
  const at = (b.offsets ??= [...b.strings.keys()].sort((x, y) => x - y));
  const out: Array<[number, string]> = [];
  for (let i = countAtMost(at, from); i < at.length && at[i]! < to; i++) out.push([at[i]!, b.strings.get(at[i]!)!]);
  return out;
}

/** The end of the line holding `at` (the offset of its newline, or the end of the text). */
export function lineEnd(code: string, at: number): number {
  const eol = code.indexOf('\n', at);
  return eol === -1 ? code.length : eol;
}

/** The offset just past the `}` that closes the brace at `open` (or the end of the code). */
export function matchBrace(code: string, open: number): number {
  let depth = 0;
  for (let k = open; k < code.length; k++) {
    if (code[k] === '{') depth++;
    else if (code[k] === '}' && --depth === 0) return k + 1;
  }
  return code.length;
}
