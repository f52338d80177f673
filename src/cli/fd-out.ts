/**
 * stdout and stderr as tacpay writes them: straight to the file descriptor with fs.writeSync.
 *
 * Why not process.stdout: creating it loads Node's stream machinery (and, for a terminal or a pipe,
 * node:tty and node:net), ~2-3 ms of a ~23 ms bare Node start on Node 24, which `tacpay --help` and
 * `tacpay decode` would pay before printing a line. Node's own stdout writes synchronously to files,
 * pipes and terminals on POSIX anyway, so a synchronous write keeps the same order and backpressure
 * (a full pipe blocks the writer, as it did). The stream is still created where only it will do: a
 * terminal's width for help, and a descriptor left non-blocking by someone else (EAGAIN), after which
 * every later write goes through it so nothing is reordered.
 */
import { fstatSync, statSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as NodeTty from 'node:tty';
import type { OutStream } from './output.js';

export class FdOut implements OutStream {
  private stream: NodeJS.WriteStream | undefined;
  private tty: boolean | undefined;
  /** Set after an EAGAIN: from then on every write goes through the stream, in order. */
  private viaStream = false;
  /** Set after an EPIPE or a failed write: later writes are dropped. */
  private closed = false;
  /** Why a write failed (not EPIPE: a reader that left is no failure), if one did. */
  failure: NodeJS.ErrnoException | undefined;

  /**
   * `open` creates the process stream for this fd (process.stdout or process.stderr), only when needed;
   * `onClosed` runs when the reader went away (EPIPE): for stdout, `tacpay ... | head` ends quietly;
   * `onFailed` runs once when a write fails otherwise (a full disk: ENOSPC, EIO), and writes stop.
   */
  constructor(
    private readonly fd: number,
    private readonly open: () => NodeJS.WriteStream,
    private readonly onClosed: () => void,
    private readonly onFailed: (err: NodeJS.ErrnoException) => void = () => {},
  ) {}

  get isTTY(): boolean {
    return (this.tty ??= isTerminal(this.fd));
  }

  /** The terminal's width (undefined when not a terminal): only a terminal's stream knows it. */
  get columns(): number | undefined {
    return this.isTTY ? this.processStream().columns : undefined;
  }

  /** The process stream itself, for libraries that need a real Writable (the prompts). */
  writableStream(): NodeJS.WritableStream {
    return this.processStream();
  }

  write(chunk: string | Uint8Array, done?: () => void): boolean {
    if (this.closed) {
      done?.();
      return true;
    }
    if (this.viaStream) return this.processStream().write(chunk, done);
    let bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    try {
      while (bytes.length > 0) {
        const n = writeSync(this.fd, bytes);
        bytes = bytes.subarray(n);
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        // Non-blocking descriptor: the stream queues what the fd cannot take now, and keeps order from here on.
        this.viaStream = true;
        return this.processStream().write(bytes, done);
      }
      this.closed = true;
      done?.();
      if (code === 'EPIPE') this.onClosed();
      else {
        this.failure = err as NodeJS.ErrnoException;
        this.onFailed(this.failure);
      }
      return true;
    }
    done?.();
    return true;
  }

  /** 'drain' after a write returned false, which only the stream does (after an EAGAIN). */
  once(event: 'drain', listener: () => void): this {
    this.processStream().once(event, listener);
    return this;
  }

  private processStream(): NodeJS.WriteStream {
    return (this.stream ??= this.open());
  }
}

let devNull: number | bigint | undefined | null;

/**
 * Whether `fd` is a terminal, without node:tty where the answer is plain: files, pipes and sockets
 * are not; of character devices, /dev/null is not (the usual `> /dev/null` and CI's ignored stdio);
 * any other character device is asked of node:tty.
 */
export function isTerminal(fd: number): boolean {
  let st;
  try {
    st = fstatSync(fd);
  } catch {
    return false;
  }
  if (!st.isCharacterDevice()) return false;
  if (devNull === undefined) {
    try {
      devNull = statSync('/dev/null').rdev;
    } catch {
      devNull = null;
    }
  }
  if (devNull !== null && st.rdev === devNull) return false;
  return (createRequire(import.meta.url)('node:tty') as typeof NodeTty).isatty(fd);
}
