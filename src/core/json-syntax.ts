/**
 * Where and why a text is not JSON (RFC 8259), and how deep it nests, without quoting it. V8's
 * JSON.parse messages quote the text around the mistake ("Unexpected token 'r', "root:$6$..." is not
 * valid JSON"), so a file named by mistake (/etc/shadow as a scenario) had its first bytes printed.
 * This scanner says only the line, the column and the kind of mistake. It uses an explicit stack,
 * not recursion, so a hostile nesting depth costs nothing before it is refused.
 */

export interface JsonSyntaxError {
  /** 1-based line and column (columns count UTF-16 code units, as editors mostly do). */
  line: number;
  column: number;
  /** What is wrong, in words that never quote the text. */
  kind: string;
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** What kind of character sits at a position, without showing it. */
function found(c: number | undefined): string {
  if (c === undefined) return 'the end of the file';
  if (c === 0x27) return 'a single quote (JSON strings take double quotes)';
  if (c === 0x2f) return 'a slash (JSON has no comments)';
  if (c === 0xfeff) return 'a byte order mark';
  if (c === 0xfffd) return 'a byte that is not UTF-8';
  if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return 'a control character';
  if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) return 'a letter';
  if (c >= 0x30 && c <= 0x39) return 'a digit';
  if (c > 0x7f) return 'a non-ASCII character';
  return 'punctuation';
}

type Frame = 'object' | 'array';

/**
 * The first syntax error of `text`, or undefined when it is one valid JSON value nested at most
 * `maxDepth` deep (arrays and objects).
 */
export function jsonSyntaxError(text: string, maxDepth: number): JsonSyntaxError | undefined {
  let i = 0;
  const stack: Frame[] = [];
  const at = (pos: number, kind: string): JsonSyntaxError => {
    let line = 1;
    let lineStart = 0;
    for (let k = 0; k < pos && k < text.length; k++) {
      if (text.charCodeAt(k) === 0x0a) {
        line++;
        lineStart = k + 1;
      }
    }
    return { line, column: pos - lineStart + 1, kind };
  };
  const code = (): number | undefined => (i < text.length ? text.charCodeAt(i) : undefined);
  const skipWs = (): void => {
    while (i < text.length && WS.has(text.charCodeAt(i))) i++;
  };
  const expected = (what: string): JsonSyntaxError => at(i, `expected ${what}, found ${found(code())}`);

  /** A string at i (which is a double quote); leaves i after the closing quote. */
  const string = (): JsonSyntaxError | undefined => {
    const start = i;
    i++;
    for (;;) {
      if (i >= text.length) return at(start, 'a string that is never closed (a missing double quote)');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return undefined;
      }
      if (c < 0x20) return at(i, 'a control character (a raw line break or tab?) inside a string: write it as \\n or \\t');
      if (c === 0x5c) {
        const e = text.charCodeAt(i + 1);
        if (e === 0x75) {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return at(i, 'a \\u escape without four hex digits');
          i += 6;
        } else if ('"\\/bfnrt'.includes(text[i + 1] ?? 'x') && i + 1 < text.length) i += 2;
        else return at(i, 'an invalid escape in a string (valid: \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)');
      } else i++;
    }
  };

  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const LITERAL = /true|false|null/y;

  /** One value at i; containers push a frame and return with i after their opening bracket. */
  const value = (): JsonSyntaxError | undefined => {
    skipWs();
    const c = code();
    if (c === 0x22) return string();
    if (c === 0x7b || c === 0x5b) {
      if (stack.length >= maxDepth) return at(i, `nesting deeper than ${maxDepth} levels of objects and arrays`);
      stack.push(c === 0x7b ? 'object' : 'array');
      i++;
      return undefined;
    }
    if (c === 0x2d || (c !== undefined && c >= 0x30 && c <= 0x39)) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (!m || m[0] === '-') return at(i, 'an invalid number');
      i += m[0].length;
      const next = code();
      if (next !== undefined && (next === 0x2e || next === 0x65 || next === 0x45 || (next >= 0x30 && next <= 0x39))) return at(i, 'an invalid number (a leading zero, or a bad fraction or exponent)');
      return undefined;
    }
    LITERAL.lastIndex = i;
    const lit = LITERAL.exec(text);
    if (lit) {
      i += lit[0].length;
      return undefined;
    }
    return expected('a value (an object, array, string, number, true, false or null)');
  };

  skipWs();
  if (i >= text.length) return at(i, 'the file is empty: expected a JSON value');
  let err = value();
  if (err) return err;
  // After a value (or an opening bracket): close containers, or go on to the next member.
  let justOpened = stack.length > 0;
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    skipWs();
    const c = code();
    const close = top === 'object' ? 0x7d : 0x5d;
    if (c === close) {
      stack.pop();
      i++;
      justOpened = false;
      continue;
    }
    if (!justOpened) {
      if (c !== 0x2c) return expected(top === 'object' ? '"," or "}"' : '"," or "]"');
      i++;
      skipWs();
      if (code() === close) return at(i, `a trailing comma before "${top === 'object' ? '}' : ']'}"`);
    }
    if (top === 'object') {
      skipWs();
      if (code() !== 0x22) return expected('a property name in double quotes');
      err = string();
      if (err) return err;
      skipWs();
      if (code() !== 0x3a) return expected('":" after the property name');
      i++;
    }
    const depth = stack.length;
    err = value();
    if (err) return err;
    justOpened = stack.length > depth;
  }
  skipWs();
  if (i < text.length) return at(i, `more content after the JSON value (found ${found(code())})`);
  return undefined;
}
