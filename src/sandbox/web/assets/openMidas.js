/*
 * tacpay sandbox: a drop-in for https://midas.gtimg.cn/openmidas/jsapi/openMidas.js (spec §4.6).
 * Load it from the sandbox instead of the real script, and OpenMidas.init / OpenMidas.pay open the
 * sandbox's cashier: as an overlay calling back (popup mode), or as a page that returns to the
 * order's callback_url (redirect mode). No money moves; a success pays the sandbox order and its
 * notification goes to the merchant's notify URL.
 */
(function () {
  'use strict';
  var script = document.currentScript;
  var base = script && script.src ? new URL(script.src).origin : '';
  var env = 'release';

  function cashierUrl(payInfo, appMetadata, mode) {
    return base + '/openmidas/cashier?mode=' + mode + '&env=' + env +
      '&pay_info=' + encodeURIComponent(String(payInfo == null ? '' : payInfo)) +
      '&app_metadata=' + encodeURIComponent(String(appMetadata == null ? '' : appMetadata));
  }

  function popup(payInfo, callback, appMetadata) {
    var overlay = document.createElement('div');
    overlay.setAttribute('data-openmidas-overlay', '');
    var s = overlay.style;
    s.position = 'fixed'; s.top = '0'; s.left = '0'; s.right = '0'; s.bottom = '0'; s.zIndex = '2147483647';
    s.display = 'flex'; s.alignItems = 'center'; s.justifyContent = 'center'; s.background = 'rgba(0,0,0,0.45)';
    var frame = document.createElement('iframe');
    frame.title = 'OpenMidas cashier (tacpay sandbox)';
    frame.src = cashierUrl(payInfo, appMetadata, 'popup');
    var f = frame.style;
    f.width = 'min(420px, 100vw)'; f.height = 'min(600px, 100vh)'; f.border = '0'; f.borderRadius = '12px'; f.background = '#fff';
    overlay.appendChild(frame);
    (document.body || document.documentElement).appendChild(overlay);
    function onMessage(e) {
      // Only the cashier this call opened answers it.
      if (e.source !== frame.contentWindow || e.origin !== base) return;
      var d = e.data;
      if (!d || d.type !== 'openmidas:result') return;
      window.removeEventListener('message', onMessage);
      if (overlay.parentNode) overlay.parentNode.removeChild(overlay);
      callback(d.resultCode, d.innerCode, d.resultMsg, d.appMetadata);
    }
    window.addEventListener('message', onMessage);
  }

  window.OpenMidas = {
    sandbox: 'tacpay',
    init: function (e) {
      if (e !== 'test' && e !== 'release') console.warn('OpenMidas.init: env is "test" or "release", not ' + JSON.stringify(e));
      env = e === 'test' ? 'test' : 'release';
    },
    pay: function (payInfo, callbackOrMetadata, appMetadata) {
      if (typeof callbackOrMetadata === 'function') popup(payInfo, callbackOrMetadata, appMetadata);
      else window.location.href = cashierUrl(payInfo, callbackOrMetadata, 'redirect');
    },
  };
})();
