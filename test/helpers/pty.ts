/** Interactive programs under a real pseudo-terminal (through test/helpers/pty.py), for shell completion tests. */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';

const RELAY = join(import.meta.dirname, 'pty.py');

/** The first of these that runs, or undefined: the relay needs Python 3 with its pty module (any Unix Python). */
export const PYTHON = ['python3', 'python'].find((p) => spawnSync(p, ['-c', 'import pty, termios'], { stdio: 'ignore' }).status === 0);

/** Is `name` an executable on PATH? */
export function installed(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** Terminal output as text: escape sequences and carriage returns dropped. */
export function plain(s: string): string {
  return s
    .replace(/\x1b\][^\x07\x1b]*(\x07|\x1b\\)/g, '')
    .replace(/\x1b\[[0-9;?=>]*[ -/]*[@-~]/g, '')
    .replace(/\x1b[()][A-Za-z0-9]/g, '')
    .replace(/\x1b[=>78DEHMc]/g, '')
    .replace(/[\r\x07\x08]/g, '')
    .replace(/\x0f|\x0e/g, '');
}

export class PtySession {
  private output = '';
  private waiters: Array<() => void> = [];
  private exited = false;
  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s: string) => {
      this.output += s;
      for (const w of this.waiters.splice(0)) w();
    });
    child.on('exit', () => {
      this.exited = true;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static start(argv: string[], opts: { env: NodeJS.ProcessEnv; cwd: string }): PtySession {
    if (!PYTHON) throw new Error('no python3 with the pty module');
    return new PtySession(spawn(PYTHON, ['-I', RELAY, ...argv], { env: opts.env, cwd: opts.cwd, stdio: 'pipe' }));
  }

  /** Everything the terminal showed so far, as raw bytes decoded. */
  get raw(): string {
    return this.output;
  }

  get mark(): number {
    return this.output.length;
  }

  write(keys: string): void {
    this.child.stdin.write(keys);
  }

  /** Waits until the plain text shown since `from` matches `re`; returns that text. Throws with what was shown on timeout. */
  async waitFor(re: RegExp, from: number, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = plain(this.output.slice(from));
      if (re.test(text)) return text;
      if (this.exited || Date.now() > deadline) throw new Error(`terminal never showed ${re} (${this.exited ? 'shell exited' : 'timed out'}); it showed:\n${text}`);
      await this.next(deadline - Date.now());
    }
  }

  /** Waits until nothing has been shown for `ms` (the shell has finished drawing); returns the plain text since `from`. */
  async settle(from: number, ms = 250, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let seen = this.output.length;
    for (;;) {
      await this.next(ms);
      if (this.output.length === seen || Date.now() > deadline) return plain(this.output.slice(from));
      seen = this.output.length;
    }
  }

  private next(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(done, Math.max(ms, 0));
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end();
    const t = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await gone;
    clearTimeout(t);
  }
}
