// Bundles the CLI with esbuild into CommonJS. Start-up is a product feature (`tacpay --help` and
// `tacpay decode` should start about as fast as bare node): one CommonJS bundle skips Node 20's ESM
// loader (~10 ms) and the per-module resolution of commander, chalk and qs as separate files.
// Modules the bundle imports dynamically are only evaluated when a command needs them; heavy
// dependencies with native parts or large trees (undici, inquirer, better-sqlite3) stay external.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// Clean only on request: several builds may run at once while developing, and stale files are harmless.
if (process.argv.includes('--clean')) rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
// commander requires node:child_process at load and needs it only for executable subcommands
// (tacpay has none): inside commander it resolves to a shim that loads the real module on first use.
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: fileURLToPath(new URL('./shims/child-process-lazy.cjs', import.meta.url)) } : undefined,
    );
  },
};

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
  // bin/tacpay.js runs the bundle from a V8 code cache (vm.Script), where import() has no loader on
  // Node 20: dynamic imports become require(). The one ESM-only package (inquirer) is loaded through
  // ctx.importModule, which the bin provides.
  supported: { 'dynamic-import': false },
  plugins: [lazyChildProcess],
  logLevel: 'warning',
});

// A V8 code cache for bin/tacpay.js, made by running the CLI once: decoding the documented pay_info
// compiles the start-up path (commander, the command tree) and decode's own code. It is an optimisation only: without it, or with a Node whose V8 rejects it, tacpay works the same.
const { spawnSync } = await import('node:child_process');
rmSync(new URL('../dist/main.cjs.cache', import.meta.url), { force: true });
const docPayInfo = JSON.parse(readFileSync(new URL('../fixtures/vectors/doc-payinfo.json', import.meta.url), 'utf8')).pay_info;
const warm = spawnSync(process.execPath, [new URL('../bin/tacpay.js', import.meta.url).pathname, 'decode', docPayInfo], {
  env: { ...process.env, TACPAY_WRITE_CODE_CACHE: '1' },
  stdio: 'ignore',
});
if (warm.status !== 0) console.warn(`build: the code-cache run exited ${warm.status}; tacpay will compile on each start`);
