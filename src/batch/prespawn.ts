/**
 * Verify workers started while the CLI itself starts. A worker takes ~40 ms to boot (Node's own
 * bootstrap in a new isolate), and from the first line of tacpay's code to the first batch line
 * judged (parse the command line and config, load and parse the key, open the file) the second
 * core sits idle: a worker started at once boots in that time instead of after it.
 *
 * Only for the case that is plain from the raw arguments: `tacpay decode --file <regular file>`
 * of AUTO_WORKERS_BYTES or more, or with --workers N (1-64), where the batch starts its workers at
 * once anyway. Anything else (another command first, --batch, stdin, a small file without
 * --workers, --workers 0 or out of range, --help) starts nothing here and the batch starts its
 * own workers as before. Workers started here are unref'd until the batch takes them, so a run
 * that ends before that (a usage error, a bad key) is not held open.
 */
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { optionValue } from '../core/argv-scan.js';
import { AUTO_WORKERS_BYTES } from './thresholds.js';
import { existingWorkerUrl } from './worker-urls.js';

/** A worker started early, with what went wrong with it before the batch took it. */
export interface EarlyWorker {
  worker: Worker;
  failure?: Error;
}

const early: EarlyWorker[] = [];
let earlyUrl: string | undefined;

/** A verify worker. It waits for its WorkerInit message before it judges anything. */
export function spawnVerifyWorker(url: URL): Worker {
  // A small young generation keeps each worker's heap small (the peak-RSS target for a million
  // lines); larger ones (8, 16 MB) measured no faster.
  return new Worker(url, { resourceLimits: { maxYoungGenerationSizeMb: 2 } });
}

/** A worker started early for this script, if one is left; it is the caller's from now on. */
export function takeEarlyWorker(url: URL): EarlyWorker | undefined {
  if (earlyUrl !== url.href) return undefined;
  const taken = early.shift();
  taken?.worker.ref();
  return taken;
}

/** How many workers a batch run of these arguments will start at once, or 0 when that is not plain. */
export function plannedWorkers(argv: readonly string[], cwd: string, cores = availableParallelism()): number {
  if (argv[0] !== 'decode') return 0;
  const args = argv.slice(1);
  if (args.includes('--') || args.some((a) => a === '--batch' || a === '--help' || a === '-h')) return 0;
  const file = optionValue(args, '--file');
  if (file === undefined || file === '-' || file.startsWith('-')) return 0;
  const workers = optionValue(args, '--workers');
  // Out of range is a usage error the command reports: nothing to start for it.
  if (workers !== undefined && (!/^\d+$/.test(workers) || Number(workers) > 64)) return 0;
  const n = workers !== undefined ? Number(workers) : cores > 1 ? cores - 1 : 0;
  if (n === 0) return 0;
  try {
    const stat = statSync(resolve(cwd, file));
    if (!stat.isFile() || (workers === undefined && stat.size < AUTO_WORKERS_BYTES)) return 0;
  } catch {
    return 0;
  }
  return n;
}

/** Starts the workers a batch of these arguments will want, if that is plain now (see above); returns them. */
export function prespawn(argv: readonly string[], cwd: string, urls: readonly URL[]): readonly EarlyWorker[] {
  const n = plannedWorkers(argv, cwd);
  if (n === 0) return [];
  const url = existingWorkerUrl(urls);
  if (!url) return [];
  earlyUrl = url.href;
  const started: EarlyWorker[] = [];
  for (let i = 0; i < n; i++) {
    const entry: EarlyWorker = { worker: spawnVerifyWorker(url) };
    entry.worker.unref();
    // Kept for the batch to report: an 'error' with no listener would end the process here.
    entry.worker.on('error', (err) => (entry.failure ??= err));
    entry.worker.once('exit', (code) => (entry.failure ??= new Error(`a verify worker stopped unexpectedly (exit code ${code})`)));
    early.push(entry);
    started.push(entry);
  }
  return started;
}
