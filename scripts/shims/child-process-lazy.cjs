'use strict';
// Build-time stand-in for node:child_process inside commander, which requires it at load but uses
// it only to run executable subcommands (spawn), which tacpay has none of. Loading the real module
// costs ~4-5 ms of every start (it pulls in net, dgram and streams); this loads it on first use.
let real;
module.exports = new Proxy(
  {},
  {
    get(_target, name) {
      real ??= require('node:child_process');
      return real[name];
    },
  },
);
