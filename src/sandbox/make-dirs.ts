/**
 * `mkdir -p` that always ends. Node's mkdirSync({ recursive: true }) loops for ever when a parent
 * exists but refuses children with ENOENT, as /proc does: `HOME=/proc/nonexistent tacpay order
 * create` hung in it. This walks the path once, top-down, creating what is missing, and turns every
 * refusal into an error that names the directory that could not be made.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export class MakeDirError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'MakeDirError';
  }
}

export function makeDirs(path: string, mode = 0o700): void {
  const missing: string[] = [];
  for (let p = resolve(path); ; p = dirname(p)) {
    let isDir: boolean | undefined;
    try {
      isDir = statSync(p).isDirectory();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new MakeDirError(`cannot use ${p}: ${(err as NodeJS.ErrnoException).code}`, (err as NodeJS.ErrnoException).code ?? 'EIO');
    }
    if (isDir === false) throw new MakeDirError(`cannot create ${path}: ${p} is not a directory`, 'ENOTDIR');
    if (isDir) break;
    missing.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const p of missing) {
    try {
      mkdirSync(p, { mode });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
      // Another process made it meanwhile: fine.
      if (code === 'EEXIST' && statSync(p).isDirectory()) continue;
      throw new MakeDirError(`cannot create ${p}: ${code === 'ENOENT' ? `${dirname(p)} does not accept new directories` : code}`, code);
    }
  }
}
