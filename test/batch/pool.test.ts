/** The verify pool with workers that fail: the run stops with the worker's error, it does not hang or go on alone. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VerifyPool } from '../../src/batch/pool.js';
import { tempDir } from '../helpers/cli.js';

function job(firstLine: number) {
  return { firstLine, count: 1, bytes: new ArrayBuffer(8), size: 8, lines: new Float64Array([0, 8]) };
}

/** A pool of one worker running `source`, given one batch; `check` sees it, and the pool is closed after. */
async function withWorker(source: string, check: (pool: VerifyPool) => Promise<void>): Promise<void> {
  const script = join(tempDir('tacpay-pool-'), 'worker.cjs');
  writeFileSync(script, source);
  const pool = new VerifyPool(pathToFileURL(script), 1, {}, [], []);
  try {
    pool.submit(job(1));
    await check(pool);
  } finally {
    await pool.close();
  }
}

describe('VerifyPool when a worker fails', () => {
  it('a worker that throws while loading: waiting for results rejects with its error, and hasRoom() says so too', async () => {
    await withWorker("throw new Error('the worker script is broken');\n", async (pool) => {
      await expect(pool.idle()).rejects.toThrow('the worker script is broken');
      expect(() => pool.hasRoom()).toThrow('the worker script is broken');
    });
  });

  it('a worker that exits: the run ends with a message naming the exit', async () => {
    await withWorker("require('node:worker_threads').parentPort.once('message', () => process.exit(3));\n", async (pool) => {
      await expect(pool.idle()).rejects.toThrow('a verify worker stopped unexpectedly (exit code 3)');
    });
  });
});

describe('VerifyPool order with batches judged on this thread', () => {
  it('results judged here wait behind a slow worker batch: heldBack counts them, answer() waits for the worker', async () => {
    const script = join(tempDir('tacpay-pool-'), 'slow.cjs');
    // Answers each batch 300 ms late, with a tally that says which batch it was.
    writeFileSync(
      script,
      `const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => {
  if (m.init) return;
  setTimeout(() => {
    const tally = { lines: m.firstLine, valid: 0, invalid: 0, verified: 0, failed: 0, notChecked: 0 };
    parentPort.postMessage({ seq: m.seq, out: new Uint8Array(0), tally, bytes: m.bytes, lines: m.lines }, [m.bytes, m.lines.buffer]);
  }, 300);
});
`,
    );
    const pool = new VerifyPool(pathToFileURL(script), 1, {}, [], []);
    try {
      pool.submit(job(1));
      const here = (j: { firstLine: number }) => ({ out: new Uint8Array(0), tally: { lines: j.firstLine, valid: 0, invalid: 0, verified: 0, failed: 0, notChecked: 0 } });
      pool.runLocal(job(2), here);
      pool.runLocal(job(3), here);
      expect(pool.heldBack).toBe(2);
      expect(pool.takeReady()).toEqual([]);
      await pool.answer();
      expect(pool.takeReady().map((r) => r.tally.lines)).toEqual([1, 2, 3]);
      expect(pool.heldBack).toBe(0);
    } finally {
      await pool.close();
    }
  });
});
