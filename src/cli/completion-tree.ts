/** The command tree as shell completion needs it: per command, its subcommands, options and arguments, each value position with what goes there. */
import type { Argument, Command, Option } from 'commander';
import { COMPLETION_META, fromPlaceholder, type ValueSpec } from './completion-meta.js';

export interface OptSpec {
  /** Long and short spellings, e.g. ['--verbose', '-v']. */
  names: string[];
  /** What its value is; undefined for a flag. */
  value?: ValueSpec;
  /** `[value]`: the next word is its value only when it does not start with `-` (commander's rule). */
  optionalValue: boolean;
  /** Not offered, but still known, so the word after it is read as its value. */
  hidden?: boolean;
}

export interface CmdSpec {
  path: string[];
  subcommands: string[];
  options: OptSpec[];
  args: ValueSpec[];
  /** The last argument takes every word from there on. */
  variadic: boolean;
}

/** One node per visible command, the root first (its options are the global ones, accepted everywhere). */
export function completionTree(root: Command): CmdSpec[] {
  const nodes: CmdSpec[] = [];
  const walk = (cmd: Command, path: string[]) => {
    const visible = cmd.commands.filter((c) => !(c as Command & { _hidden?: boolean })._hidden);
    const key = path.join(' ');
    const options = cmd.options.map((o) => ({ ...optSpec(key, o), ...(o.hidden ? { hidden: true } : {}) }));
    options.push({ names: ['--help', '-h'], optionalValue: false });
    const args = cmd.registeredArguments;
    nodes.push({
      path,
      subcommands: visible.map((c) => c.name()),
      options,
      args: args.map((a) => argSpec(key, a)),
      variadic: args.at(-1)?.variadic ?? false,
    });
    for (const c of visible) walk(c, [...path, c.name()]);
  };
  walk(root, []);
  return nodes;
}

function optSpec(path: string, o: Option): OptSpec {
  const names = [o.long, o.short].filter((x): x is string => Boolean(x));
  if (!o.required && !o.optional) return { names, optionalValue: false };
  const meta = COMPLETION_META[`${path} ${o.long ?? o.short}`.trim()];
  const placeholder = o.flags.match(/[<[]([^>\]]+)[>\]]/)?.[1] ?? '';
  return { names, value: meta ?? choices(o.argChoices) ?? fromPlaceholder(placeholder), optionalValue: o.optional };
}

function argSpec(path: string, a: Argument): ValueSpec {
  return COMPLETION_META[`${path} <${a.name()}>`.trim()] ?? choices(a.argChoices) ?? fromPlaceholder(a.name());
}

function choices(list: readonly string[] | undefined): ValueSpec | undefined {
  return list?.length ? { kind: 'values', values: list } : undefined;
}

/** Every key completion-meta.ts may use for this tree, to catch an entry that names nothing. */
export function metaKeys(root: Command): Set<string> {
  const keys = new Set<string>();
  const walk = (cmd: Command, path: string[]) => {
    const p = path.join(' ');
    for (const o of cmd.options) keys.add(`${p} ${o.long ?? o.short}`.trim());
    for (const a of cmd.registeredArguments) keys.add(`${p} <${a.name()}>`.trim());
    for (const c of cmd.commands) walk(c, [...path, c.name()]);
  };
  walk(root, []);
  return keys;
}
