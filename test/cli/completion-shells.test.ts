/**
 * The completion scripts in real shells: bash, zsh and fish run interactively under a pseudo-terminal,
 * with the script tacpay prints loaded; a line is typed, TAB pressed, and what the shell inserted
 * (read back by running the line through a stand-in `tacpay` function that echoes its arguments) or
 * listed is checked. A shell that is not installed skips its tests, saying so (apt-get install zsh fish).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { installed, PtySession, PYTHON } from '../helpers/pty.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

function missing(shell: Shell): string | undefined {
  if (!PYTHON) return 'python3 (with its pty module) is not installed: it drives the terminal';
  if (!installed(shell)) return `${shell} is not installed (apt-get install -y ${shell})`;
  return undefined;
}

/** Starts `shell` interactively with the completion script loaded and a stand-in tacpay that prints <<its arguments>>. */
async function startShell(shell: Shell, home: string, work: string): Promise<PtySession> {
  const script = join(home, `tacpay.${shell}`);
  const r = await runCli(['completion', shell]);
  expect(r.code, r.stderr).toBe(0);
  writeFileSync(script, r.stdout);
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, TERM: 'xterm', LANG: 'C.UTF-8', INPUTRC: '/dev/null', XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'data'), XDG_CACHE_HOME: join(home, 'cache') };
  let argv: string[];
  if (shell === 'bash') {
    const rc = join(home, 'bashrc');
    writeFileSync(rc, `PS1='PROMPT> '\nbind 'set bell-style none'\nsource '${script}'\ntacpay() { printf '<<%s>>\\n' "$*"; }\ncd '${work}'\necho READY\n`);
    argv = ['bash', '--noprofile', '--rcfile', rc, '-i'];
  } else if (shell === 'zsh') {
    const zdot = join(home, 'zdot');
    mkdirSync(zdot);
    writeFileSync(join(zdot, '.zshrc'), `PS1='PROMPT> '\nunsetopt beep\nautoload -Uz compinit && compinit -u -D\nsource '${script}'\ntacpay() { printf '<<%s>>\\n' "$*"; }\ncd '${work}'\necho READY\n`);
    env.ZDOTDIR = zdot;
    argv = ['zsh', '-d', '-i'];
  } else {
    mkdirSync(join(home, 'config', 'fish'), { recursive: true });
    writeFileSync(
      join(home, 'config', 'fish', 'config.fish'),
      `function fish_prompt; printf 'PROMPT> '; end\nfunction fish_greeting; end\nset -g fish_autosuggestion_enabled 0\nsource '${script}'\nfunction tacpay; printf '<<%s>>\\n' "$argv"; end\ncd '${work}'\necho READY\n`,
    );
    argv = ['fish', '-i'];
  }
  const s = PtySession.start(argv, { env, cwd: work });
  await s.waitFor(/READY[\s\S]*PROMPT>/, 0, 10_000);
  return s;
}

/**
 * Types `line`, presses TAB, runs the line: the arguments the completed line holds. The keys go in
 * one write: a shell reads them in order and completes before it reads the Enter, so no waiting on timing.
 */
async function inserted(s: PtySession, line: string): Promise<string> {
  const m = s.mark;
  s.write(`${line}\t\r`);
  const text = await s.waitFor(/<<[^\n]*>>[\s\S]*PROMPT>/, m);
  return text.match(/<<([^\n]*)>>/)![1]!.trimEnd();
}

/**
 * Types `line`, presses TAB twice (bash lists on the second), waits until the list shows `expected`
 * (without it, for a check that nothing is listed, until the shell has been quiet a while) and then
 * until the shell has finished drawing, then clears the line. Returns what the terminal showed.
 * TAB and Enter cannot go in one write here: with keys waiting, the shells skip drawing the list.
 */
async function listed(s: PtySession, line: string, expected?: RegExp): Promise<string> {
  const m = s.mark;
  s.write(`${line}\t\t`);
  if (expected) await s.waitFor(expected, m);
  const text = await s.settle(m, expected ? 250 : 600);
  const m2 = s.mark;
  s.write('\x03');
  await s.waitFor(/PROMPT>/, m2);
  return text;
}

for (const shell of SHELLS) {
  const why = missing(shell);
  if (why) {
    describe(`tacpay completion ${shell} (skipped: ${why})`, () => {
      it.skip(`needs ${shell}`, () => {});
    });
    continue;
  }

  describe(`tacpay completion ${shell}, typed at a real ${shell} under a pty`, { timeout: 30_000 }, () => {
    let s: PtySession;
    let home: string;
    beforeAll(async () => {
      home = tempDir('tacpay-compl-');
      const work = join(home, 'work');
      mkdirSync(join(work, 'proj'), { recursive: true });
      writeFileSync(join(work, 'merchant.pem'), 'x');
      writeFileSync(join(work, 'notes.txt'), 'x');
      s = await startShell(shell, home, work);
    }, 20_000);
    afterAll(async () => {
      await s?.close();
    });
    // A test that failed half-way may have left a line typed: start each from an empty prompt.
    beforeEach(async () => {
      const m = s.mark;
      s.write('\x15echo RESET\r');
      await s.waitFor(/\nRESET\n[\s\S]*PROMPT>/, m);
    });

    it('completes subcommands, at the top and two levels down', async () => {
      expect(await inserted(s, 'tacpay sand')).toBe('sandbox');
      expect(await inserted(s, 'tacpay keys gen')).toBe('keys generate');
      expect(await inserted(s, 'tacpay sandbox merchant set-n')).toBe('sandbox merchant set-notify');
    });

    it("completes the command's options and the global ones", async () => {
      expect(await inserted(s, 'tacpay order create --amount-y')).toBe('order create --amount-yuan');
      expect(await inserted(s, 'tacpay keys generate --verb')).toBe('keys generate --verbose');
      const list = await listed(s, 'tacpay keys generate --', /--force/);
      for (const o of ['--bits', '--out', '--force', '--json']) expect(list).toContain(o);
      expect(list).not.toContain('--amount');
    });

    it('offers the values of enumerated options and arguments', async () => {
      expect(await inserted(s, 'tacpay order create --channel qq')).toBe('order create --channel qqwallet');
      expect(await inserted(s, 'tacpay simulate result --platform andr')).toBe('simulate result --platform android');
      expect(await inserted(s, 'tacpay sandbox keys --format b')).toBe('sandbox keys --format base64');
      expect(await inserted(s, 'tacpay completion fi')).toBe('completion fish');
      const list = await listed(s, 'tacpay order create --env ', /production/);
      expect(list).toContain('sandbox');
      expect(list).toContain('production');
      expect(list).not.toContain('merchant.pem');
    });

    it('completes a value given as --option=value', async () => {
      expect(await inserted(s, 'tacpay order create --channel=qq')).toBe('order create --channel=qqwallet');
    });

    it('offers the built-in scenario names where a scenario goes', async () => {
      expect(await inserted(s, 'tacpay simulate scenario happy')).toBe('simulate scenario happy-path');
      const list = await listed(s, 'tacpay simulate scenario ', /user-cancels/);
      for (const n of ['happy-path', 'partial-refund', 'user-cancels', 'delivery-retry', 'merchant.pem']) expect(list).toContain(n);
    });

    it('completes file names where a file goes, directories where a directory goes', async () => {
      expect(await inserted(s, 'tacpay keys inspect mer')).toBe('keys inspect merchant.pem');
      expect(await inserted(s, 'tacpay decode --file not')).toBe('decode --file notes.txt');
      expect(await inserted(s, 'tacpay order create --private-key mer')).toBe('order create --private-key merchant.pem');
      expect(await inserted(s, 'tacpay --config not')).toBe('--config notes.txt');
      // zsh takes back the slash it added when the line is run.
      expect(await inserted(s, 'tacpay doctor pr')).toMatch(/^doctor proj\/?$/);
      const list = await listed(s, 'tacpay doctor ', /proj/);
      expect(list).toContain('proj');
      expect(list).not.toContain('notes.txt');
    });

    it('inserts nothing (no "-", no file name) at a free value position', async () => {
      expect(await inserted(s, 'tacpay order create --user-id ')).toBe('order create --user-id');
      expect(await inserted(s, 'tacpay sandbox pay ')).toBe('sandbox pay');
      const list = await listed(s, 'tacpay order create --user-id ');
      expect(list).not.toContain('merchant.pem');
      expect(list).not.toContain('--amount');
    });

    it("reads an option's value as a value, not as a command", async () => {
      expect(await inserted(s, 'tacpay --profile sandbox keys gen')).toBe('--profile sandbox keys generate');
      expect(await inserted(s, 'tacpay order create --user-id create --chan')).toBe('order create --user-id create --channel');
    });
  });
}
