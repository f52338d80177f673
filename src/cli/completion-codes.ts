/**
 * The completion tree flattened into the lookups the shell scripts make: per command its words, per
 * option and argument position a short code for what goes there. Codes: f file, d directory, s
 * scenario (built-in name or file), n free text (nothing offered), `v:a b c` these values; an
 * option's code starts with `?` when its value is optional.
 */
import type { CmdSpec, OptSpec } from './completion-tree.js';
import type { ValueSpec } from './completion-meta.js';

/** Only plain words reach a script: nothing a shell would expand or split, whatever the tree holds. */
const PLAIN = /^[\w.:@%+,/-]+$/;
const plain = (words: readonly string[]) => words.filter((w) => PLAIN.test(w));

export function valueCode(v: ValueSpec): string {
  switch (v.kind) {
    case 'file':
      return 'f';
    case 'dir':
      return 'd';
    case 'scenario':
      return 's';
    case 'values': {
      const words = plain(v.values);
      return words.length ? `v:${words.join(' ')}` : 'n';
    }
    default:
      return 'n';
  }
}

export interface NodeWords {
  path: string;
  subcommands: string[];
  /** What `-<TAB>` offers: the command's long options (a short one only where there is no long), then the global ones. */
  options: string[];
  /** Codes of the positional arguments, in order. */
  args: string[];
  variadic: boolean;
}

export interface Codes {
  nodes: NodeWords[];
  /** "path option" → code, for every option that takes a value; the root's keys have an empty path (" --config"). */
  options: Map<string, string>;
  scenarios: string[];
}

const offered = (opts: OptSpec[]) => opts.filter((o) => !o.hidden).map((o) => o.names.find((n) => n.startsWith('--')) ?? o.names[0]!);

export function codes(tree: CmdSpec[], scenarios: readonly string[]): Codes {
  const root = tree[0]!;
  // --version only works on the root; -h/--help is every command's own.
  const globals = offered(root.options.filter((o) => !o.names.includes('--version') && !o.names.includes('--help')));
  const nodes = tree.map((n) => ({
    path: n.path.join(' '),
    subcommands: plain(n.subcommands),
    options: plain([...new Set([...offered(n.options), ...(n.path.length ? globals : [])])]),
    args: n.args.map(valueCode),
    variadic: n.variadic,
  }));
  const options = new Map<string, string>();
  for (const n of tree) {
    for (const o of n.options) {
      if (!o.value) continue;
      const code = (o.optionalValue ? '?' : '') + valueCode(o.value);
      for (const name of plain(o.names)) options.set(`${n.path.join(' ')} ${name}`, code);
    }
  }
  return { nodes, options, scenarios: plain(scenarios) };
}

/** Keys grouped by the code they map to, so a script has one branch per code rather than per key. */
export function byCode(map: Map<string, string>): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const [key, code] of map) groups.set(code, [...(groups.get(code) ?? []), key]);
  return groups;
}

/** "path#index" (1-based) → code, for every positional argument. */
export function argKeys(nodes: NodeWords[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const n of nodes) n.args.forEach((code, i) => map.set(`${n.path}#${i + 1}`, code));
  return map;
}
