// Count one view of this story: a beacon naming the story and nothing else (no cookie, no
// identifier), sent when the page is shown to someone (a prerendered page never seen is no
// view). Robots that run no script send none; the server refuses known crawlers' beacons.
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.getAttribute("data-beacon");
  if (!url || !navigator.sendBeacon) {
    return;
  }
  function send() {
    navigator.sendBeacon(url);
  }
  if (document.prerendering) {
    document.addEventListener("prerenderingchange", send, { once: true });
  } else {
    send();
  }
})();
