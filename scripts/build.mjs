// Bundles the CLI with esbuild into CommonJS. Start-up is a product feature (`tacpay --help` and
// `tacpay decode` should start about as fast as bare node): one CommonJS bundle skips the ESM loader
// and the per-module resolution of commander, chalk and qs as separate files (an ESM build split into
// chunks measured ~45 ms for --help on Node 24 against ~33 ms for this bundle). No source maps: nothing
// applies them, and they were two-thirds of the package.
// Modules the bundle imports dynamically are only evaluated when a command needs them; heavy
// dependencies with large trees (undici, the inquirer prompts) stay external, installed as run-time dependencies.
import { spawn } from 'node:child_process';
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const docPayInfo = JSON.parse(readFileSync(new URL('../fixtures/vectors/doc-payinfo.json', import.meta.url), 'utf8')).pay_info;

// Clean only on request: several builds may run at once while developing, and stale files are harmless.
if (process.argv.includes('--clean')) rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
// What older builds left that nothing reads any more: source maps, and the code cache made at build time.
for (const stale of ['main.cjs.map', 'verify-worker.cjs.map', 'main.cjs.cache']) rmSync(new URL(`../dist/${stale}`, import.meta.url), { force: true });
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

// The sandbox and the doctor are bundles of their own, required when a command first needs them:
// every start reads, and V8 deserializes, the whole of main.cjs, so their ~110 KB would cost each
// `tacpay --help` ~1 ms. Neither imports from cli/, so nothing in them depends on which copy of a
// cli module exists; each is one module (src/sandbox/index.ts, src/doctor/index.ts), so the process
// holds one copy of its state. Both are pure core code otherwise, which they bundle for themselves.
const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const ownBundles = {
  name: 'own-bundles',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const target = join(args.resolveDir, args.path);
      for (const unit of ['sandbox', 'doctor']) {
        const dir = join(SRC, unit) + sep;
        if (target.startsWith(dir) && !args.importer.startsWith(dir)) return { path: `./${unit}.cjs`, external: true };
      }
      return undefined;
    });
  },
};

// The sandbox's web pages import their browser scripts and styles as text (`./assets/x.js?raw`): the
// files stay real JS and CSS (linted and read as such), and the bundles carry them as strings, so the
// installed package serves them with nothing fetched and no build step (src/sandbox/web/).
const rawText = {
  name: 'raw-text',
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, (args) => ({ path: join(args.resolveDir, args.path.slice(0, -'?raw'.length)), namespace: 'raw-text' }));
    b.onLoad({ filter: /.*/, namespace: 'raw-text' }, (args) => ({ contents: readFileSync(args.path, 'utf8'), loader: 'text' }));
  },
};

// Type declarations of the library, with tsc (esbuild writes none): dist/types/**.d.ts, the entry at
// dist/types/lib/index.d.ts. A child process, so it runs while esbuild bundles.
const types = new Promise((resolve) => {
  const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
  spawn(process.execPath, [tsc, '-p', fileURLToPath(new URL('../tsconfig.lib.json', import.meta.url))], { stdio: 'inherit' }).on('close', resolve);
});

await build({
  entryPoints: {
    main: 'src/cli/main.ts',
    'verify-worker': 'src/batch/verify-worker.ts',
    sandbox: 'src/sandbox/index.ts',
    doctor: 'src/doctor/index.ts',
  },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node22',
  legalComments: 'none',
  minify: !process.env.TACPAY_NO_MINIFY,
  external: ['undici', '@inquirer/input', '@inquirer/confirm', 'yocto-spinner'],
  // qs depends on polyfills (side-channel -> get-intrinsic & co.) that cost ~10 ms of start-up on a
  // Node that has WeakMap and Object.defineProperty natively; these shims keep qs's own code as is.
  alias: {
    'side-channel': './scripts/shims/side-channel.cjs',
    'es-define-property': './scripts/shims/es-define-property.cjs',
  },
  // The sources are ESM; in the CommonJS bundle import.meta.url is the bundle file's URL.
  define: {
    __TACPAY_VERSION__: JSON.stringify(pkg.version),
    // What bin/tacpay.js has the bundle decode before it saves the V8 code cache (main.ts, warmForCodeCache).
    __TACPAY_WARM_PAYINFO__: JSON.stringify(docPayInfo),
    'import.meta.url': '__tacpayImportMetaUrl',
  },
  banner: { js: "const __tacpayImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  // bin/tacpay.js runs the bundle through vm.Script (for its code cache), where import() has no
  // loader of its own: dynamic imports become require(). The ESM-only packages (the inquirer
  // prompts) are loaded through ctx.importModule, which the bin provides.
  supported: { 'dynamic-import': false },
  plugins: [rawText, lazyChildProcess, ownBundles],
  logLevel: 'warning',
});

// The library (`import ... from 'tacpay'`, src/lib): its own ESM bundle, so the CLI bundle and its
// start-up are untouched. Run-time dependencies stay external (the user's install has them); node
// builtins are external on platform node. Not minified: a library's stack traces are read by people.
await build({
  entryPoints: { index: 'src/lib/index.ts' },
  outdir: 'dist/lib',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  legalComments: 'none',
  external: Object.keys(pkg.dependencies ?? {}),
  alias: {
    'side-channel': './scripts/shims/side-channel.cjs',
    'es-define-property': './scripts/shims/es-define-property.cjs',
  },
  // qs is CommonJS and bundled: its require() of node builtins needs a real require inside ESM.
  plugins: [rawText],
  banner: { js: "import { createRequire as __tacpayCreateRequire } from 'node:module'; const require = __tacpayCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
// The library's declarations, started before the bundles and awaited last: tsc takes ~3 s, esbuild well under one.
if (await types !== 0) throw new Error('tsc -p tsconfig.lib.json failed: the library declarations (dist/types) were not written');
