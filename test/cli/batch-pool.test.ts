/** The verify pool with workers that fail: the run stops with the worker's error, it does not hang or go on alone. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VerifyPool } from '../../src/cli/batch/pool.js';
import { tempDir } from '../helpers/cli.js';

function job(firstLine: number) {
  return { firstLine, count: 1, bytes: new ArrayBuffer(8), size: 8, lines: new Float64Array([0, 8]) };
}

/** A pool of one worker running `source`, given one batch; `check` sees it, and the pool is closed after. */
async function withWorker(source: string, check: (pool: VerifyPool) => Promise<void>): Promise<void> {
  const script = join(tempDir('tacpay-pool-'), 'worker.cjs');
  writeFileSync(script, source);
  const pool = new VerifyPool(pathToFileURL(script), 1, {}, []);
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
