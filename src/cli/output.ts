/** Output discipline: results on stdout, everything else on stderr; colour decided once; untrusted text made inert. */
import type { ChalkInstance } from 'chalk';

export interface OutStream {
  /** Batch output also writes bytes (UTF-8 records made by worker threads). */
  write(chunk: string | Uint8Array, done?: () => void): unknown;
  isTTY?: boolean;
  /** A terminal's width, for help text; undefined elsewhere. */
  readonly columns?: number | undefined;
  /** The Writable behind this stream, where it is not one itself (see fd-out.ts). */
  writableStream?(): NodeJS.WritableStream;
}

/** A real Writable for `out`, for libraries that pipe into one (the prompts). */
export function writableOf(out: OutStream): NodeJS.WritableStream {
  return out.writableStream?.() ?? (out as unknown as NodeJS.WritableStream);
}

/**
 * Colour level for one stream. --json and --no-color always win (machine output must stay clean);
 * then NO_COLOR (no-color.org: present and not empty), which also beats FORCE_COLOR: NO_COLOR is
 * the user's own standing choice, while FORCE_COLOR is often set for them by a CI runner or a tool
 * that wraps the terminal; then FORCE_COLOR (so `FORCE_COLOR=1 tacpay ... | less -R` works); then a
 * TTY that is not TERM=dumb. chalk's own detection ignores NO_COLOR.
 */
export function colorLevel(env: Readonly<Record<string, string | undefined>>, isTTY: boolean, flags: { json?: boolean; color?: boolean }): 0 | 1 | 2 | 3 {
  if (flags.json || flags.color === false) return 0;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    return force === '2' ? 2 : force === '3' ? 3 : 1;
  }
  if (!isTTY || env.TERM === 'dumb') return 0;
  return env.COLORTERM === 'truecolor' || env.COLORTERM === '24bit' ? 3 : 2;
}

/** Same API as chalk, no styling: what every colour call becomes at level 0. */
const plain: ChalkInstance = new Proxy(function () {}, {
  // `then` must be absent, or `await makeColor(0)` would treat this as a promise and never settle.
  get: (_t, prop) => (prop === 'level' ? 0 : prop === 'then' ? undefined : plain),
  apply: (_t, _this, args: unknown[]) => args.join(' '),
}) as unknown as ChalkInstance;

/**
 * A chalk instance with an explicit level (never the auto-detecting default export). chalk is only
 * loaded when colour is on: its terminal detection pulls in node:tty, which costs a plain
 * `tacpay decode ... | jq` about 20 ms of start-up for nothing.
 */
export async function makeColor(level: 0 | 1 | 2 | 3): Promise<ChalkInstance> {
  if (level === 0) return plain;
  const { Chalk } = await import('chalk');
  return new Chalk({ level });
}

/** Exactly one JSON document, newline-terminated. */
export function writeJson(out: OutStream, value: unknown): void {
  out.write(JSON.stringify(value, null, 2) + '\n');
}

/** Left-aligned two-column rows (label, value) for human output. */
export function rows(pairs: ReadonlyArray<readonly [string, string]>, indent = '  '): string {
  const width = Math.max(0, ...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${indent}${k.padEnd(width)}  ${v}`).join('\n') + (pairs.length ? '\n' : '');
}

/** Left-aligned columns with a header row; colour is applied after padding so widths stay right. */
export function table(headers: readonly string[], body: ReadonlyArray<readonly string[]>, style: (header: string) => string = (h) => h): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[], head = false): string =>
    cells
      .map((c, i) => {
        const padded = i === cells.length - 1 ? c : c.padEnd(widths[i]!);
        return head ? style(padded) : padded;
      })
      .join('  ')
      .trimEnd() + '\n';
  return line(headers, true) + body.map((r) => line(r)).join('');
}
