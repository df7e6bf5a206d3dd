// Every desk page with a login: what an editor typed is never posted into an ended session.
// A session ends with a page open (it expired, they logged out in another tab, their password
// was changed); Django's admin then answers a form with its login page, and the text was gone.
// So the page keeps track of its session, and while it has ended it holds every post form,
// says so, and keeps the page as it is. Once the editor has logged in again (in another tab),
// the page takes that login's CSRF token into all its forms, since Django gives every login a
// new one. It learns of the session:
//  - at once from the other tabs: logging out, or a desk page opened with a login, is told to
//    every tab through localStorage's "storage" event;
//  - every 15 s while it is shown, and when it is shown again (newsroom/desk/session.py);
//  - from the editor's autosave and heartbeat (editor.js), through window.deskSession.
// Other forms are never held back to ask first: the page they post to starts loading at once.
// The story editor's form is: its text is the one thing an editor cannot type again, and a
// session ended in the seconds before the next check, or a connection gone, took whatever was
// typed since the last autosave. So its Save and workflow buttons ask first (one short
// request), and send only once the session holds; otherwise the page stays as it is, saying
// why.
(function () {
  "use strict";

  var script = document.currentScript;
  var CHECK_URL = script.dataset.sessionUrl;
  var LOGIN_URL = script.dataset.loginUrl;
  var CHECK_EVERY_MS = 15000;
  var TOLD = "dateline-desk-session";  // the localStorage key the tabs tell each other by
  var loggedOut = false;
  var alertBox = null;

  function banner() {
    if (alertBox) return alertBox;
    alertBox = document.createElement("p");
    alertBox.id = "session-ended";
    alertBox.className = "session-ended";
    alertBox.setAttribute("role", "alert");
    alertBox.tabIndex = -1;
    var link = document.createElement("a");
    link.href = LOGIN_URL;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = "log in again in a new tab";
    alertBox.append("You are logged out, so nothing on this page can be saved. Your text is " +
      "still here: ", link, ", then come back to this one; it notices at once, and saving " +
      "works again.");
    var content = document.getElementById("content") || document.body;
    content.prepend(alertBox);
    return alertBox;
  }

  function say(holds) {
    document.dispatchEvent(new CustomEvent("desk-session", { detail: { holds: holds } }));
  }

  // How many times the page has heard the session end: an answer to a check asked before
  // the last of them (the other tab logged out while it travelled) says nothing of now.
  var endings = 0;

  function ended() {
    endings += 1;
    if (loggedOut) return;
    loggedOut = true;
    banner().hidden = false;
    say(false);
  }

  function tell(state) {
    try { window.localStorage.setItem(TOLD, state + ":" + Date.now()); } catch (e) { /* off */ }
  }

  // Whether the session holds; if it does, every form on the page takes its CSRF token.
  function check() {
    var asked = endings;
    return fetch(CHECK_URL, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (r.status === 401) { ended(); return false; }
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json().then(function (answer) {
          if (asked !== endings) return false;  // stale: the session ended since
          document.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (i) {
            i.value = answer.csrf;
          });
          if (loggedOut) {
            loggedOut = false;
            alertBox.hidden = true;
            say(true);
          }
          return true;
        });
      });
  }

  function checkQuietly() { check().catch(function () {}); }

  var ASK_FIRST = "article_form";
  var ASK_MS = 8000;
  var HOLD_MS = 15000;
  var offlineBox = null;

  function offline(shown) {
    if (!offlineBox) {
      offlineBox = document.createElement("p");
      offlineBox.id = "no-connection";
      offlineBox.className = "session-ended";
      offlineBox.setAttribute("role", "alert");
      offlineBox.tabIndex = -1;
      offlineBox.textContent = "No connection to the desk, so nothing was sent. Your text is " +
        "still here: press the button again once you are back online.";
      (document.getElementById("content") || document.body).prepend(offlineBox);
    }
    offlineBox.hidden = !shown;
    if (shown) offlineBox.focus();
  }

  // Asked with a time limit: a connection that hangs is no connection.
  function checkInTime() {
    return Promise.race([check(), new Promise(function (resolve, reject) {
      setTimeout(function () { reject(new Error("no answer")); }, ASK_MS);
    })]);
  }

  // Added before any page script's own (this script comes first), so a held submission
  // reaches none of them.
  function guard(form) {
    var asking = false;
    var sending = false;
    // Once a post of the story has gone, the page is on its way out: a second press (a double
    // click, or Save pressed again while the answer loads) would ask again and post the same
    // text twice, two revisions or a refusal beside the first one's "done". Until the page is
    // shown again (Back brings it from the browser's cache as it was), presses are held; for
    // HOLD_MS at most, since a post the editor stopped (Esc) leaves the page here for good.
    var postedAt = 0;
    if (form.id === ASK_FIRST) {
      window.addEventListener("submit", function (event) {
        // On window, after every listener of the form: a submission none of them stopped.
        if (event.target === form && !event.defaultPrevented) postedAt = Date.now();
      });
      window.addEventListener("pageshow", function () { postedAt = 0; });
    }
    form.addEventListener("submit", function (event) {
      if (postedAt && Date.now() - postedAt < HOLD_MS) {
        event.preventDefault();
        event.stopImmediatePropagation();
        return;
      }
      if (loggedOut) {
        event.preventDefault();
        event.stopImmediatePropagation();
        alertBox.focus();
        checkQuietly();  // perhaps logged in again meanwhile: the next press goes
        return;
      }
      if (form.id !== ASK_FIRST || sending) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      if (asking) return;  // a second press while the first asks: one post
      asking = true;
      var submitter = event.submitter;
      checkInTime().then(function (holds) {
        asking = false;
        offline(false);
        if (!holds) { alertBox.focus(); return; }
        sending = true;
        try {
          form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
        } finally {
          sending = false;
        }
      }, function () {
        asking = false;
        offline(true);
      });
    });
  }

  window.deskSession = {
    check: check,
    ended: ended,
    get loggedOut() { return loggedOut; },
  };
  // A deferred script runs once the page is parsed: every form is there.
  document.querySelectorAll("form").forEach(function (form) {
    if (form.method !== "post") return;
    if (form.id === "logout-form") {
      form.addEventListener("submit", function () { tell("out"); });
    } else {
      guard(form);
    }
  });
  window.addEventListener("storage", function (event) {
    if (event.key !== TOLD || !event.newValue) return;
    if (event.newValue.indexOf("out:") === 0) ended();
    else checkQuietly();  // a login elsewhere: its token, and the notice gone
  });
  setInterval(function () {
    if (document.visibilityState === "visible") checkQuietly();
  }, CHECK_EVERY_MS);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") checkQuietly();
  });
  tell("in");  // this page opened with a login: the other tabs take its token

  // A button that cannot be taken back asks first (data-confirm: its question): one click
  // killed a published story, or removed a live entry readers had, with nothing between.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
}());
