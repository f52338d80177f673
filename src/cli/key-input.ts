/**
 * Loading a key from a flag, an env var, a config value or an argument, deciding "inline key or
 * file path?" without ever echoing a secret. The old rule (a value that does not look like key text
 * is a path) turned every key it did not recognise (URL-safe Base64, `privateKey=MII...`, an
 * offerKey, a mangled PEM) into "file <the whole key> does not exist". Now:
 *
 * 1. `-` is stdin; text that is unmistakably a key (a PEM armor line, a line break, a long Base64
 *    blob) is read as a key.
 * 2. Anything else is looked up as a path first. An existing file is read; an existing directory or
 *    unreadable file is reported by name, since the name is then demonstrably a path.
 * 3. No file by that name: the value is parsed as key text, so forms parseKey can repair (URL-safe
 *    Base64, a `name=` prefix, quotes) are accepted, with a warning where one is due.
 * 4. Neither a file nor a key: the error describes the value through describeSecret (length,
 *    alphabet, PEM label, "no file by that name") and never holds the value. Only a value that is
 *    not a private key (a public key path) or that has the shape of a file name is named, as
 *    "file X does not exist" (see mayName).
 */
import { resolve } from 'node:path';
import type { Issue } from '../core/issues.js';
import type { KeyInfo, KeyKind } from '../core/keys.js';
import type { ConfigValue } from '../config/resolve.js';
import type { Ctx } from './context.js';
import { fileError, TacpayError } from '../errors.js';
import { inert } from '../core/inert.js';

export interface LoadedKey {
  key: KeyInfo;
  /** Every note parseKey made (info and warning; errors have become a thrown TacpayError). */
  issues: Issue[];
  /** How to name the input to a person: the path as given, `stdin`, or `inline key`. */
  source: string;
}

/** Key text rather than a path, judged from the text alone (no file system). */
export function looksLikeKeyText(value: string): boolean {
  if (/-----BEGIN|BEGIN [A-Z ]*(?:KEY|CERTIFICATE)/.test(value)) return true;
  // No path holds a line break, and none is kilobytes long.
  if (/[\r\n]/.test(value) || value.length > 4096) return true;
  return value.length > 80 && /^[A-Za-z0-9+/=\s"']+$/.test(value);
}

export type KeyValueForm = { form: 'stdin' } | { form: 'text' } | { form: 'file'; path: string } | { form: 'not-file'; path: string; file: 'missing' | 'directory' | 'not-regular' | 'unreadable'; code?: string };

/** Where a key value points: stdin, key text, an existing file, or something by that name that is no file. */
export async function classifyKeyValue(value: string, baseDir: string): Promise<KeyValueForm> {
  if (value === '-') return { form: 'stdin' };
  if (looksLikeKeyText(value)) return { form: 'text' };
  const path = resolve(baseDir, value);
  const { stat } = await import('node:fs/promises');
  try {
    const st = await stat(path);
    if (st.isDirectory()) return { form: 'not-file', path, file: 'directory' };
    // FIFOs and devices (/dev/stdin) are read as before: a user who names one means it.
    return { form: 'file', path };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG' || code === 'EINVAL') return { form: 'not-file', path, file: 'missing' };
    return { form: 'not-file', path, file: 'unreadable', ...(code ? { code } : {}) };
  }
}

/**
 * Whether a value that names no file may be echoed as "file X does not exist". A private key's
 * value never is. Otherwise only when it has the shape of a file name: a "." and no segment longer
 * than 24 characters, which no Base64 key, offerKey or PEM has (Base64 holds no ".", and a key's
 * Base64 runs are far longer between its "/" characters).
 */
export function mayName(value: string, want: KeyKind | 'any'): boolean {
  if (want === 'private') return false;
  if (want === 'public') return true;
  if (!value.includes('.') || /\s/.test(value) || value.length > 1024) return false;
  return value.split(/[/\\.]/).every((segment) => segment.length <= 24);
}

function originWords(spec: string | ConfigValue): string {
  return typeof spec === 'string' ? 'the argument' : spec.origin;
}

/** The one error for a key value that is neither a readable key nor a usable file: described, never quoted. */
export async function unusableKeyValue(what: string, spec: string | ConfigValue, form: Extract<KeyValueForm, { form: 'not-file' }>, parseIssue: Issue | undefined, opts: { origin?: boolean } = {}): Promise<TacpayError> {
  const value = typeof spec === 'string' ? spec : spec.value;
  const { describeSecret, KEY_FORMS } = await import('../core/secret-shape.js');
  const { shape, hint, kind } = describeSecret(value, { file: form.file });
  // parseKey's messages name no input bytes; they say more than the shape when the value was key text.
  const keyish = kind === 'base64' || kind === 'pem' || kind === 'pem-label-only' || kind === 'hex';
  const detail = keyish && parseIssue ? `; read as key text: ${parseIssue.message}` : '';
  const from = opts.origin === false ? '' : ` (from ${originWords(spec)})`;
  return new TacpayError(`${what}${from} is neither a readable key nor an existing file: ${shape}${detail}; expected ${KEY_FORMS}`, hint, 'key.unusable-value');
}

/**
 * Loads a key: `-` (stdin), inline key text, or a file path (relative to the config file that named
 * it). Warnings go to stderr; an unusable key (or the wrong kind) throws a TacpayError naming what
 * was given and what was expected, and holding none of a private key's value.
 */
export async function loadKeyWithNotes(ctx: Ctx, spec: string | ConfigValue, want: KeyKind | 'any', what: string): Promise<LoadedKey> {
  const value = typeof spec === 'string' ? spec : spec.value;
  const baseDir = typeof spec === 'string' ? ctx.cwd : spec.baseDir;
  const { parseKey } = await import('../core/keys.js');
  const input = await import('./input.js');
  const form = await classifyKeyValue(value, baseDir);
  let bytes: string | Buffer;
  let source: string;
  switch (form.form) {
    case 'stdin':
      bytes = await input.readStdin(ctx, what);
      source = 'stdin';
      break;
    case 'text':
      bytes = value;
      source = 'inline key';
      break;
    case 'file':
      // It exists, so the value is a path and may be named.
      bytes = await input.readUserFile(ctx, value, `${what} file`, baseDir);
      source = value;
      break;
    case 'not-file': {
      if (form.file !== 'missing') {
        // Something by that name exists: the value is a path, and its error names it as always.
        throw fileError({ code: form.file === 'directory' ? 'EISDIR' : form.code ?? 'EACCES', message: '' } as NodeJS.ErrnoException, inert(value, { singleLine: true }), `${what} file`);
      }
      const parsed = parseKey(value, want);
      if (parsed.value) {
        bytes = value;
        source = 'inline key';
        break;
      }
      if (mayName(value, want)) throw fileError({ code: 'ENOENT', message: '' } as NodeJS.ErrnoException, inert(value, { singleLine: true }), `${what} file`);
      throw await unusableKeyValue(what, spec, form, parsed.issues.find((i) => i.severity === 'error'));
    }
  }
  const label = source === 'stdin' ? `${what} from stdin` : source === 'inline key' ? `inline ${what}` : `${what} ${inert(source, { singleLine: true })}`;
  const parsed = parseKey(bytes, want);
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
