// Fills the page's ad slots (dateline.ads): each asks /ads/pick when it comes near the
// viewport, so the story's text never waits and a cached page still rotates its ads. A shown
// ad is counted once by the readership beacon. No cookie is sent, none is set.
(function () {
  "use strict";
  var me = document.currentScript;
  var pickUrl = (me && me.dataset.pick) || "/ads/pick";
  var slots = document.querySelectorAll("[data-ad-slot]");
  if (!slots.length || !window.fetch) return;
  var tagged = document.querySelector("[data-ad-tags]");
  var pageTags = tagged ? tagged.dataset.adTags : "";
  var sectioned = document.querySelector("[data-ad-section]");
  var pageSection = sectioned ? sectioned.dataset.adSection : "";

  function send(url) {
    // fetch first: sendBeacon always sends the reader's cookies (a desk session among them),
    // which the count never reads.
    if (window.fetch) {
      fetch(url, {method: "POST", credentials: "omit", keepalive: true, cache: "no-store"})
        .catch(function () {});
    } else if (navigator.sendBeacon) {
      navigator.sendBeacon(url);
    }
  }

  function counted(slot, url) {
    // An impression is a slot at least half on screen, once.
    if (!("IntersectionObserver" in window)) return send(url);
    var seen = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        seen.disconnect();
        send(url);
      });
    }, {threshold: 0.5});
    seen.observe(slot);
  }

  function fill(slot) {
    var query = new URLSearchParams({slot: slot.dataset.adSlot});
    var section = slot.dataset.adSection || pageSection;
    // At most the 30 tags /ads/pick reads.
    var tags = (slot.dataset.adTags || pageTags).split(",").slice(0, 30).join(",");
    if (section) query.set("section", section);
    if (tags) query.set("tags", tags);
    fetch(pickUrl + "?" + query, {credentials: "omit"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) {
        var box = slot.querySelector(".ad-box");
        if (!answer || !box) return;
        if (answer.frame) {
          var frame = document.createElement("iframe");
          // No allow-same-origin: the tag runs on an opaque origin, not ours.
          frame.setAttribute("sandbox", "allow-scripts allow-popups allow-popups-to-escape-sandbox");
          frame.setAttribute("referrerpolicy", "no-referrer");
          frame.title = "Advertisement";
          frame.width = answer.width;
          frame.height = answer.height;
          frame.src = answer.frame;
          box.appendChild(frame);
          slot.dataset.adFilled = "frame";
        } else if (answer.ad) {
          box.innerHTML = answer.ad.html;  // our own server's sanitised markup
          slot.dataset.adFilled = answer.ad.campaign;
          counted(slot, answer.ad.impression);
        } else {
          slot.dataset.adFilled = "none";
        }
      })
      .catch(function () { /* no ad: the reserved box stays empty */ });
  }

  if (!("IntersectionObserver" in window)) {
    slots.forEach(fill);
    return;
  }
  var near = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (!entry.isIntersecting) return;
      near.unobserve(entry.target);
      fill(entry.target);
    });
  }, {rootMargin: "300px 0px"});
  slots.forEach(function (slot) { near.observe(slot); });
})();
