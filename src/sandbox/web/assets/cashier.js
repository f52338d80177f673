/* tacpay sandbox cashier: hands the chosen result to the page that called OpenMidas.pay (popup mode). */
(function () {
  'use strict';
  var el = document.getElementById('openmidas-result');
  if (!el || window.parent === window) return;
  var r = JSON.parse(el.getAttribute('data-result'));
  // The merchant page may be on any origin (or file:): the result holds nothing secret.
  window.parent.postMessage({ type: 'openmidas:result', resultCode: r.resultCode, innerCode: r.innerCode, resultMsg: r.resultMsg, appMetadata: r.appMetadata }, '*');
})();
