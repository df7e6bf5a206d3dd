// Count one view of this story: a POST naming the story and nothing else, sent when the page
// is shown to someone (a prerendered page never seen is no view). It carries no cookie
// (credentials "omit"; sendBeacon, the fallback, cannot leave them out, and the server reads
// none) and no identifier. Robots that run no script send none; the server refuses known
// crawlers' user agents.
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.getAttribute("data-beacon");
  if (!url) {
    return;
  }
  function send() {
    if (window.fetch) {
      window.fetch(url, { method: "POST", credentials: "omit", keepalive: true,
                          cache: "no-store" }).catch(function () {});
    } else if (navigator.sendBeacon) {
      navigator.sendBeacon(url);
    }
  }
  if (document.prerendering) {
    document.addEventListener("prerenderingchange", send, { once: true });
  } else {
    send();
  }
})();
