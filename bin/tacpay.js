#!/usr/bin/env node
// Entry point: check the Node version before loading anything that needs a newer one,
// then hand over to the bundled CLI. Nothing else belongs here.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 12)) {
  process.stderr.write(`tacpay: Node.js >= 20.12 is required (this is ${process.versions.node}). Install a newer Node.js and try again.\n`);
  process.exit(1);
}
const { runFromProcess } = await import('../dist/main.js');
await runFromProcess();
