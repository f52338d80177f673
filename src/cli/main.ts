/** The one exit point: parse, run, render errors (JSON-aware), and return the exit code. */
import { CommanderError } from 'commander';
import { makeCtx, type BaseIo } from './context.js';
import { FdOut, isTerminal } from './fd-out.js';
import { EXIT } from './errors.js';
import { ApiError, Cancelled, TacpayError, UsageError } from '../errors.js';
import { runInterruptCleanups } from './interrupt.js';
import { writeJson } from './output.js';
import { hasFlag, optionValue } from '../core/argv-scan.js';
import { inert } from '../core/inert.js';
import type { App } from './kit.js';
import { buildProgram } from './program.js';

/** Runs tacpay with `argv` (without node and script) and returns the exit code. */
export async function main(argv: readonly string[], io: BaseIo): Promise<number> {
  const json = wantsJson(argv);
  const app: App = { io, exitCode: EXIT.ok, quietHelp: json };
  const program = buildProgram(app, argv);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return app.exitCode;
  } catch (err) {
    if (json && err instanceof CommanderError && HELP_CODES.has(err.code)) {
      const { helpDocument, versionDocument } = await import('./help-json.js');
      writeJson(io.stdout, err.code === 'commander.version' ? versionDocument() : helpDocument(program, argv));
      return EXIT.ok;
    }
    return await report(err, argv, io);
  }
}

/** Commander ends with these after printing help or the version: a normal end, exit 0. */
const HELP_CODES = new Set(['commander.helpDisplayed', 'commander.version', 'commander.help']);

function wantsJson(argv: readonly string[]): boolean {
  return hasFlag(argv, '--json');
}

async function report(err: unknown, argv: readonly string[], io: BaseIo): Promise<number> {
  // --help and --version arrive here as CommanderErrors: they end before any context is built.
  if (err instanceof CommanderError) {
    if (HELP_CODES.has(err.code)) return EXIT.ok;
    if (err.code === 'commander.executeSubCommandAsync') return err.exitCode;
  }
  const json = wantsJson(argv);
  const ctx = await makeCtx(io, { json, ...(argv.includes('--no-color') ? { color: false } : {}) });
  let exitCode: number;
  let code: string;
  let message: string;
  let hint: string | undefined;
  let stack: string | undefined;
  let details: Record<string, unknown> = {};

  if (err instanceof CommanderError) {
    exitCode = EXIT.usage;
    code = 'usage';
    // Commander puts its suggestion on a second line: one line of message, the suggestion in the hint.
    const [first, ...rest] = err.message.replace(/^error: /, '').split('\n');
    message = first!.trim();
    // An "option" that is really a value starting with "-" (a pasted key: "-----BEGIN ... MIIE...")
    // would be quoted whole: say what it looked like instead.
    const quoted = /^unknown option '([\s\S]*)'$/.exec(message)?.[1];
    if (quoted !== undefined && (quoted.length > 40 || /\s/.test(quoted) || quoted.startsWith('---'))) {
      message = `unknown option: an argument of ${quoted.length} characters that starts with "-"`;
      hint = 'if it is a value (a key, say), put -- before it or give it in a file; a key on the command line also shows in process lists';
    }
    const suggestion = rest.join(' ').match(/\(Did you mean (.+)\?\)/)?.[1];
    hint ??= suggestion ? `did you mean ${suggestion}? (--help shows the usage)` : 'run with --help to see the usage';
  } else if (isPromptExit(err) || err instanceof Cancelled) {
    exitCode = EXIT.cancelled;
    code = 'cancelled';
    message = 'cancelled';
  } else if (err instanceof TacpayError) {
    exitCode = err.exitCode;
    code = err instanceof UsageError ? 'usage' : err.code;
    message = err.message;
    hint = err.hint;
    if (err instanceof ApiError) details = { ...err.details };
  } else {
    exitCode = EXIT.failed;
    code = 'internal';
    message = `internal error: ${(err as Error)?.message ?? String(err)}`;
    hint = 'this is a bug in tacpay; please report it with the command you ran (secrets removed)';
    stack = (err as Error)?.stack;
  }

  if (json) {
    writeJson(io.stdout, { error: { code, message, ...(hint ? { hint } : {}), ...details } });
  } else {
    // One line each, whatever a message quotes: a newline in it would start a line that is neither.
    io.stderr.write(`${ctx.colorErr.red('error:')} ${inert(message, { singleLine: true })}\n`);
    if (hint) io.stderr.write(`${ctx.colorErr.dim('hint:')} ${inert(hint, { singleLine: true })}\n`);
  }
  if (stack) io.stderr.write(stack + '\n');
  return exitCode;
}

/** The @inquirer prompts throw ExitPromptError on Ctrl-C; match by name so inquirer stays lazily loaded. */
function isPromptExit(err: unknown): boolean {
  return err instanceof Error && (err.name === 'ExitPromptError' || err.name === 'AbortPromptError');
}

/** The documented pay_info (spec §2), injected at build time: what warmForCodeCache decodes. */
declare const __TACPAY_WARM_PAYINFO__: string | undefined;

/**
 * Only for bin/tacpay.js, once, before it saves the V8 code cache of the bundle: runs the start-up
 * paths people time (root help, a command's help, --version, decoding the documented pay_info) into
 * a sink, so that V8 has compiled them when the cache is made. V8 caches only what it has compiled,
 * and the run that makes the cache may have been any command.
 */
export async function warmForCodeCache(): Promise<void> {
  const sink = { write: () => true, isTTY: false };
  const io: BaseIo = { stdout: sink, stderr: sink, stdinIsTTY: false, env: {}, cwd: process.cwd(), get stdin() { return process.stdin; } };
  const runs = [['--help'], ['decode', '--help'], ['sign', '--help'], ['--version']];
  if (typeof __TACPAY_WARM_PAYINFO__ === 'string') runs.push(['decode', __TACPAY_WARM_PAYINFO__], ['decode', '--json', __TACPAY_WARM_PAYINFO__]);
  for (const argv of runs) await main(argv, io);
}

/** Entry used by bin/tacpay.js: real process streams, exit code set (not forced) so output flushes. */
export async function runFromProcess(opts: { importModule?: (specifier: string) => Promise<unknown> } = {}): Promise<void> {
  // A closed pipe (tacpay ... | head) is not an error worth a stack trace: stdout ends the run
  // quietly with the exit code it had, stderr just stops. Either way, through the fd or the stream.
  const stdoutClosed = (): never => process.exit(process.exitCode ?? 0);
  const quietEpipe = (stream: NodeJS.WriteStream, closed: () => void): NodeJS.WriteStream =>
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      closed();
    });
  const stderr = new FdOut(2, () => quietEpipe(process.stderr, () => {}), () => {});
  // A stdout that cannot be written (a full disk) fails the run, exit 1, in one line on stderr.
  const stdout = new FdOut(1, () => quietEpipe(process.stdout, stdoutClosed), stdoutClosed, (err) =>
    stderr.write(`error: cannot write to stdout: ${err.code ?? ''} ${err.message}\nhint: check the disk or the file stdout goes to\n`),
  );
  const argv = process.argv.slice(2);
  // Ctrl-C where no command stops on it by itself (a network wait, a batch): "cancelled", exit 130,
  // as one JSON document with --json. Commands that stop cleanly on SIGINT (sandbox start, listen,
  // log --follow) add their own listener, and then this one stands aside.
  process.on('SIGINT', () => {
    if (process.listenerCount('SIGINT') > 1) return;
    runInterruptCleanups();
    if (wantsJson(argv)) writeJson(stdout, { error: { code: 'cancelled', message: 'cancelled (SIGINT)' } });
    else stderr.write('error: cancelled (SIGINT)\n');
    process.exit(EXIT.cancelled);
  });
  // A big batch file: its verify workers boot while the rest of the CLI starts (prespawn.ts).
  if (argv[0] === 'decode' && optionValue(argv, '--file') !== undefined) {
    const [{ prespawn }, { WORKER_URLS }] = await Promise.all([import('../batch/prespawn.js'), import('../batch/worker-urls.js')]);
    prespawn(argv, process.cwd(), WORKER_URLS);
  }
  const code = await main(argv, {
    ...(opts.importModule ? { importModule: opts.importModule } : {}),
    stdout,
    stderr,
    // process.stdin is created on first access, which costs start-up; only commands that read it pay.
    get stdin() {
      return process.stdin;
    },
    get stdinIsTTY() {
      return isTerminal(0);
    },
    env: process.env,
    cwd: process.cwd(),
  });
  process.exitCode = stdout.failure && code === 0 ? EXIT.failed : code;
}
