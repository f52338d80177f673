/**
 * Reading what the user points at: files, stdin (`-`), inline values, and keys. Errors are one line
 * with a remedy. Light to import: node:fs/promises and the key parser (node:crypto, ~10 ms of
 * start-up) are loaded inside the functions that read or parse, so a command file may import this.
 */
import { resolve } from 'node:path';
import type { Issue } from '../core/issues.js';
import type { KeyInfo, KeyKind } from '../core/keys.js';
import type { ConfigValue } from '../config/resolve.js';
import type { Ctx } from './context.js';
import { TacpayError, UsageError } from './errors.js';
import { inert } from './output.js';

/** Largest stdin or file input read whole (10 MiB lines are legal input to judge; 64 MiB is not). */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** Reads all of stdin as bytes. */
export async function readStdin(ctx: Ctx, what: string): Promise<Buffer> {
  if (ctx.tty.stdin) ctx.note(`reading ${what} from stdin (end with Ctrl-D)`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.stdin) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += b.length;
    if (size > MAX_INPUT_BYTES) throw new TacpayError(`${what} on stdin is larger than ${MAX_INPUT_BYTES / 1048576} MiB`, 'give a smaller input, or use --file for batches');
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/** Reads a file the user named; the error names the file and the problem. */
export async function readUserFile(ctx: Ctx, path: string, what: string, baseDir = ctx.cwd): Promise<Buffer> {
  const full = resolve(baseDir, path);
  const { readFile } = await import('node:fs/promises');
  try {
    return await readFile(full);
  } catch (err) {
    throw fileError(err as NodeJS.ErrnoException, path, what);
  }
}

/** Turns an fs error into a one-line TacpayError naming the file and what to do. */
export function fileError(err: NodeJS.ErrnoException, path: string, what: string): TacpayError {
  switch (err.code) {
    case 'ENOENT':
      return new TacpayError(`${what} ${path} does not exist`, 'check the path (relative paths start from the current directory)');
    case 'EISDIR':
      return new TacpayError(`${what} ${path} is a directory, not a file`, 'give the path of the file inside it');
    case 'EACCES':
    case 'EPERM':
      return new TacpayError(`${what} ${path} cannot be read: permission denied`, `check its permissions (ls -l ${path})`);
    default:
      return new TacpayError(`${what} ${path} cannot be read (${err.code ?? err.message})`, 'check the path and try again');
  }
}

/** Inline key text rather than a path: PEM, or a long Base64 blob (a pasted key must be read, not echoed back as "no such file"). */
export function isInlineKey(value: string): boolean {
  return value.includes('-----BEGIN') || (value.length > 80 && /^[A-Za-z0-9+/=\s"']+$/.test(value));
}

export interface LoadedKey {
  key: KeyInfo;
  /** Every note parseKey made (info and warning; errors have become a thrown TacpayError). */
  issues: Issue[];
  /** How to name the input to a person: the path as given, `stdin`, or `inline key`. */
  source: string;
}

/**
 * Loads a key from a flag or config value: `-` (stdin), inline key text, or a file path (relative
 * to the config file that named it). Warnings go to stderr; an unusable key (or the wrong kind)
 * throws a TacpayError naming what was given and what was expected.
 */
export async function loadKeyWithNotes(ctx: Ctx, spec: string | ConfigValue, want: KeyKind | 'any', what: string): Promise<LoadedKey> {
  const value = typeof spec === 'string' ? spec : spec.value;
  const baseDir = typeof spec === 'string' ? ctx.cwd : spec.baseDir;
  let input: string | Buffer;
  let source: string;
  if (value === '-') {
    input = await readStdin(ctx, what);
    source = 'stdin';
  } else if (isInlineKey(value)) {
    input = value;
    source = 'inline key';
  } else {
    input = await readUserFile(ctx, value, `${what} file`, baseDir);
    source = value;
  }
  const label = source === 'stdin' ? `${what} from stdin` : source === 'inline key' ? `inline ${what}` : `${what} ${inert(source, { singleLine: true })}`;
  const { parseKey } = await import('../core/keys.js');
  const parsed = parseKey(input, want);
  if (!parsed.value) {
    const first = parsed.issues.find((i) => i.severity === 'error');
    throw new TacpayError(`${label}: ${first?.message ?? 'not a usable key'}`, first?.hint, first?.code ?? 'key');
  }
  for (const i of parsed.issues) if (i.severity === 'warning') ctx.warn(`${label}: ${i.message}`);
  return { key: parsed.value, issues: parsed.issues, source };
}

/** loadKeyWithNotes for callers that need only the key. */
export async function loadKey(ctx: Ctx, spec: string | ConfigValue, want: KeyKind, what: string): Promise<KeyInfo> {
  return (await loadKeyWithNotes(ctx, spec, want, what)).key;
}

/** Only one of the stdin-consuming inputs may be `-` in one command. */
export function assertOneStdin(pairs: ReadonlyArray<readonly [string, string | undefined]>): void {
  const dashes = pairs.filter(([, v]) => v === '-').map(([n]) => n);
  if (dashes.length > 1) throw new UsageError(`only one input can come from stdin, but ${dashes.join(' and ')} are both -`, 'put all but one in files');
}
