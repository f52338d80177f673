#!/usr/bin/env node
'use strict';
// Entry point (CommonJS, see bin/package.json: it skips the ESM loader at start-up). Check the Node
// version before loading anything that needs a newer one, then hand over to the bundled CLI.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 12)) {
  process.stderr.write(`tacpay: Node.js >= 20.12 is required (this is ${process.versions.node}). Install a newer Node.js and try again.\n`);
  process.exit(1);
}

const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const Module = require('node:module');
const vm = require('node:vm');

// The bundle is compiled through a V8 code cache made at build time (scripts/build.mjs): compiling
// the whole bundle costs ~13 ms on every start, more than tacpay's own work before --help prints.
// Node 22 has module.enableCompileCache() for this; Node 20 does not, so this is its few lines.
// A cache made by another V8 version is rejected by V8 itself and the bundle compiles as usual.
const dist = join(__dirname, '..', 'dist');
const file = join(dist, 'main.cjs');
let cachedData;
try {
  cachedData = readFileSync(`${file}.cache`);
} catch {
  cachedData = undefined;
}
const script = new vm.Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, cachedData });
const bundle = { exports: {} };
script.runInThisContext()(bundle.exports, Module.createRequire(file), bundle, file, dist);

// import() inside a vm.Script has no module loader on Node 20; ESM-only packages load through this one.
const done = bundle.exports.runFromProcess({ importModule: (specifier) => import(specifier) });
// Set only by scripts/build.mjs: after one run, save what V8 compiled so later starts skip it.
if (process.env.TACPAY_WRITE_CODE_CACHE === '1') done.then(() => bundle.exports.warmForCodeCache()).then(() => writeFileSync(`${file}.cache`, script.createCachedData()));
