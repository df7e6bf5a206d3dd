// The foreign-media monitor renews its list in place: every data-poll seconds it fetches the
// JSON of today's clusters, rebuilds the list (keeping what the editor ticked) and says how
// many clusters are new in a polite live region. Text goes in as text, never as HTML.
(function () {
  "use strict";
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function time(iso, short) {
    var d = new Date(iso);
    var hm = ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
    return el("time", {datetime: iso}, short ? hm : hm + ", " + d.getDate() + " " +
      d.toLocaleString("en-GB", {month: "short"}));
  }
  function button(label, described, attrs) {
    var b = el("button", Object.assign({type: "submit", "class": "button",
                                        "aria-describedby": described}, attrs), label);
    return b;
  }
  function itemRow(form, item, ticked) {
    var li = el("li", {"class": "monitor-item"});
    var id = "item-" + item.id;
    var name = item.outlet + ": " + item.headline;
    if (form.dataset.canReview) {
      var box = el("input", {type: "checkbox", name: "items", value: item.id, id: id});
      box.checked = ticked.has(String(item.id));
      li.append(box, " ", el("label", {"for": id}, name));
    } else {
      li.append(el("span", {id: id}, name));
    }
    var meta = el("span", {"class": "monitor-item-meta"},
                  " " + (item.language || "language unknown") + ", first seen ");
    meta.append(time(item.first_seen_at, true), item.used ? ", used" : "");
    li.append(" ", meta);
    if (item.snippet) {  // [before, the mention, after]: text nodes, never markup
      var words = el("p", {"class": "monitor-snippet"}, item.snippet[0]);
      words.append(el("mark", {}, item.snippet[1]), item.snippet[2]);
      li.append(words);
    }
    if (item.link && /^https?:/.test(item.link)) {
      li.append(" ", el("a", {href: item.link, rel: "noopener noreferrer",
                              "aria-describedby": id}, "Open the outlet's page"));
    }
    if (form.dataset.canDraft) {
      li.append(" ", button("Draft from this item", id,
        {formaction: form.dataset.itemDraft.replace("/0/", "/" + item.id + "/")}));
    }
    if (form.dataset.canReview) {
      li.append(" ", button("Add to press review", id, {name: "only", value: item.id}));
    }
    return li;
  }
  function clusterRow(form, c, ticked) {
    var li = el("li", {"class": "monitor-cluster", "data-cluster": c.id});
    var hid = "cluster-" + c.id;
    li.append(el("h2", {id: hid}, c.headline));
    var n = c.outlets.length;
    var meta = el("p", {"class": "monitor-meta"}, n + " outlet" + (n === 1 ? "" : "s") + ": " +
      c.outlets.join(", ") + " · languages: " + (c.languages.join(", ") || "unknown") +
      " · first seen ");
    meta.append(time(c.first_seen_at), " · names " + c.terms.join(", "));
    li.append(meta);
    if (form.dataset.canDraft) {
      li.append(button("Draft from the whole cluster", hid,
        {formaction: form.dataset.clusterDraft.replace("/0/", "/" + c.id + "/")}));
    }
    var ul = el("ul", {"class": "monitor-items"});
    c.items.forEach(function (item) { ul.append(itemRow(form, item, ticked)); });
    li.append(ul);
    return li;
  }
  function start() {
    var form = document.getElementById("monitor-form");
    var list = document.getElementById("monitor-clusters");
    var status = document.getElementById("monitor-status");
    if (!form || !list) { return; }
    var known = new Set(Array.from(list.querySelectorAll("[data-cluster]"),
                                   function (li) { return li.dataset.cluster; }));
    function renew() {
      fetch(form.dataset.feed, {credentials: "same-origin", headers: {Accept: "application/json"}})
        .then(function (answer) { if (!answer.ok) { throw new Error(answer.status); } return answer.json(); })
        .then(function (data) {
          // A ticked box keeps its focus across the renewal (found again by its id); while
          // the editor is on a button or link the list waits, so it does not move under them.
          var focused = list.contains(document.activeElement) ? document.activeElement : null;
          if (focused && !focused.id) { return; }
          var ticked = new Set(Array.from(form.querySelectorAll("input[name=items]:checked"),
                                          function (box) { return box.value; }));
          var fresh = data.clusters.filter(function (c) { return !known.has(String(c.id)); });
          var rows = data.clusters.map(function (c) { return clusterRow(form, c, ticked); });
          if (!rows.length) {
            rows = [el("li", {"class": "monitor-none"},
                       "No story of the last 24 hours names a watched term yet.")];
          }
          list.replaceChildren.apply(list, rows);
          if (focused && document.getElementById(focused.id)) {
            document.getElementById(focused.id).focus();
          }
          data.clusters.forEach(function (c) { known.add(String(c.id)); });
          if (fresh.length) {
            status.textContent = fresh.length + " new stor" + (fresh.length === 1 ? "y" : "ies") +
              " in the list: " + fresh.map(function (c) { return c.headline; }).join("; ");
          }
        })
        .catch(function () { status.textContent = "The list could not be renewed; trying again."; });
    }
    form.renew = renew;  // the browser test renews at once instead of waiting
    window.setInterval(renew, (parseInt(form.dataset.poll, 10) || 30) * 1000);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else { start(); }
}());
