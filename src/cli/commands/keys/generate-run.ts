/**
 * `tacpay keys generate`: a new RSA key pair in the three forms a merchant needs. Files are created
 * with their final mode (never chmod afterwards, so a private key is not world-readable even for a
 * moment), written to a temporary name, synced, and only then linked or renamed into place: a crash
 * leaves either no key file or a whole one, never half a key.
 */
import { generateKeyPair, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, link, lstat, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { fingerprintOf, privateBase64 } from '../../../core/keys.js';
import type { Ctx } from '../../context.js';
import { fileError, TacpayError, UsageError } from '../../../errors.js';
import { rows } from '../../output.js';
import { inert } from '../../../core/inert.js';
import { DEFAULT_PREFIX, parseBits, type GenerateOptions } from './generate-options.js';

export interface GeneratedFile {
  /** Absolute path. */
  path: string;
  kind: 'private' | 'public';
  format: 'pkcs8-pem' | 'pkcs8-der-base64' | 'spki-pem';
  /** Octal permission bits of the file as written, e.g. `0600`. */
  mode: string;
}

export interface GenerateResult {
  bits: number;
  fingerprint: string;
  files: GeneratedFile[];
}

interface Target {
  path: string;
  kind: GeneratedFile['kind'];
  format: GeneratedFile['format'];
  mode: number;
  data: string;
}

const isNotFound = (err: unknown): boolean => (err as NodeJS.ErrnoException).code === 'ENOENT';

/** The path prefix the three files share: `--out` resolved; a directory gets the default name inside it. */
async function prefixFor(ctx: Ctx, out: string | undefined): Promise<string> {
  if (out === '') throw new UsageError('--out is empty', `give a path prefix, e.g. --out keys/${DEFAULT_PREFIX}`);
  const given = out ?? DEFAULT_PREFIX;
  // `--out merchant.key.pem` means the prefix `merchant`, not `merchant.key.pem.key.pem`.
  let prefix = resolve(ctx.cwd, given.replace(/\.(?:key\.pem|key\.b64|pub\.pem)$/, ''));
  const dirGiven = given.endsWith('/') || given.endsWith(sep) || (await stat(prefix).then((s) => s.isDirectory(), () => false));
  if (dirGiven) prefix = join(prefix, DEFAULT_PREFIX);
  const dir = dirname(prefix);
  try {
    if (!(await stat(dir)).isDirectory()) throw new TacpayError(`${dir} is not a directory`, 'give --out a prefix inside an existing directory');
    // Fail before spending seconds on a 4096-bit key that could not be saved.
    await access(dir, constants.W_OK).catch(() => {
      throw new TacpayError(`directory ${dir} is not writable; nothing was written`, 'choose another --out, or fix its permissions');
    });
  } catch (err) {
    if (err instanceof TacpayError) throw err;
    if (isNotFound(err)) throw new TacpayError(`directory ${dir} does not exist`, `create it first (mkdir -p ${dir}) or choose another --out`);
    throw fileError(err as NodeJS.ErrnoException, dir, 'directory');
  }
  return prefix;
}

/** The targets that exist already (files, directories, even dangling symlinks), and whether each is a directory. */
async function existing(paths: readonly string[]): Promise<Array<{ path: string; isDir: boolean }>> {
  const found: Array<{ path: string; isDir: boolean }> = [];
  for (const path of paths) {
    try {
      found.push({ path, isDir: (await lstat(path)).isDirectory() });
    } catch (err) {
      if (!isNotFound(err)) throw fileError(err as NodeJS.ErrnoException, path, 'file');
    }
  }
  return found;
}

/** Writes `data` to a new temporary file beside `path`, created with `mode`, synced to disk. */
async function writeTemp(path: string, data: string, mode: number): Promise<string> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  // 'wx': fail rather than follow a symlink or reuse a file someone planted at the temporary name.
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await fh.close();
  return tmp;
}

/**
 * Moves a finished temp file to its name. Without --force a hard link is the atomic "create only if
 * absent" (a file that appeared since the check is never replaced); filesystems without hard links
 * fall back to re-checking and renaming.
 */
async function commit(tmp: string, path: string, force: boolean): Promise<void> {
  if (force) return rename(tmp, path);
  const appeared = (): TacpayError => new TacpayError(`${path} appeared while the keys were being written; nothing was replaced`, 'run again, or pass --force to replace it');
  try {
    await link(tmp, path);
    await unlink(tmp);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw appeared();
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV'].includes(code ?? '')) throw err;
    if ((await existing([path])).length) throw appeared();
    await rename(tmp, path);
  }
}

/** Generates the pair and writes the three files; refuses to replace anything without --force. */
export async function runGenerate(opts: GenerateOptions, ctx: Ctx): Promise<GenerateResult> {
  const bits = parseBits(opts.bits);
  const force = Boolean(opts.force);
  const prefix = await prefixFor(ctx, opts.out);
  const paths = { pem: `${prefix}.key.pem`, b64: `${prefix}.key.b64`, pub: `${prefix}.pub.pem` };

  // Check every target before generating or writing anything: all three files or none.
  const clash = await existing(Object.values(paths));
  if (clash.length && !force) {
    const shown = clash.map((c) => shortPath(ctx, c.path)).join(', ');
    throw new TacpayError(`${shown} already ${clash.length === 1 ? 'exists' : 'exist'}; nothing was written`, 'pass --force to replace (the old private key is then lost), or choose another --out prefix');
  }
  const dir = clash.find((c) => c.isDir);
  if (dir) throw new TacpayError(`${shortPath(ctx, dir.path)} is a directory; --force replaces files only`, 'choose another --out prefix');

  if (bits < 2048) ctx.warn(`${bits}-bit RSA is weak (factorable today); the official Android demo still uses 512 bits, so use it only where a setup demands it`);
  if (bits >= 3072 && ctx.tty.stderr) ctx.note(`generating an RSA-${bits} key pair (a few seconds)…`);
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', { modulusLength: bits, publicExponent: 0x10001 });

  const targets: Target[] = [
    { path: paths.pem, kind: 'private', format: 'pkcs8-pem', mode: 0o600, data: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
    // No trailing newline: the file is byte for byte the value a config or Java's Base64.decode takes.
    { path: paths.b64, kind: 'private', format: 'pkcs8-der-base64', mode: 0o600, data: privateBase64(privateKey) },
    { path: paths.pub, kind: 'public', format: 'spki-pem', mode: 0o644, data: publicKey.export({ type: 'spki', format: 'pem' }).toString() },
  ];

  const temps: string[] = [];
  const committed: string[] = [];
  try {
    for (const t of targets) temps.push(await writeTemp(t.path, t.data, t.mode));
    for (const [i, t] of targets.entries()) {
      await commit(temps[i]!, t.path, force);
      committed.push(t.path);
    }
  } catch (err) {
    await Promise.all(temps.map((t) => unlink(t).catch(() => {})));
    // Without --force every committed file is new and ours: take them back so no partial set remains.
    if (!force) await Promise.all(committed.map((p) => unlink(p).catch(() => {})));
    if (err instanceof TacpayError) throw err;
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new TacpayError(`cannot write the key files in ${shortPath(ctx, dirname(prefix))} (${why})${force ? '' : '; nothing was written'}`, 'check that the directory is writable and has space, or choose another --out');
  }
  await syncDir(dirname(prefix));

  const files: GeneratedFile[] = [];
  for (const t of targets) {
    const mode = (await stat(t.path)).mode & 0o777;
    files.push({ path: t.path, kind: t.kind, format: t.format, mode: mode.toString(8).padStart(4, '0') });
  }
  return { bits, fingerprint: fingerprintOf(publicKey), files };
}

/** Makes the renames durable; some filesystems cannot fsync a directory, which costs only durability. */
async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    await fh.sync().catch(() => {});
    await fh.close();
  } catch {
    /* best effort */
  }
}

/** A path as the user would type it: relative to the working directory when inside it. */
function shortPath(ctx: Ctx, p: string): string {
  const rel = relative(ctx.cwd, p);
  return inert(rel && !rel.startsWith('..') && !rel.startsWith(sep) ? rel : p, { singleLine: true });
}

const FORMAT_LABEL: Record<GeneratedFile['format'], string> = {
  'pkcs8-pem': 'PKCS#8 PEM',
  'pkcs8-der-base64': 'bare Base64 PKCS#8 (the form the documents print privateKey in)',
  'spki-pem': 'SPKI PEM',
};

/** Human form: the files with kind, format and mode; the fingerprint. Never any key material. */
export function renderGenerate(r: GenerateResult, ctx: Ctx): string {
  const c = ctx.color;
  const list = r.files.map((f): [string, string] => [shortPath(ctx, f.path), `${f.mode}  ${f.kind === 'private' ? c.yellow('private') : 'public '}  ${FORMAT_LABEL[f.format]}`]);
  return (
    `Generated an RSA-${r.bits} key pair\n` +
    rows([...list, ['fingerprint', c.cyan(r.fingerprint)]]) +
    c.dim('Keep the private files secret: they sign orders as you. The .pub.pem is safe to share.\n')
  );
}
