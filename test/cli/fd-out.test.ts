/** FdOut: stdout and stderr written straight to the descriptor, on real files, FIFOs and pipes. */
import { spawnSync } from 'node:child_process';
import { closeSync, constants, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FdOut, isTerminal } from '../../src/cli/fd-out.js';
import { BIN, cleanEnv, tempDir } from '../helpers/cli.js';
import { docPayInfo } from '../helpers/fixtures.js';

const noStream = (): NodeJS.WriteStream => {
  throw new Error('the stream must not be created');
};

describe('FdOut', () => {
  it('writes strings and bytes to a file in order, calls done at once, and never creates the stream', () => {
    const file = join(tempDir('tacpay-fdout-'), 'out.txt');
    const fd = openSync(file, 'w');
    const out = new FdOut(fd, noStream, () => {});
    const done: number[] = [];
    expect(out.write('金元宝 one\n', () => done.push(1))).toBe(true);
    expect(out.write(new TextEncoder().encode('two\n'), () => done.push(2))).toBe(true);
    out.write('three\n');
    closeSync(fd);
    expect(readFileSync(file, 'utf8')).toBe('金元宝 one\ntwo\nthree\n');
    expect(done).toEqual([1, 2]);
    expect(out.isTTY).toBe(false);
    expect(out.columns).toBeUndefined();
  });

  it('is no terminal on /dev/null (a character device) or a FIFO', () => {
    const nul = openSync('/dev/null', 'w');
    expect(isTerminal(nul)).toBe(false);
    closeSync(nul);
    expect(isTerminal(987654)).toBe(false); // not open at all
  });

  it('a descriptor left non-blocking (EAGAIN): what the fd did not take goes through the stream, in order, and so does every later write', () => {
    const dir = tempDir('tacpay-fdout-');
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    const streamed: Buffer[] = [];
    let opened = 0;
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        streamed.push(Buffer.from(chunk));
        cb();
      },
    });
    const out = new FdOut(writer, () => (opened++, stream as unknown as NodeJS.WriteStream), () => {});
    // More than a pipe holds (64 KiB on Linux), with nobody reading: the fd takes part, then EAGAIN.
    const big = Buffer.alloc(200_000);
    for (let i = 0; i < big.length; i++) big[i] = 97 + (i % 26);
    out.write(big);
    out.write('tail\n');
    expect(opened).toBe(1);
    const inPipe: Buffer[] = [];
    const chunk = Buffer.alloc(65536);
    for (;;) {
      let n = 0;
      try {
        n = readSync(reader, chunk);
      } catch {
        break; // EAGAIN: drained
      }
      if (n === 0) break;
      inPipe.push(Buffer.from(chunk.subarray(0, n)));
    }
    closeSync(reader);
    closeSync(writer);
    const all = Buffer.concat([...inPipe, ...streamed]);
    expect(Buffer.concat(inPipe).length).toBeGreaterThan(0);
    expect(all.equals(Buffer.concat([big, Buffer.from('tail\n')]))).toBe(true);
  });
});

describe('the built CLI when stdout cannot be written (a full disk: /dev/full)', () => {
  for (const [name, args] of [['--help', ['--help']], ['decode --json <the documented pay_info>', ['decode', '--json', docPayInfo]]] as const) {
    it(`tacpay ${name} > /dev/full: exit 1 and one error line on stderr, on a first run (no code cache yet) too`, () => {
      for (const run of ['first run', 'from the cache']) {
        const env: Record<string, string | undefined> = { ...cleanEnv(), NO_COLOR: '1' };
        if (run === 'first run') env.XDG_CACHE_HOME = join(env.HOME!, '.cache');
        const out = openSync('/dev/full', 'w');
        try {
          const r = spawnSync(process.execPath, [BIN, ...args], { env: env as NodeJS.ProcessEnv, stdio: ['ignore', out, 'pipe'], encoding: 'utf8', timeout: 30_000 });
          expect(r.status, run).toBe(1);
          expect(r.stderr, run).toMatch(/^error: cannot write to stdout: ENOSPC .*\nhint: check the disk or the file stdout goes to\n$/);
        } finally {
          closeSync(out);
        }
      }
    });
  }
});

describe('the built CLI on a pipe whose reader goes away (EPIPE)', () => {
  it('`tacpay decode --file big | head -n 1`: exit 0, one line read, no stack trace', () => {
    const dir = tempDir('tacpay-epipe-');
    const file = join(dir, 'lines.txt');
    writeFileSync(file, `${docPayInfo}\n`.repeat(3000));
    const script = `'${process.execPath}' '${BIN}' decode --file '${file}' --workers 0 | head -n 1; echo "status=\${PIPESTATUS[0]}" >&2`;
    const r = spawnSync('bash', ['-c', script], { cwd: dir, env: { ...cleanEnv(), NO_COLOR: '1' } as NodeJS.ProcessEnv, encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toContain('status=0');
    expect(r.stderr).not.toMatch(/Error|at .*\.cjs/);
  });

  it('`tacpay --help | head -n 1` prints the first line and exits 0', () => {
    const r = spawnSync('bash', ['-c', `'${process.execPath}' '${BIN}' --help | head -n 1; echo "status=\${PIPESTATUS[0]}" >&2`], { env: { ...cleanEnv(), NO_COLOR: '1' } as NodeJS.ProcessEnv, encoding: 'utf8', timeout: 30_000 });
    expect(r.stdout).toBe('Usage: tacpay [options] [command]\n');
    expect(r.stderr.trim()).toBe('status=0');
  });
});
