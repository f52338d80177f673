#!/usr/bin/env node
'use strict';
// Entry point (CommonJS, see bin/package.json: it skips the ESM loader at start-up). Check the Node
// version before loading anything that needs a newer one, then hand over to the bundled CLI.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(
    `tacpay: Node.js 22.13 or newer is required (this is ${process.versions.node}): the sandbox uses Node's built-in SQLite. Install Node.js 22 or 24 LTS and try again.\n`,
  );
  process.exit(1);
}

const { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const Module = require('node:module');
const vm = require('node:vm');

// The bundle is compiled through a V8 code cache: compiling it from source costs ~8 ms on every
// start, most of what tacpay adds to bare Node before --help prints. The cache is made here, on the
// user's machine, by the Node that will read it, after the first run (never shipped: a cache made
// by another Node build can crash Node 20). Its name carries everything V8 checks (Node version,
// arch, flags) and the bundle's size and mtime, so a new tacpay or another Node gets its own, and V8
// still rejects a mismatch by itself. Without a writable cache dir tacpay just compiles each time.
const dist = join(__dirname, '..', 'dist');
const file = join(dist, 'main.cjs');
const source = readFileSync(file, 'utf8');
const cache = codeCachePath();
let cachedData;
if (cache) {
  try {
    cachedData = readFileSync(cache.file);
  } catch {
    cachedData = undefined;
  }
}
const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
const bundle = { exports: {} };
script.runInThisContext()(bundle.exports, Module.createRequire(file), bundle, file, dist);

// import() inside a vm.Script has no module loader of its own; ESM-only packages load through this one.
const done = bundle.exports.runFromProcess({ importModule: (specifier) => import(specifier) });
// A run that fails still fails as it would without a cache: its rejection is not caught here.
if (cache && (cachedData === undefined || script.cachedDataRejected)) done.then(() => saveCodeCache(cache));

/** Where this Node's cache of this bundle lives, or undefined when caching is off or there is no home. */
function codeCachePath() {
  const env = process.env;
  // Node's own switch for its compile cache: honoured here too.
  if (env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  let base;
  if (env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/')) base = env.XDG_CACHE_HOME;
  else if (process.platform === 'win32' && env.LOCALAPPDATA) base = env.LOCALAPPDATA;
  else if (env.HOME) base = process.platform === 'darwin' ? join(env.HOME, 'Library', 'Caches') : join(env.HOME, '.cache');
  else return undefined;
  let st;
  try {
    st = statSync(file);
  } catch {
    return undefined;
  }
  const dir = join(base, 'tacpay', 'code-cache');
  const prefix = `main-${process.version}-${process.arch}-`;
  const build = fnv1a(`${st.size}\0${Math.trunc(st.mtimeMs)}`);
  const flags = fnv1a(`${process.execArgv.join(' ')}\0${env.NODE_OPTIONS || ''}`);
  return { dir, prefix, build, file: join(dir, `${prefix}${build}-${flags}.cache`) };
}

/** Compiles what --help and decode use (warmForCodeCache), then writes the cache atomically; any failure just means no cache. */
function saveCodeCache(cache) {
  return Promise.resolve()
    .then(() => bundle.exports.warmForCodeCache())
    .then(() => {
      makeDirs(cache.dir);
      const tmp = `${cache.file}.${process.pid}.tmp`;
      writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
      renameSync(tmp, cache.file);
      // Caches of other tacpay builds for this same Node are dead weight; other Nodes' and other flags' caches
      // stay. So does a temp file younger than a minute (another first run writing); older ones were left by a crash.
      for (const name of readdirSync(cache.dir)) {
        const path = join(cache.dir, name);
        const stale = name.endsWith('.cache') ? name.startsWith(cache.prefix) && !name.startsWith(`${cache.prefix}${cache.build}-`) : name.endsWith('.tmp') && Date.now() - statSync(path).mtimeMs > 60_000;
        if (stale) unlinkSync(path);
      }
    })
    .catch(() => {});
}

/**
 * mkdir -p that always ends: Node's recursive mkdirSync loops for ever under a parent that refuses
 * children with ENOENT, as /proc does (HOME=/proc/nonexistent hung every command here).
 */
function makeDirs(dir) {
  const parent = dirname(dir);
  if (parent !== dir) {
    try {
      statSync(parent);
    } catch {
      makeDirs(parent);
    }
  }
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if (err.code !== 'EEXIST') throw err;
  }
}

/** FNV-1a, 32 bits, as hex: a short stable name for the cache key (node:crypto would cost ~10 ms to load). */
function fnv1a(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}
