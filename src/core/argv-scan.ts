/**
 * Reading a command line before commander does, for what must be known first: whether errors go
 * out as JSON, which command to register (start-up registers only that one), whether a batch wants
 * its workers booted early. One set of rules for all three: only the options before `--` count, and
 * of an option given twice the last wins, as commander has it. Pure, and light: read at every start.
 */

/** The arguments before `--` (after it, everything is an operand). */
export function beforeOperands(argv: readonly string[]): readonly string[] {
  const end = argv.indexOf('--');
  return end === -1 ? argv : argv.slice(0, end);
}

/** Whether the flag (e.g. `--json`) is among the options. */
export function hasFlag(argv: readonly string[], flag: string): boolean {
  return beforeOperands(argv).includes(flag);
}

/** The value of the last `--name <v>` or `--name=<v>` among the options, else undefined. */
export function optionValue(argv: readonly string[], name: string): string | undefined {
  const args = beforeOperands(argv);
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === name) value = args[++i];
    else if (a.startsWith(`${name}=`)) value = a.slice(name.length + 1);
  }
  return value;
}

/** The first word that is not an option or the value of one of `valued` (global options that take a value). */
export function firstWord(argv: readonly string[], valued: ReadonlySet<string>): string | undefined {
  const args = beforeOperands(argv);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (valued.has(a)) i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}
