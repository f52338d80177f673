/**
 * Verify workers started while the CLI starts (src/batch/prespawn.ts): which command lines
 * start them, that the batch's pool takes them instead of starting its own, that a failure before
 * that reaches the batch, and that workers nobody took do not keep the process alive.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VerifyPool } from '../../src/batch/pool.js';
import { plannedWorkers, prespawn } from '../../src/batch/prespawn.js';
import { AUTO_WORKERS_BYTES } from '../../src/batch/thresholds.js';
import { spawnCli, tempDir } from '../helpers/cli.js';

const dir = tempDir('tacpay-prespawn-');
writeFileSync(join(dir, 'big.txt'), Buffer.alloc(AUTO_WORKERS_BYTES, 'a'));
writeFileSync(join(dir, 'small.txt'), 'a\n');
mkdirSync(join(dir, 'sub'));

describe('plannedWorkers: only what the batch would start at once anyway', () => {
  const cases: Array<[string, string[], number, number]> = [
    ['a big file, 2 cores: one per core but one', ['decode', '--file', 'big.txt'], 2, 1],
    ['a big file, 8 cores', ['decode', '--file=big.txt', '--public-key', 'k.pem'], 8, 7],
    ['a big file, 1 core: none', ['decode', '--file', 'big.txt'], 1, 0],
    ['a small file waits for its lines: none', ['decode', '--file', 'small.txt'], 2, 0],
    ['--workers N starts N for any regular file', ['decode', '--file', 'small.txt', '--workers', '3'], 2, 3],
    ['--workers 0', ['decode', '--file', 'big.txt', '--workers=0'], 2, 0],
    ['--workers that is not a number is for the usage error', ['decode', '--file', 'big.txt', '--workers', 'x'], 2, 0],
    ['--workers over 64 is for the usage error too', ['decode', '--file', 'big.txt', '--workers', '100'], 2, 0],
    ['the last --workers counts, as in commander', ['decode', '--file', 'big.txt', '--workers', '2', '--workers=0'], 2, 0],
    ['the last --file counts', ['decode', '--file', 'big.txt', '--file', 'small.txt'], 2, 0],
    ['--batch reads stdin', ['decode', '--batch'], 2, 0],
    ['--file - reads stdin', ['decode', '--file', '-'], 2, 0],
    ['a directory', ['decode', '--file', 'sub'], 2, 0],
    ['a missing file', ['decode', '--file', 'nope.txt'], 2, 0],
    ['--help', ['decode', '--file', 'big.txt', '--help'], 2, 0],
    ['another command', ['sign', '--file', 'big.txt'], 2, 0],
    ['a global option first: not plain, the batch starts them', ['--profile', 'x', 'decode', '--file', 'big.txt'], 2, 0],
  ];
  it.each(cases)('%s', (_what, argv, cores, expected) => {
    expect(plannedWorkers(argv, dir, cores)).toBe(expected);
  });
});

/** A worker script that logs each load to `log`, skips the init message and answers every batch. */
function countingWorker(log: string): URL {
  const script = join(tempDir('tacpay-prespawn-worker-'), 'worker.cjs');
  writeFileSync(
    script,
    `const { parentPort } = require('node:worker_threads');
require('node:fs').appendFileSync(${JSON.stringify(log)}, 'loaded\\n');
parentPort.on('message', (m) => {
  if (m.init) return;
  const tally = { lines: m.count, valid: m.count, invalid: 0, verified: 0, failed: 0, notChecked: m.count };
  const out = new Uint8Array(0);
  parentPort.postMessage({ seq: m.seq, out, tally, bytes: m.bytes, lines: m.lines }, [m.bytes, m.lines.buffer]);
});
`,
  );
  return pathToFileURL(script);
}

describe('the batch takes the workers started early', () => {
  it('a pool of one adopts the early worker: the worker script loads once, and the batch is answered', async () => {
    const log = join(tempDir('tacpay-prespawn-log-'), 'loads.txt');
    writeFileSync(log, '');
    const url = countingWorker(log);
    prespawn(['decode', '--file', 'big.txt', '--workers', '1'], dir, [url]);
    const pool = new VerifyPool(url, 1, {}, [], []);
    try {
      pool.submit({ firstLine: 1, count: 1, bytes: new ArrayBuffer(8), size: 8, lines: new Float64Array([0, 8]) });
      await pool.idle();
      expect(pool.takeReady().map((r) => r.tally.lines)).toEqual([1]);
      expect(readFileSync(log, 'utf8')).toBe('loaded\n');
    } finally {
      await pool.close();
    }
  });

  it('an early worker that failed before the batch took it: the batch stops with its error', async () => {
    const script = join(tempDir('tacpay-prespawn-broken-'), 'worker.cjs');
    writeFileSync(script, "throw new Error('the early worker is broken');\n");
    const url = pathToFileURL(script);
    const [early] = prespawn(['decode', '--file', 'big.txt', '--workers', '1'], dir, [url]);
    // Let it fail first, as it would while the CLI parses its key.
    // (Not events.once: it rejects on the 'error' that comes first.)
    await new Promise((r) => early!.worker.once('exit', r));
    const pool = new VerifyPool(url, 1, {}, [], []);
    try {
      await expect(pool.idle().then(() => pool.hasRoom())).rejects.toThrow('the early worker is broken');
    } finally {
      await pool.close();
    }
  });

  it('workers started early and never taken do not hold the process: a bad key ends the run at once', async () => {
    const r = await spawnCli(['decode', '--file', join(dir, 'big.txt'), '--workers', '2', '--public-key', join(dir, 'missing.pem')], { timeoutMs: 15_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: platform public key file .*missing\.pem does not exist/);
  });
});
