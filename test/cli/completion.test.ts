/** The completion data: generated from the commander tree, every value position classified, the marks in completion-meta.ts alive. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { codes } from '../../src/cli/completion-codes.js';
import { COMPLETION_META } from '../../src/cli/completion-meta.js';
import { completionTree, metaKeys } from '../../src/cli/completion-tree.js';
import { buildProgram } from '../../src/cli/program.js';
import { json, runCli, tempDir } from '../helpers/cli.js';
import { installed } from '../helpers/pty.js';

function program(): Command {
  const sink = { write: () => true, isTTY: false };
  return buildProgram({ io: { stdout: sink, stderr: sink, stdinIsTTY: false, env: {}, cwd: process.cwd(), stdin: process.stdin }, exitCode: 0 } as never);
}

const data = () => codes(completionTree(program()), ['happy-path']);

describe('completion data', () => {
  it('has no entry in completion-meta.ts that names no option or argument', () => {
    const keys = metaKeys(program());
    expect(Object.keys(COMPLETION_META).filter((k) => !keys.has(k))).toEqual([]);
  });

  it('classifies the value positions: choices, <file>, <dir>, marked ones, free text', () => {
    const { options } = data();
    expect(options.get('order create --env')).toBe('v:sandbox production');
    expect(options.get('order create --channel')).toBe('v:wechat qqwallet');
    expect(options.get('simulate result --platform')).toBe('v:ios android web');
    expect(options.get('sandbox keys --format')).toBe('v:pem base64');
    expect(options.get('keys generate --bits')).toBe('v:512 1024 2048 3072 4096');
    expect(options.get('decode --file')).toBe('f');
    expect(options.get('order create --private-key')).toBe('f');
    expect(options.get('keys generate --out')).toBe('f');
    expect(options.get(' --config')).toBe('f');
    expect(options.get('sandbox keys --dotenv')).toBe('?f');
    expect(options.get('listen --sandbox-dir')).toBe('d');
    expect(options.get('order create --user-id')).toBe('n');
    expect(options.get(' --profile')).toBe('n');
    // A hidden option is not offered, but the word after it is still its value.
    expect(options.get('sandbox start --data')).toBe('d');
    expect(options.has('keys generate --force')).toBe(false);
  });

  it('gives every command its subcommands, options and argument kinds', () => {
    const nodes = new Map(data().nodes.map((n) => [n.path, n]));
    expect(nodes.get('')!.subcommands).toEqual(expect.arrayContaining(['order', 'keys', 'sandbox', 'completion']));
    expect(nodes.get('sandbox merchant')!.subcommands).toEqual(['add', 'list', 'set-notify']);
    expect(nodes.get('keys generate')!.options).toEqual(expect.arrayContaining(['--bits', '--out', '--help', '--json', '--config']));
    expect(nodes.get('keys generate')!.options).not.toContain('--version');
    expect(nodes.get('sandbox start')!.options).not.toContain('--data');
    expect(nodes.get('completion')!.args).toEqual(['v:bash zsh fish']);
    expect(nodes.get('keys match')!.args).toEqual(['f', 'f']);
    expect(nodes.get('doctor')!.args).toEqual(['d']);
    expect(nodes.get('simulate scenario')!.args).toEqual(['s']);
    expect(nodes.get('sandbox pay')!.args).toEqual(['n']);
  });

  it('covers a command nobody told completion about', () => {
    const root = new Command('tacpay').option('--json');
    root
      .command('widget')
      .command('polish')
      .argument('<file>')
      .option('--cloth <file>')
      .addOption(new Option('--grit <n>').choices(['fine', 'coarse']))
      .option('--note <text>');
    const c = codes(completionTree(root), []);
    const polish = c.nodes.find((n) => n.path === 'widget polish')!;
    expect(polish.options).toEqual(['--cloth', '--grit', '--note', '--help', '--json']);
    expect(polish.args).toEqual(['f']);
    expect(c.options.get('widget polish --grit')).toBe('v:fine coarse');
    expect(c.options.get('widget polish --cloth')).toBe('f');
    expect(c.options.get('widget polish --note')).toBe('n');
  });

  it('lets nothing a shell would expand into a script', () => {
    const root = new Command('tacpay');
    root.command('x').addOption(new Option('--mode <m>').choices(['ok', '$(touch pwned)', "it's"]));
    expect(codes(completionTree(root), ['a;b', 'good']).options.get('x --mode')).toBe('v:ok');
    expect(codes(completionTree(root), ['a;b', 'good']).scenarios).toEqual(['good']);
  });
});

describe('tacpay completion', () => {
  for (const [shell, check] of [
    ['bash', ['bash', '-n']],
    ['zsh', ['zsh', '-n']],
    ['fish', ['fish', '--no-execute']],
  ] as const) {
    it(`prints a ${shell} script the shell parses, with the built-in scenario names in it`, async () => {
      const r = await runCli(['completion', shell]);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      for (const name of ['happy-path', 'partial-refund', 'user-cancels', 'delivery-retry']) expect(r.stdout).toContain(name);
      // TAB must not start tacpay: the script calls nothing of it.
      expect(r.stdout).not.toMatch(/^\s*(command )?tacpay /m);
      if (!installed(check[0])) return console.warn(`${check[0]} not installed: syntax of the ${shell} script not checked (apt-get install -y ${check[0]})`);
      const file = join(tempDir(), `tacpay.${shell}`);
      writeFileSync(file, r.stdout);
      const p = spawnSync(check[0], [...check.slice(1), file], { encoding: 'utf8' });
      expect(p.stderr).toBe('');
      expect(p.status).toBe(0);
    });
  }

  it('prints one JSON document under --json', async () => {
    const r = await runCli(['--json', 'completion', 'zsh']);
    expect(r.code).toBe(0);
    const doc = json(r);
    expect(doc.shell).toBe('zsh');
    expect(doc.script).toMatch(/^#compdef tacpay\n/);
  });

  it('refuses a shell it has no script for, as a usage error', async () => {
    const r = await runCli(['completion', 'tcsh']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: .*tcsh.*\nhint: /);
  });
});
