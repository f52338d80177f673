// Bundles the CLI with esbuild into CommonJS. Start-up is a product feature (`tacpay --help` and
// `tacpay decode` should start about as fast as bare node): one CommonJS bundle skips Node 20's ESM
// loader (~10 ms) and the per-module resolution of commander, chalk and qs as separate files.
// Modules the bundle imports dynamically are only evaluated when a command needs them; heavy
// dependencies with native parts or large trees (undici, inquirer, better-sqlite3) stay external.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// Clean only on request: several builds may run at once while developing, and stale files are harmless.
if (process.argv.includes('--clean')) rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: {
    main: 'src/cli/main.ts',
    'verify-worker': 'src/cli/batch/verify-worker.ts',
  },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'none',
  minify: !process.env.TACPAY_NO_MINIFY,
  external: ['undici', '@inquirer/prompts', 'better-sqlite3'],
  // qs depends on polyfills (side-channel -> get-intrinsic & co.) that cost ~10 ms of start-up on a
  // Node that has WeakMap and Object.defineProperty natively; these shims keep qs's own code as is.
  alias: {
    'side-channel': './scripts/shims/side-channel.cjs',
    'es-define-property': './scripts/shims/es-define-property.cjs',
  },
  // The sources are ESM; in the CommonJS bundle import.meta.url is the bundle file's URL.
  define: { __TACPAY_VERSION__: JSON.stringify(pkg.version), 'import.meta.url': '__tacpayImportMetaUrl' },
  banner: { js: "const __tacpayImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});
