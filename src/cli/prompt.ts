/**
 * Prompts fill gaps only: ask for required values the flags did not give, validated by the same
 * core rules the API applies, and only when a person is there to answer. Without a TTY (or with
 * --json, or in CI) it is a usage error that names the missing flags. Never asks for secrets.
 */
import { checkParam } from '../core/rules.js';
import type { Ctx } from './context.js';
import { UsageError } from '../errors.js';
import { writableOf } from './output.js';

export interface Ask {
  /** Wire parameter name, validated with checkParam. */
  param: string;
  flag: string;
  message: string;
  default?: string;
}

/** Returns answers for `asks` (parameter -> value); throws UsageError when nobody can answer. */
export async function askMissing(ctx: Ctx, asks: readonly Ask[]): Promise<Record<string, string>> {
  if (asks.length === 0) return {};
  if (!ctx.interactive) {
    throw new UsageError(`missing ${asks.map((a) => a.flag).join(', ')}`, 'give them as flags (tacpay prompts only on a terminal)');
  }
  // inquirer costs ~40 ms to load: only here, when a prompt is really shown.
  const { default: input } = (await ctx.importModule('@inquirer/input')) as typeof import('@inquirer/input');
  const out: Record<string, string> = {};
  for (const a of asks) {
    out[a.param] = await input(
      {
        message: a.message,
        ...(a.default !== undefined ? { default: a.default } : {}),
        validate: (value: string) => {
          const problem = checkParam(a.param, value).find((i) => i.severity === 'error');
          return problem ? problem.message : true;
        },
      },
      { input: ctx.stdin as NodeJS.ReadableStream, output: writableOf(ctx.stderr) },
    );
  }
  return out;
}
