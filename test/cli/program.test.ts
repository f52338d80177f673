import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, json, runCli, tempDir } from '../helpers/cli.js';

describe('program shell', () => {
  it('prints the version from package.json', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('exits 2 with a one-line error and a hint on an unknown command', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: unknown command 'frobnicate'\nhint: /);
  });

  it('renders usage errors as one JSON document under --json', async () => {
    const r = await runCli(['--json', 'completion', 'tcsh']);
    expect(r.code).toBe(2);
    expect(json(r)).toEqual({ error: { code: 'usage', message: expect.stringMatching(/tcsh/), hint: expect.any(String) } });
  });

  it('help exits 0 and lists the commands', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['decode', 'sign', 'keys', 'config', 'completion']) expect(r.stdout).toContain(c);
  });
});

describe('completion', () => {
  for (const shell of ['bash', 'zsh', 'fish']) {
    it(`${shell}: names every top-level command`, async () => {
      const r = await runCli(['completion', shell]);
      expect(r.code).toBe(0);
      for (const c of ['decode', 'sign', 'keys', 'config']) expect(r.stdout).toContain(c);
    });
  }
});

describe('config list', () => {
  it('shows sources and never the secret itself', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'app'));
    writeFileSync(join(dir, 'tacpay.config.json'), JSON.stringify({ offerId: 'TC100008', offerKey: 'bBJ2la1zfmssX28fhe39dv9OcFe6JFvY' }), { mode: 0o600 });
    const env = cleanEnv({ TACPAY_QQ_APP_ID: '1106983820' });
    for (const args of [['config', 'list'], ['--json', 'config', 'list'], ['--verbose', 'config', 'list']]) {
      const r = await runCli(args, { cwd: join(dir, 'app'), env });
      expect(r.code).toBe(0);
      expect(r.stdout + r.stderr).not.toContain('bBJ2la1zfmssX28fhe39dv9OcFe6JFvY');
      expect(r.stdout).toContain('TC100008');
    }
    const doc = json((await runCli(['--json', 'config', 'list'], { cwd: join(dir, 'app'), env })));
    const byKey = Object.fromEntries(doc.options.map((o: any) => [o.key, o]));
    expect(byKey.offerKey).toMatchObject({ value: '<redacted: 32 chars>', source: 'project', secret: true });
    expect(byKey.qqAppId).toMatchObject({ value: '1106983820', source: 'env', origin: 'TACPAY_QQ_APP_ID' });
    expect(byKey.env).toMatchObject({ value: 'sandbox', source: 'default' });
  });

  it('turns a broken config file into a one-line error, exit 1', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'tacpay.config.json'), '{ nope');
    const r = await runCli(['config', 'list'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: config file .*tacpay\.config\.json is not valid JSON/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('bash completion script', () => {
  it('completes subcommands and options when bash runs it', async () => {
    const { spawnSync } = await import('node:child_process');
    const script = (await runCli(['completion', 'bash'])).stdout;
    const run = (words: string[]) =>
      spawnSync('bash', ['-c', `${script}\nCOMP_WORDS=(${words.map((w) => `"${w}"`).join(' ')}); COMP_CWORD=${words.length - 1}; _tacpay; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' }).stdout.trim().split('\n');
    expect(run(['tacpay', 'con'])).toEqual(['config']);
    expect(run(['tacpay', 'config', 'l'])).toEqual(['list']);
    expect(run(['tacpay', 'config', 'list', '--js'])).toEqual(['--json']);
  });
});

describe('help', () => {
  it('every command and command group shows examples', async () => {
    const { buildProgram } = await import('../../src/cli/program.js');
    const program = buildProgram({ io: { stdout: { write: () => true }, stderr: { write: () => true }, stdin: { async *[Symbol.asyncIterator]() {} }, env: {}, cwd: '/' }, exitCode: 0 });
    const missing: string[] = [];
    // Help text is printed by commander; check each command's rendered help for an Examples block.
    const names: string[][] = [];
    const collect = (cmd: import('commander').Command, path: string[]) => {
      for (const c of cmd.commands) {
        names.push([...path, c.name()]);
        collect(c, [...path, c.name()]);
      }
    };
    collect(program, []);
    for (const n of names) {
      const r = await runCli([...n, '--help']);
      if (!/\nExamples:\n/.test(r.stdout)) missing.push(n.join(' '));
    }
    expect(missing).toEqual([]);
  });
});

describe('only the command a run names is built', () => {
  it('finds the command word past global options and their values', async () => {
    const { commandNamed } = await import('../../src/cli/commands/index.js');
    expect(commandNamed(['decode', 'x'])).toBe('decode');
    expect(commandNamed(['--json', '-v', 'order', 'create'])).toBe('order');
    expect(commandNamed(['--profile', 'decode', '--config', 'c.json', 'sign'])).toBe('sign');
    expect(commandNamed(['--help'])).toBeUndefined();
    expect(commandNamed(['--', 'decode'])).toBeUndefined();
  });

  it('a named command builds alone; help, typos and completion still see every command', async () => {
    const { buildProgram } = await import('../../src/cli/program.js');
    const names = (argv?: string[]) => buildProgram({ io: {} as never, exitCode: 0 }, argv).commands.map((c) => c.name());
    const all = names();
    expect(all).toHaveLength(12);
    expect(names(['decode', 'x'])).toEqual(['decode']);
    for (const argv of [['--help'], ['help', 'decode'], ['decod', 'x'], ['completion', 'bash'], []]) expect(names(argv)).toEqual(all);
    // The suggestion for a typo needs the other names.
    const r = await runCli(['decod', 'x']);
    expect(r.stderr).toBe("error: unknown command 'decod'\nhint: did you mean decode? (--help shows the usage)\n");
  });

  it('a run that names no command builds no subcommands, and its root help is the full tree\'s, byte for byte', async () => {
    const { buildProgram } = await import('../../src/cli/program.js');
    const render = (argv?: string[]) => {
      let out = '';
      const sink = { write: (t: string | Uint8Array) => ((out += String(t)), true), isTTY: false };
      const program = buildProgram({ io: { stdout: sink, stderr: sink, stdin: undefined as never, env: {}, cwd: '/' }, exitCode: 0 }, argv);
      return { program, help: program.helpInformation() };
    };
    const full = render();
    const shallow = render(['--help']);
    expect(shallow.help).toBe(full.help);
    expect(shallow.help).toContain('decode [options] [pay_info]');
    expect(shallow.program.commands.map((c) => c.name())).toEqual(full.program.commands.map((c) => c.name()));
    // The nouns are there without their subcommands; the full tree has them.
    expect(shallow.program.commands.find((c) => c.name() === 'order')!.commands).toEqual([]);
    expect(full.program.commands.find((c) => c.name() === 'order')!.commands.map((c) => c.name())).toContain('create');
    // What a user sees: `tacpay --help`, `tacpay` and `tacpay -h` print the same root help.
    const a = await runCli(['--help']);
    const b = await runCli(['-h']);
    expect(a.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    expect(a.stdout.startsWith(full.help)).toBe(true);
    // And the real `.command` is back on the program object (the shallow patch is undone).
    expect(Object.prototype.hasOwnProperty.call(shallow.program, 'command')).toBe(false);
  });
});
