import { build } from 'esbuild';
await build({
  entryPoints: { main: 'src/cli/main.ts', 'verify-worker': 'src/cli/batch/verify-worker.ts' },
  outdir: '/tmp/esm-proto', outExtension: { '.js': '.mjs' }, bundle: true, format: 'esm', splitting: true, platform: 'node', target: 'node22', minify: true,
  external: ['undici', '@inquirer/input', '@inquirer/confirm'],
  alias: { 'side-channel': './scripts/shims/side-channel.cjs', 'es-define-property': './scripts/shims/es-define-property.cjs' },
  define: { __TACPAY_VERSION__: '"0.1.0"' },
  banner: { js: "import{createRequire as __tacpayCreateRequire}from'node:module';const require=__tacpayCreateRequire(import.meta.url);" },
  logLevel: 'warning', metafile: true,
}).then((r) => { for (const [k, v] of Object.entries(r.metafile.outputs)) if (!k.endsWith('.map')) console.log(String(v.bytes).padStart(8), k); });
