/**
 * What every part of the gather step shares: the project root and its confinement, the record of
 * files used, missing and skipped, and `load`, which reads one file safely (fsread.ts) and parses
 * it into a FileEntry without ever throwing for the file's contents.
 */
import { basename, isAbsolute, relative } from 'node:path';
import { walk } from './discover.js';
import { CAPS, readBounded, Refused, type Confinement } from './fsread.js';
import { Malformed } from './parsers/malformed.js';
import type { FileEntry, FileSource, Missing } from './types.js';

/** Paths given on the command line; each replaces discovery of that file. */
export interface ExplicitPaths {
  iosPlist?: string;
  pbxproj?: string;
  entitlements?: string;
  androidManifest?: string;
  gradle?: string;
  tacPlists?: string[];
  tacJsons?: string[];
}

export const TAC_PLIST = /^tac_services_configurations.*\.plist$/;
export const TAC_JSON = /^tac_service_configurations.*\.json$/;

export function readError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e instanceof Malformed) return e.message;
  if (e instanceof Refused) return e.reason;
  switch (e.code) {
    case 'ENOENT':
      return 'does not exist';
    case 'EISDIR':
      return 'is a directory, not a file';
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read: permission denied';
    case 'ELOOP':
      return 'is a symlink loop';
    default:
      return `cannot be read (${e.code ?? e.message})`;
  }
}

/** ASCII filename order (§4.4), then the path, so equal names still sort the same every time. */
export function byName(a: string, b: string): number {
  const x = basename(a);
  const y = basename(b);
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

export class GatherContext {
  readonly used: Array<FileEntry<unknown>> = [];
  readonly missing: Missing[] = [];
  readonly skipped: Array<{ path: string; reason: string }> = [];
  readonly notes: string[] = [];
  /** Files that ship with the app, for the secret scan (absolute), and which of them are TAC config files. */
  readonly shipped = new Set<string>();
  readonly tacConfigs = new Set<string>();

  constructor(
    readonly root: string,
    readonly confine: Confinement,
  ) {}

  /** A path as shown: relative to the project root when inside it. */
  show(abs: string): string {
    const rel = relative(this.root, abs);
    if (rel === '') return '.';
    return !rel.startsWith('..') && !isAbsolute(rel) ? rel.split('\\').join('/') : abs;
  }

  /** A glob under a directory, as shown: no prefix at the project root, `ios/` and so on below it. */
  under(dir: string, pattern: string): string {
    return this.show(dir) === '.' ? pattern : `${this.show(dir)}/${pattern}`;
  }

  /** Reads and parses one project file. Files named on the command line may lie outside the project. */
  async load<T>(role: string, abs: string, source: FileSource, parse: (bytes: Buffer) => { value: T; format: string }, cap: number = CAPS.config): Promise<FileEntry<T>> {
    const entry: FileEntry<T> = { role, path: this.show(abs), abs, source };
    let bytes: Buffer | undefined;
    try {
      bytes = await readBounded(abs, cap, source === 'flag' ? undefined : this.confine);
      const { value, format } = parse(bytes);
      entry.value = value;
      entry.format = format;
    } catch (err) {
      entry.error = readError(err);
      // A malformed plist still has a format: --fix must know never to touch a binary one.
      if (bytes && /^ios\./.test(role)) entry.format = bytes.subarray(0, 6).toString('latin1') === 'bplist' ? 'binary plist' : 'XML plist';
    }
    this.used.push(entry as FileEntry<unknown>);
    return entry;
  }

  /** Text of a helper file (Podfile, gradle.properties, ...), or undefined; unsafe files are noted. */
  async text(abs: string, cap: number = CAPS.config): Promise<string | undefined> {
    try {
      return (await readBounded(abs, cap, this.confine)).toString('utf8');
    } catch (err) {
      if (err instanceof Refused) this.skip(abs, err.reason);
      return undefined;
    }
  }

  /** Walks that stopped at their limit, as shown: the secret scan reports them. */
  readonly truncatedWalks: string[] = [];

  /** A bounded walk inside the project: symlinked start dirs are refused with a note, a hit limit is recorded. */
  async walk(dir: string, match: (name: string, path: string) => boolean, depth: number, opts: { limit?: number; skip?: (name: string) => boolean } = {}): Promise<string[]> {
    const stats = { entries: 0, truncated: false };
    const found = await walk(dir, match, depth, { ...opts, stats, confine: this.confine, onRefused: (d, reason) => this.skip(d, reason) });
    if (stats.truncated) this.truncatedWalks.push(`${this.show(dir)} (stopped at ${found.length} files)`);
    return found;
  }

  skip(abs: string, reason: string): void {
    const path = this.show(abs);
    if (!this.skipped.some((s) => s.path === path)) this.skipped.push({ path, reason });
  }
}
