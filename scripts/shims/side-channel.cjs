'use strict';
// Build-time stand-in for the `side-channel` polyfill that qs depends on. Node >= 20 has WeakMap and
// Map natively; the polyfill's dependency tree (get-intrinsic & co.) costs ~10 ms of start-up for
// no behaviour we need. Same API: get, has, set, delete, assert.
module.exports = function getSideChannel() {
  var weak = new WeakMap();
  var strong = new Map();
  function store(key) {
    return key !== null && (typeof key === 'object' || typeof key === 'function') ? weak : strong;
  }
  return {
    assert: function (key) {
      if (!store(key).has(key)) throw new TypeError('Side channel does not contain the given key');
    },
    delete: function (key) { return store(key).delete(key); },
    get: function (key) { return store(key).get(key); },
    has: function (key) { return store(key).has(key); },
    set: function (key, value) { store(key).set(key, value); },
  };
};
