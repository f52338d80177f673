/** `tacpay config list`: every option, its value (secrets redacted) and where it came from. */
import type { Command } from 'commander';
import { envName, OPTIONS } from '../../../config/options.js';
import { displayValue } from '../../../config/resolve.js';
import { action, examples, type App } from '../../kit.js';
import { rows, writeJson } from '../../output.js';
import { inert } from '../../../core/inert.js';
import { parseKey } from '../../../core/keys.js';

export interface ConfigListEntry {
  key: string;
  env: string;
  value?: string;
  source?: string;
  origin?: string;
  secret: boolean;
}

export function registerConfig(program: Command, app: App): void {
  const config = program.command('config').description('show the resolved configuration and where each value comes from');
  examples(config, ['tacpay config list', 'TACPAY_PROFILE=shop2 tacpay config list --json']);
  const list = config
    .command('list')
    .description('list every option: value (secrets redacted), source (flag, env, project file, user file, default)')
    .action(
      action<Record<string, never>>(app, async (_opts, ctx) => {
        const resolved = ctx.config();
        const entries: ConfigListEntry[] = OPTIONS.map((o) => {
          const v = resolved.values[o.key];
          return {
            key: o.key,
            env: envName(o.key),
            secret: o.secret,
            ...(v ? { value: displayValue(o.key, v.value), source: v.source, origin: v.origin } : {}),
          };
        });
        if (ctx.json) {
          writeJson(ctx.stdout, { profile: resolved.profile ?? null, files: resolved.files, options: entries });
          return;
        }
        const c = ctx.color;
        ctx.stdout.write(`${c.bold('Config files')}\n`);
        ctx.stdout.write(rows([
          ['project', resolved.files.project ?? c.dim('none (tacpay.config.json, searched upwards from here)')],
          ['user', resolved.files.user ?? c.dim('none')],
          ['profile', resolved.profile ?? c.dim('none')],
        ]));
        ctx.stdout.write(`\n${c.bold('Options')}\n`);
        ctx.stdout.write(rows(entries.map((e) => [e.key, e.value === undefined ? c.dim(`unset (${e.env})`) : `${inert(shortValue(e.value), { singleLine: true })}  ${c.dim(`from ${e.origin}`)}`])));
      }),
    );
  examples(list, ['tacpay config list', 'tacpay config list --profile shop2 --json']);
}

/**
 * A value as one readable row: an inline key (a PEM block is ~450 characters) becomes what
 * identifies it, its size and fingerprint; anything else long is cut in the middle. --json keeps
 * the whole value (secrets are redacted before this either way).
 */
function shortValue(value: string): string {
  if (value.length <= 96) return value;
  if (/-----BEGIN|^MII/.test(value)) {
    const key = parseKey(value, 'any').value;
    if (key) return `inline ${key.kind} key, RSA-${key.bits}, ${key.fingerprint} (${value.length} characters; --json shows it whole)`;
  }
  return `${value.slice(0, 60)}…${value.slice(-20)} (${value.length} characters; --json shows it whole)`;
}
