// Keeps the "Latest" ticker, the breaking-news banner and live coverage current from the
// event stream. The page works without it: all three are rendered by the server.
(function () {
  "use strict";
  var strip = document.querySelector(".live-strip[data-live-url]");
  if (!strip || !strip.dataset.liveUrl || !window.EventSource) return;

  var TICKER_SIZE = 5;
  var ticker = strip.querySelector(".ticker");
  var list = strip.querySelector(".ticker-list");
  // A link tabbed to is shown whole: Chromium left one half past the list's edge, its focus
  // ring cut off.
  if (list) list.addEventListener("focusin", function (event) {
    event.target.scrollIntoView({ block: "nearest", inline: "nearest" });
  });
  var banner = strip.querySelector(".breaking-banner");
  var coverage = document.querySelector(".live-coverage[data-article]");

  // Start after the oldest event any part of this page was rendered at: a page from the
  // cache then hears everything that happened since.
  var cursor = Infinity;
  document.querySelectorAll("[data-last-event]").forEach(function (el) {
    var n = parseInt(el.dataset.lastEvent, 10);
    if (n >= 0 && n < cursor) cursor = n;
  });
  var url = strip.dataset.liveUrl;
  if (cursor !== Infinity) url += (url.indexOf("?") < 0 ? "?" : "&") + "last_event_id=" + cursor;

  // A strip without the setting (rendered before it was added) keeps no time limit.
  var breakingHours = parseFloat(strip.dataset.breakingHours);
  if (isNaN(breakingHours)) breakingHours = Infinity;

  // HTML's date-time takes at most three digits of a second; the stream sends six.
  function machineTime(value) {
    return String(value).replace(/(\.\d{3})\d+/, "$1");
  }

  function tickerItem(story) {
    var li = document.createElement("li");
    li.dataset.article = story.id;
    var time = document.createElement("time");
    if (story.published_at) time.dateTime = machineTime(story.published_at);
    time.textContent = story.time || "";
    var link = document.createElement("a");
    link.href = story.url;
    link.textContent = story.headline;
    li.append(time, " ");
    if (!banner.hidden && banner.querySelector("a").dataset.article === String(story.id)) {
      // The list is the live region a screen reader hears: it says what the banner shows.
      var said = document.createElement("span");
      said.className = "visually-hidden";
      said.textContent = "Breaking: ";
      li.append(said);
    }
    li.append(link);
    return li;
  }

  // The server's rule (DATELINE_BREAKING_HOURS): an old story marked breaking, heard again
  // from the stream's replay, is not news breaking now.
  function isRecent(story) {
    var at = Date.parse(story.published_at);
    return !isNaN(at) && Date.now() - at < breakingHours * 3600 * 1000;
  }

  // What a reader sees of the list: replaced only when that changes, or a screen reader
  // would read all five headlines again on every page and every reconnection.
  function shownAs(items) {
    return items.map(function (li) {
      var link = li.querySelector("a");
      return li.dataset.article + "\n" + li.textContent + "\n" + (link ? link.href : "");
    }).join("\n\n");
  }

  function findItem(id) {
    return list.querySelector('li[data-article="' + Number(id) + '"]');
  }

  function publishedAt(li) {
    var time = li.querySelector("time");
    return time ? Date.parse(time.dateTime) : NaN;
  }

  // In its place by publication time, as the server's list is (the five newest): a story
  // published again after a kill, or back-dated, keeps its old time and was put on top of
  // "Latest" on open pages only.
  function putInPlace(story) {
    var old = findItem(story.id);
    if (old) old.remove();
    var at = Date.parse(story.published_at);
    var after = Array.prototype.find.call(list.children, function (li) {
      return !(publishedAt(li) > at);  // an item older, or of no known time
    });
    if (after) list.insertBefore(tickerItem(story), after);
    else if (list.children.length < TICKER_SIZE) list.append(tickerItem(story));
    while (list.children.length > TICKER_SIZE) list.lastElementChild.remove();
    ticker.hidden = list.children.length === 0;
  }

  function updateInPlace(story) {
    var old = findItem(story.id);
    if (old) old.replaceWith(tickerItem(story));
  }

  function showBreaking(story) {
    if (!isRecent(story)) return;
    // The story the banner showed before is no longer called breaking in the list.
    list.querySelectorAll("li:not([data-article='" + Number(story.id) + "']) .visually-hidden")
      .forEach(function (said) { said.remove(); });
    var link = banner.querySelector("a");
    link.href = story.url;
    link.textContent = story.headline;
    link.dataset.article = story.id;
    banner.hidden = false;
  }

  function clearBreaking(id) {
    var link = banner.querySelector("a");
    if (link.dataset.article !== String(id)) return;
    banner.hidden = true;
    var item = findItem(id);
    var said = item && item.querySelector(".visually-hidden");
    if (said) said.remove();
  }

  // A story whose coverage began after the page was rendered has no coverage section yet:
  // the page still listens for its entries and builds the section, as the server renders it,
  // when the first one arrives.
  function coverageFor(articleId) {
    if (coverage) return coverage.dataset.article === String(articleId) ? coverage : null;
    var story = document.querySelector("article.story[data-article]");
    if (!story || story.dataset.article !== String(articleId)) return null;
    coverage = document.createElement("section");
    coverage.className = "live-coverage";
    coverage.dataset.article = story.dataset.article;
    coverage.setAttribute("aria-labelledby", "live-coverage-title");
    var title = document.createElement("h2");
    title.id = "live-coverage-title";
    var flag = document.createElement("span");
    flag.className = "live-flag";
    flag.textContent = "Live";
    title.append(flag, " Latest updates");
    var entries = document.createElement("ol");
    entries.className = "live-entries";
    entries.setAttribute("aria-live", "polite");
    coverage.append(title, entries);
    var body = story.querySelector(".story-body");
    if (body) body.before(coverage); else story.append(coverage);
    return coverage;
  }

  function addEntry(entry) {
    if (!coverageFor(entry.article)) return;
    if (document.getElementById("entry-" + Number(entry.entry))) return;
    var entries = coverage.querySelector(".live-entries");
    var none = entries.querySelector(".live-entry-none");
    if (none) none.remove();
    var li = document.createElement("li");
    li.className = "live-entry live-entry-new";
    li.id = "entry-" + Number(entry.entry);
    var when = document.createElement("p");
    when.className = "live-entry-time";
    var time = document.createElement("time");
    time.dateTime = machineTime(entry.created_at);
    time.textContent = entry.time;
    when.append(time);
    if (entry.author) {
      var author = document.createElement("span");
      author.className = "live-entry-author";
      author.textContent = entry.author;
      when.append(" ", author);
    }
    var body = document.createElement("div");
    body.className = "live-entry-body";
    // Sanitised by the server when the entry was saved, as on the rendered page.
    body.innerHTML = entry.html;
    li.append(when, body);
    entries.prepend(li);
  }

  function removeEntry(entry) {
    var li = document.getElementById("entry-" + Number(entry.entry));
    if (li) li.remove();
  }

  function on(kind, handle) {
    source.addEventListener(kind, function (message) {
      var data;
      try { data = JSON.parse(message.data); } catch (e) { return; }
      handle(data);
    });
  }

  var source = new EventSource(url);
  // Which story the banner shows now ({}: none), sent with the list after a kill or a story
  // no longer breaking: an older story still breaking takes the banner back.
  on("banner", function (story) {
    if (story && story.id && isRecent(story)) return showBreaking(story);
    var link = banner.querySelector("a");
    if (link.dataset.article) clearBreaking(link.dataset.article);
  });
  on("latest", function (stories) {
    if (!Array.isArray(stories)) return;
    var items = stories.slice(0, TICKER_SIZE).map(tickerItem);
    if (shownAs(items) !== shownAs(Array.prototype.slice.call(list.children))) {
      list.replaceChildren.apply(list, items);
    }
    ticker.hidden = stories.length === 0;
  });
  on("published", putInPlace);
  on("breaking", function (story) {
    if (!isRecent(story)) return onUpdated(story);
    showBreaking(story);
    putInPlace(story);
  });
  on("updated", onUpdated);
  function onUpdated(story) {
    var shown = banner.querySelector("a").dataset.article;
    var breaking = story.breaking && isRecent(story);
    if (breaking && (banner.hidden || shown === String(story.id))) showBreaking(story);
    else if (!breaking) clearBreaking(story.id);
    updateInPlace(story);  // after the banner: its item says "Breaking" only while it shows
  }
  on("unpublished", function (story) {
    var old = findItem(story.id);
    if (old) old.remove();
    clearBreaking(story.id);
  });
  on("entry", addEntry);
  on("entry-removed", removeEntry);
  document.documentElement.dataset.live = "connecting";
  source.addEventListener("open", function () {
    document.documentElement.dataset.live = "open";
  });
})();
