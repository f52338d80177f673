// Installs tacpay as a user does and runs it from outside the repository: `npm pack`, then
// `npm install -g` of the tarball into a temp prefix with a fresh HOME (no npm cache, no config of
// ours, no code cache), then the commands a new user runs first. Also checks that the tarball holds
// what those need and nothing else. Prints install time and size, and "N passed, N failed".
// Usage: node scripts/install-check.mjs   (the Node on PATH is the one tested; .ci/run runs it per line)
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'tacpay-install-'));
const results = [];
/** Records one check; `why` is printed when it fails, `info` when it passes. */
const check = (name, ok, why = '', info = '') => {
  results.push(ok);
  const detail = ok ? info : why;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
};
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

try {
  console.log(`install check on Node ${process.version}, in ${work}`);
  // 1. The tarball, as `npm publish` would make it (prepare builds dist first).
  const packed = JSON.parse(execFileSync(npm, ['pack', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }))[0];
  const tarball = join(work, packed.filename);
  const files = packed.files.map((f) => f.path).sort();
  console.log(`tarball ${packed.filename}: ${(packed.size / 1024).toFixed(0)} KB packed, ${(packed.unpackedSize / 1024).toFixed(0)} KB unpacked, ${files.length} files`);
  const allowed = [/^bin\/(tacpay\.js|package\.json)$/, /^dist\/[\w-]+\.cjs$/, /^dist\/lib\/index\.js$/, /^dist\/types\/[\w/-]+\.d\.ts$/, /^fixtures\/scenarios\/[\w-]+\.json$/, /^(package\.json|README\.md|LICENSE|CHANGELOG\.md)$/, /^docs\/protocol\.md$/];
  const unexpected = files.filter((f) => !allowed.some((re) => re.test(f)));
  check('the tarball holds only bin, dist/*.cjs, the library (dist/lib, dist/types), the built-in scenarios and the package docs', unexpected.length === 0, unexpected.join(', '));
  const needed = ['bin/tacpay.js', 'dist/main.cjs', 'dist/verify-worker.cjs', 'dist/lib/index.js', 'dist/types/lib/index.d.ts', 'LICENSE', 'README.md', 'CHANGELOG.md', 'fixtures/scenarios/happy-path.json', 'docs/protocol.md'];
  const missing = needed.filter((f) => !files.includes(f));
  check('the tarball holds everything the commands need', missing.length === 0, missing.join(', '));
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  check('no install scripts run in the installed package (nothing native to build)', !['preinstall', 'install', 'postinstall'].some((s) => pkg.scripts?.[s]));

  // 2. A global install into a temp prefix with a fresh HOME: what `npm i -g tacpay` does for a new user.
  const home = join(work, 'home');
  const prefix = join(work, 'prefix');
  const env = { PATH: `${join(prefix, 'bin')}:${dirname(process.execPath)}:${process.env.PATH}`, HOME: home, NO_COLOR: '1', npm_config_cache: join(home, '.npm') };
  for (const k of ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SystemRoot', 'TMPDIR', 'TEMP', 'TMP']) if (process.env[k]) env[k] = process.env[k];
  // The machine's own npm settings (its registry, for one) come along; tacpay's config does not exist there.
  if (existsSync(join(process.env.HOME ?? '', '.npmrc'))) {
    cpSync(join(process.env.HOME, '.npmrc'), join(home, '.npmrc'));
  }
  const started = process.hrtime.bigint();
  const install = spawnSync(npm, ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', tarball], { cwd: work, env, encoding: 'utf8' });
  const installSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  check('npm install -g of the tarball succeeds', install.status === 0, install.stderr.slice(-2000), `${installSeconds.toFixed(1)} s`);
  check('the install printed no warnings about engines or native builds', !/EBADENGINE|gyp|node-pre-gyp|prebuild/i.test(install.stderr + install.stdout), install.stderr.slice(-2000));
  const installed = join(prefix, 'lib', 'node_modules', 'tacpay');
  const size = (p) => {
    const st = statSync(p);
    return st.isDirectory() ? readdirSync(p).reduce((n, e) => n + size(join(p, e)), 0) : st.size;
  };
  if (existsSync(installed)) {
    const deps = existsSync(join(installed, 'node_modules')) ? readdirSync(join(installed, 'node_modules')).length : 0;
    console.log(`installed size ${(size(installed) / 1024 / 1024).toFixed(2)} MB (tacpay ${(size(installed) / 1024 - (existsSync(join(installed, 'node_modules')) ? size(join(installed, 'node_modules')) / 1024 : 0)).toFixed(0)} KB, ${deps} entries in its node_modules)`);
    const natives = [];
    const walk = (d) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else if (e.name.endsWith('.node') || e.name === 'binding.gyp') natives.push(join(d, e.name).slice(installed.length + 1));
      }
    };
    walk(installed);
    check('no native addon anywhere in the installed tree', natives.length === 0, natives.join(', '));
  }

  // 3. The first commands, from a directory that is not the repository, as the user's shell runs them.
  const cwd = mkdtempSync(join(work, 'project-'));
  const bin = join(prefix, 'bin', process.platform === 'win32' ? 'tacpay.cmd' : 'tacpay');
  const run = (args) => spawnSync(bin, args, { cwd, env, encoding: 'utf8', timeout: 60_000 });
  const docPayInfo = JSON.parse(readFileSync(join(ROOT, 'fixtures/vectors/doc-payinfo.json'), 'utf8')).pay_info;

  let r = run(['--help']);
  check('tacpay --help', r.status === 0 && /Usage: tacpay/.test(r.stdout) && r.stderr === '', `exit ${r.status} ${r.stderr.slice(0, 300)}`);
  r = run(['--version']);
  check('tacpay --version prints the package version', r.status === 0 && r.stdout.trim() === pkg.version, r.stdout.trim());
  r = run(['decode', '--json', docPayInfo]);
  let decoded;
  try {
    decoded = JSON.parse(r.stdout);
  } catch {
    decoded = undefined;
  }
  check('tacpay decode <the documented pay_info> --json', r.status === 0 && decoded?.valid === true && decoded?.data?.appid === 'TC100008', `exit ${r.status} ${r.stderr.slice(0, 300)}`);
  r = run(['order', 'create', '--json']);
  let order;
  try {
    order = JSON.parse(r.stdout);
  } catch {
    order = undefined;
  }
  check('tacpay order create (the built-in sandbox, no credentials)', r.status === 0 && order?.response?.ret === 0 && typeof order.response.pay_info === 'string' && order.payInfo?.valid === true, `exit ${r.status} ${r.stderr.slice(0, 500)}`);
  check('order create printed no Node warning', !/Warning:/.test(r.stderr), r.stderr.slice(0, 300));
  r = run(['simulate', 'scenario', 'happy-path', '--json']);
  check('tacpay simulate scenario happy-path', r.status === 0, `exit ${r.status} ${r.stderr.slice(0, 500)}`);
  const cacheDir = join(home, '.cache', 'tacpay', 'code-cache');
  const caches = existsSync(cacheDir) ? readdirSync(cacheDir) : [];
  check('the code cache was made on this machine, for this Node', caches.length === 1 && caches[0].startsWith(`main-${process.version}-`), caches.join(', ') || 'none', caches.join(', '));
  // The doctor's parsers (xmldom, fflate for AARs) come from the installed node_modules, not the repo's.
  const app = join(work, 'doctor-app');
  cpSync(join(ROOT, 'fixtures/projects/plugins/local-aar'), app, { recursive: true });
  r = run(['doctor', app, '--json']);
  let report;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    report = undefined;
  }
  const project = report?.checks?.find((c) => c.id === 'android.project');
  check('tacpay doctor on a project with local AARs (parsers loaded from the install)', r.status === 0 && project?.status === 'pass' && /merged manifest/.test(project.summary), `exit ${r.status} ${(project?.summary ?? r.stderr).slice(0, 300)}`);
  r = run(['--help']);
  check('tacpay --help again, now from the code cache', r.status === 0 && /Usage: tacpay/.test(r.stdout) && r.stderr === '', `exit ${r.status}`);
} catch (err) {
  check('the install check ran to the end', false, err?.stack ?? String(err));
} finally {
  rmSync(work, { recursive: true, force: true });
}
const failed = results.filter((ok) => !ok).length;
console.log(`install check: ${results.length - failed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
