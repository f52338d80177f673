/**
 * Where the worker bundle sits: next to the main bundle, which this file is bundled into. The
 * extension follows the build format (scripts/build.mjs): CommonJS .cjs now, ESM .js before; the
 * first that exists is used. (Run from the TypeScript sources, as the tests do, neither exists.)
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const WORKER_URLS: readonly URL[] = [new URL('./verify-worker.cjs', import.meta.url), new URL('./verify-worker.js', import.meta.url)];

/** The first of `urls` whose file exists, else undefined. */
export function existingWorkerUrl(urls: readonly URL[]): URL | undefined {
  return urls.find((u) => existsSync(fileURLToPath(u)));
}
