#!/usr/bin/env node
'use strict';
// Entry point (CommonJS, see bin/package.json: it skips the ESM loader at start-up). Check the Node
// version before loading anything that needs a newer one, then hand over to the bundled CLI.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 12)) {
  process.stderr.write(`tacpay: Node.js >= 20.12 is required (this is ${process.versions.node}). Install a newer Node.js and try again.\n`);
  process.exit(1);
}
require('../dist/main.cjs').runFromProcess();
