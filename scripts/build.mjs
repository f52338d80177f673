// Bundles the CLI with esbuild. One bundle for the start-up path (commander, chalk, qs and the
// core) because loading them as separate ESM modules costs ~0.5x `node -e 0` on a cold start;
// heavy, rarely needed modules (undici, inquirer, the sandbox's database) stay external and are
// imported lazily by the commands that need them, so code splitting keeps them off --help.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// Clean only on request: several builds may run at once while developing, and stale hashed chunks are harmless.
if (process.argv.includes('--clean')) rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: {
    main: 'src/cli/main.ts',
    'verify-worker': 'src/cli/batch/verify-worker.ts',
  },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'none',
  minify: true,
  external: ['undici', '@inquirer/prompts', 'better-sqlite3'],
  // qs depends on polyfills (side-channel -> get-intrinsic & co.) that cost ~10 ms of start-up on a
  // Node that has WeakMap and Object.defineProperty natively; these shims keep qs's own code as is.
  alias: {
    'side-channel': './scripts/shims/side-channel.cjs',
    'es-define-property': './scripts/shims/es-define-property.cjs',
  },
  chunkNames: 'chunks/[name]-[hash]',
  // Some CommonJS dependencies (qs) call require() for Node built-ins; give the ESM bundle one.
  banner: { js: "import { createRequire as __tacpayCreateRequire } from 'node:module'; const require = __tacpayCreateRequire(import.meta.url);" },
  define: { __TACPAY_VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
});
