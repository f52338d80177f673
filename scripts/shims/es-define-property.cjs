'use strict';
// Build-time stand-in for `es-define-property` (see side-channel.cjs): Node >= 20 always has it.
module.exports = Object.defineProperty;
