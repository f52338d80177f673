/**
 * Reading a project tree that may be hostile: a cloned repository can hold a symlink to /dev/zero
 * named Info.plist, a FIFO under assets/, a 1.5 GB "asset", or an INFOPLIST_FILE that points at
 * ../../outside/Info.plist. Every file the doctor reads goes through `readBounded`: the path is
 * resolved (symlinks included) and must stay inside the project unless the user named it on the
 * command line; only a regular file is read (a FIFO is opened non-blocking, so it cannot hang the
 * run); its size is checked on the open descriptor before a byte is read, and the read itself
 * stops at the cap, so a file that grows while it is read cannot grow memory either.
 */
import { constants } from 'node:fs';
import { lstat, open, realpath } from 'node:fs/promises';
import { isAbsolute, relative, sep } from 'node:path';

/** A file the doctor will not read, and why (shown as a note, never thrown to the user). */
export class Refused extends Error {
  constructor(
    readonly reason: string,
    /** outside: leaves the project; special: not a regular file; size: over the cap. */
    readonly kind: 'outside' | 'special' | 'size' = 'outside',
  ) {
    super(reason);
    this.name = 'Refused';
  }
}

export interface Confinement {
  /** The project root with its own symlinks resolved; reads must stay below it. */
  realRoot: string;
  /** Project dirs derived from paths the user typed (--android-manifest /elsewhere/app/...), resolved. */
  extra?: string[];
}

/** Whether a resolved path may be read: below the root or a dir the user pointed at. */
export function allowed(confine: Confinement, real: string): boolean {
  return inside(confine.realRoot, real) || (confine.extra ?? []).some((d) => inside(d, real));
}

/** Widens the confinement to a project dir the user named on the command line. */
export async function allow(confine: Confinement, dir: string): Promise<void> {
  const real = await realpath(dir).catch(() => dir);
  if (!allowed(confine, real)) (confine.extra ??= []).push(real);
}

/** Resolves the project root once (a root that is itself a symlink is fine). */
export async function confinementOf(root: string): Promise<Confinement> {
  try {
    return { realRoot: await realpath(root) };
  } catch {
    return { realRoot: root };
  }
}

/** Whether `p` (already resolved) is the root or below it. */
export function inside(realRoot: string, p: string): boolean {
  const rel = relative(realRoot, p);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

const MB = 1024 * 1024;

function size(n: number): string {
  return n >= MB ? `${(n / MB).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
}

/**
 * The bytes of one regular file of at most `cap` bytes. `confine` (the project) is left out only
 * for paths the user typed on the command line. Throws Refused (with the reason) or the fs error.
 */
export async function readBounded(abs: string, cap: number, confine?: Confinement): Promise<Buffer> {
  let real: string;
  try {
    real = await realpath(abs);
  } catch (err) {
    // /dev/stdin of a piped process, a dangling link: say so instead of "does not exist".
    if ((await lstat(abs).catch(() => undefined))?.isSymbolicLink()) throw new Refused('a symlink that does not resolve to a file; not read', 'special');
    throw err;
  }
  if (confine && !allowed(confine, real)) {
    const linked = (await lstat(abs).catch(() => undefined))?.isSymbolicLink();
    throw new Refused(linked ? `links outside the project (to ${real}); not read` : `is outside the project (${real}); not read`);
  }
  // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
  // O_NOFOLLOW: the path was just resolved; a symlink swapped in since then is refused.
  const fh = await open(real, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOFOLLOW ?? 0));
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new Refused(`${st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device file' : st.isSocket() ? 'a socket' : 'not a regular file'}, not a regular file; not read`, 'special');
    if (st.size > cap) throw new Refused(`${size(st.size)}, over the ${size(cap)} limit for this kind of file; not read`, 'size');
    const buf = Buffer.allocUnsafe(Math.min(cap + 1, Math.max(st.size + 1, 4096)));
    let n = 0;
    for (;;) {
      if (n === buf.length) throw new Refused(`grew past the ${size(cap)} limit while being read; not read`, 'size');
      const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n > cap) throw new Refused(`grew past the ${size(cap)} limit while being read; not read`, 'size');
    }
    return buf.subarray(0, n);
  } finally {
    await fh.close();
  }
}

/** Caps by kind of file: project files are small; an Xcode project of a large app is not. */
export const CAPS = {
  pbxproj: 32 * MB,
  config: 4 * MB,
  log: 64 * MB,
  scan: 1 * MB,
  aar: 64 * MB,
} as const;
