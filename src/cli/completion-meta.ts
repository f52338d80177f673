/**
 * What shell completion offers where a value goes, for the options and arguments whose definition
 * alone does not say. Everything else comes from the commander tree (completion-tree.ts): `.choices()`
 * gives the values, and a placeholder named <file>, <file|->, [path] or <dir> marks a file or a
 * directory. An entry here wins over both. Keys are "command path + option" ("sandbox keys --format")
 * or "command path + <argument>" ("keys match <private>"); test/cli/completion.test.ts fails on a key
 * that names nothing, so a renamed option cannot leave a dead entry behind.
 */
import { API_NAMES } from '../core/order-api.js';
import { KEY_SIZES } from './commands/keys/generate-options.js';

/** What goes at a value position. `free` completes nothing (any text the user types). */
export type ValueSpec =
  | { kind: 'file' }
  | { kind: 'dir' }
  | { kind: 'free' }
  | { kind: 'values'; values: readonly string[] }
  /** A built-in scenario name or a scenario file. */
  | { kind: 'scenario' };

export const FILE: ValueSpec = { kind: 'file' };
export const DIR: ValueSpec = { kind: 'dir' };
export const SCENARIO: ValueSpec = { kind: 'scenario' };
export const values = (...v: readonly (string | number)[]): ValueSpec => ({ kind: 'values', values: v.map(String) });

const KEY_BITS = values(...KEY_SIZES);

export const COMPLETION_META: Readonly<Record<string, ValueSpec>> = {
  'order create --channel': values('wechat', 'qqwallet'),
  'keys generate --bits': KEY_BITS,
  'keys generate --out': FILE,
  'keys match <private>': FILE,
  'keys match <public>': FILE,
  'sandbox keys --format': values('pem', 'base64'),
  'sandbox merchant add --bits': KEY_BITS,
  'sandbox log --api': values(...API_NAMES),
  'simulate result <result>': values('success', 'error', 'cancel', 'param-error', 'unknown'),
  'simulate notify --pay-channel': values('wechat', 'qqwallet', 'bank'),
  'simulate notify --pay-scene': values(1, 2, 3, 4, 5, 6),
  'simulate scenario <name|file>': SCENARIO,
};

/** A value placeholder's name (`<file|->` → file|-) that says what goes there, when no entry does. */
export function fromPlaceholder(name: string): ValueSpec {
  const first = name.split('|')[0];
  if (first === 'file' || first === 'path') return FILE;
  if (first === 'dir') return DIR;
  return { kind: 'free' };
}
