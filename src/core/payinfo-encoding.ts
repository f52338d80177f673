/**
 * The text-level pieces of pay_info decoding: strict percent-decoding that reports broken escapes
 * instead of throwing, copy-paste wrapping, comparison with encodeURIComponent (the documented
 * encoder, §2.1), and strict Base64. Pure; never throws.
 */

export interface BadEscape {
  /** Offset of the escape within the part. */
  offset: number;
  /** The offending escape text, e.g. `%E4%B8` or `%ZZ`. */
  seq: string;
  why: 'malformed' | 'invalid-utf8';
}

export interface Decoded {
  /** The decoded text; broken escapes are kept literally (malformed) or become U+FFFD (invalid UTF-8). */
  text: string;
  bad?: BadEscape;
}

/** decodeURIComponent semantics (`+` stays `+`), but a broken escape is reported, not thrown. */
export function percentDecode(raw: string): Decoded {
  if (raw.indexOf('%') === -1) return { text: raw };
  try {
    return { text: decodeURIComponent(raw) };
  } catch {
    return decodeSlowly(raw);
  }
}

const RUN_RE = /(?:%[0-9A-Fa-f]{2})+|%/g;

function decodeSlowly(raw: string): Decoded {
  let out = '';
  let last = 0;
  let bad: BadEscape | undefined;
  for (const m of raw.matchAll(RUN_RE)) {
    const at = m.index;
    out += raw.slice(last, at);
    last = at + m[0].length;
    if (m[0] === '%') {
      bad ??= { offset: at, seq: raw.slice(at, at + 3), why: 'malformed' };
      out += '%';
      continue;
    }
    const bytes = Buffer.from(m[0].replace(/%/g, ''), 'hex');
    if (!bad) {
      const invalid = firstInvalidUtf8(bytes);
      // Each byte is 3 characters (%XX) of the run: point at the bad sequence, not the whole run.
      if (invalid) bad = { offset: at + invalid.at * 3, seq: m[0].slice(invalid.at * 3, (invalid.at + invalid.length) * 3), why: 'invalid-utf8' };
    }
    out += bytes.toString('utf8');
  }
  out += raw.slice(last);
  return bad ? { text: out, bad } : { text: out };
}

/**
 * The first invalid UTF-8 sequence in `b` (its start and how many bytes belong to it), or undefined
 * when all of `b` is valid. Follows the WHATWG decoder: overlongs, surrogates and > U+10FFFF are invalid.
 */
export function firstInvalidUtf8(b: Uint8Array): { at: number; length: number } | undefined {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (need === 0) return { at: i, length: 1 };
    // The second byte's range depends on the lead byte (no overlongs, no surrogates, <= U+10FFFF).
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    let j = 1;
    for (; j <= need; j++) {
      const d = b[i + j];
      if (d === undefined || d < (j === 1 ? lo : 0x80) || d > (j === 1 ? hi : 0xbf)) return { at: i, length: j };
    }
    i += need + 1;
  }
  return undefined;
}

/** encodeURIComponent that cannot throw: lone surrogates (which it rejects) become U+FFFD first. */
export function safeEncode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return encodeURIComponent(text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
  }
}

// What encodeURIComponent leaves unescaped.
const UNRESERVED = /^[A-Za-z0-9\-_.!~*'()]$/;

/**
 * How a part differs from what encodeURIComponent makes of its decoded text, in words; undefined
 * when identical. A raw `+` is left out: it gets its own finding (form decoders read it as a space).
 */
export function encodingDifference(raw: string, decoded: string): string | undefined {
  if (safeEncode(decoded) === raw) return undefined;
  const found: string[] = [];
  const rawChars = new Set(raw.match(/[^A-Za-z0-9\-_.!~*'()%+]/gu) ?? []);
  if (rawChars.size) found.push(`unencoded ${[...rawChars].slice(0, 6).map((c) => JSON.stringify(c)).join(' ')}`);
  const lower = /%(?:[0-9a-f][a-f]|[a-f][0-9a-f])/.exec(raw);
  if (lower) found.push(`lowercase escapes (${lower[0]})`);
  const over = raw.match(/%[0-7][0-9A-Fa-f]/g)?.find((e) => UNRESERVED.test(String.fromCharCode(parseInt(e.slice(1), 16))));
  if (over) found.push(`needless escapes (${over})`);
  return found.length ? found.join('; ') : 'escapes differ from encodeURIComponent';
}

export interface Unwrapped {
  /** The text with copy-paste wrapping removed. */
  core: string;
  /** Words for what was removed, e.g. `leading "\"" and trailing "\"\n"`; undefined when nothing. */
  removed?: string;
}

// Characters encodeURIComponent never leaves raw, so at either end of a pay_info they are stray:
// whitespace (incl. BOM), double quotes, backticks, typographic quotes.
const ALWAYS_STRAY = /[\s"`\u201c\u201d\u2018\u2019\u00ab\u00bb]/;

/**
 * Strips copy-paste wrapping. A single quote is only stray at the end when one also opens the
 * text: encodeURIComponent leaves `'` raw, so a sign may legitimately end with one.
 */
export function unwrap(text: string): Unwrapped {
  let start = 0;
  while (start < text.length && (ALWAYS_STRAY.test(text[start]!) || text[start] === "'")) start++;
  const leadingSingle = text.slice(0, start).includes("'");
  let end = text.length;
  while (end > start && (ALWAYS_STRAY.test(text[end - 1]!) || (leadingSingle && text[end - 1] === "'"))) end--;
  if (start === 0 && end === text.length) return { core: text };
  const parts: string[] = [];
  if (start > 0) parts.push(`leading ${JSON.stringify(text.slice(0, start))}`);
  if (end < text.length) parts.push(`trailing ${JSON.stringify(text.slice(end))}`);
  return { core: text.slice(start, end), removed: parts.join(' and ') };
}

// The same rule as core/signature.ts isStrictBase64, repeated so parsing stays free of node:crypto
// (loading it costs start-up that `tacpay decode` without a key does not need), and written as
// length % 4 plus a flat character class: the grouped regex costs several µs per batch line.
const BASE64_CHARS_RE = /^[A-Za-z0-9+/]+={0,2}$/;

/** Strict standard Base64: `+/` alphabet, `=` padding to a multiple of 4, no whitespace. */
export function isStrictBase64(s: string): boolean {
  return s.length > 0 && s.length % 4 === 0 && BASE64_CHARS_RE.test(s);
}

/** What is wrong with a non-strict Base64 string, as a code suffix and words. */
export function base64Problem(s: string): { code: 'spaces' | 'url-safe' | 'whitespace' | 'bad-padding' | 'not-base64'; words: string } {
  if (s.includes(' ')) return { code: 'spaces', words: `holds ${count(s, ' ')} space(s), which Base64 never has` };
  if (/\s/.test(s)) return { code: 'whitespace', words: 'holds line breaks or tabs' };
  if (/^[A-Za-z0-9_-]+={0,2}$/.test(s) && /[_-]/.test(s)) return { code: 'url-safe', words: 'uses the URL-safe alphabet (- and _) instead of + and /' };
  if (/^[A-Za-z0-9+/]+=*$/.test(s)) return { code: 'bad-padding', words: `has ${s.length} characters with ${count(s, '=')} "=": the length or padding is wrong (cut short?)` };
  const bad = /[^A-Za-z0-9+/=]/u.exec(s)?.[0] ?? '=';
  return { code: 'not-base64', words: `holds ${JSON.stringify(bad)}, which is not a Base64 character` };
}

/** Bytes from Base64 however malformed (for diagnosis only: how long was the signature meant to be). */
export function lenientBase64Length(s: string): number {
  const clean = s.replace(/ /g, '+').replace(/-/g, '+').replace(/_/g, '/').replace(/[^A-Za-z0-9+/]/g, '');
  return Math.floor((clean.length * 3) / 4);
}

function count(s: string, c: string): number {
  let n = 0;
  for (let i = s.indexOf(c); i !== -1; i = s.indexOf(c, i + 1)) n++;
  return n;
}
