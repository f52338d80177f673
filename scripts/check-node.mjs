// `npm test` on a Node older than tacpay supports would fail hundreds of tests for one reason (no
// node:sqlite): say that reason once, and how to get a supported Node here, instead.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  console.error(`tacpay needs Node.js 22.13 or newer to run its tests (this is ${process.versions.node}).`);
  console.error('Get Node 24 from the npm registry and run again:  export PATH="$(scripts/node-lts.sh 24):$PATH" && npm test');
  process.exit(1);
}
