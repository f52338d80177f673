/* tacpay sandbox dashboard: live updates. Polls a change stamp each second; when it moves, the
   orders and requests section is fetched again (with the page's own filter) and swapped in. */
(function () {
  'use strict';
  var stampEl = document.getElementById('stamp');
  var live = document.getElementById('live');
  if (!stampEl || !live) return;
  var stamp = stampEl.getAttribute('data-stamp');
  var busy = false;
  function poll() {
    if (busy || document.hidden) return;
    busy = true;
    fetch('/_dashboard/stamp', { cache: 'no-store' })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.stamp === stamp) return;
        stamp = s.stamp;
        return fetch('/_dashboard/live' + window.location.search, { cache: 'no-store' })
          .then(function (r) { return r.text(); })
          .then(function (html) {
            var t = document.createElement('template');
            t.innerHTML = html;
            var fresh = t.content.getElementById('live');
            if (fresh) { live.replaceWith(fresh); live = fresh; }
          });
      })
      .catch(function () { /* the sandbox stopped: try again next second */ })
      .then(function () { busy = false; });
  }
  setInterval(poll, 1000);
})();
