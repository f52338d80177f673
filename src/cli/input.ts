/**
 * Reading what the user points at: files, stdin (`-`), inline values, and keys. Errors are one line
 * with a remedy. Light to import: node:fs/promises and the key parser (node:crypto, ~10 ms of
 * start-up) are loaded inside the functions that read or parse, so a command file may import this.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Ctx } from './context.js';
import { fileError, TacpayError, UsageError } from '../errors.js';

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

/** Inline key text rather than a path: PEM, or a long Base64 blob (a pasted key must be read, not echoed back as "no such file"). */
export function isInlineKey(value: string): boolean {
  return value.includes('-----BEGIN') || (value.length > 80 && /^[A-Za-z0-9+/=\s"']+$/.test(value));
}

/**
 * Whether a private-key option's value is (or may be) key text rather than a path: anything that
 * is not an existing file. key-input.ts loads URL-safe and prefixed keys that isInlineKey misses,
 * and those must be redacted and warned about as surely as a PEM.
 */
export function mayBeKeyText(value: string, cwd: string): boolean {
  if (isInlineKey(value)) return true;
  try {
    return !statSync(resolve(cwd, value)).isFile();
  } catch {
    return true;
  }
}

// Keys are loaded by key-input.ts (which uses this file's readers), deciding "path or key text?"
// without echoing a secret value.

/** Only one of the stdin-consuming inputs may be `-` in one command. */
export function assertOneStdin(pairs: ReadonlyArray<readonly [string, string | undefined]>): void {
  const dashes = pairs.filter(([, v]) => v === '-').map(([n]) => n);
  if (dashes.length > 1) throw new UsageError(`only one input can come from stdin, but ${dashes.join(' and ')} are both -`, 'put all but one in files');
}
