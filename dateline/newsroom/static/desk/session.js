// Every desk page with a login: what an editor typed is never posted into an ended session.
// A session ends with a page open (it expired, they logged out in another tab, their password
// was changed); Django's admin then answers a form with its login page, and the text was gone.
// So each post form asks first (newsroom/desk/session.py), and if the session ended, says so
// and keeps the page as it is. Once the editor has logged in again (in another tab), the page
// takes that login's CSRF token into all its forms, since Django gives every login a new one.
// The editor's page (editor.js) also hears of it from its autosave, through window.deskSession.
(function () {
  "use strict";

  var script = document.currentScript;
  var CHECK_URL = script.dataset.sessionUrl;
  var LOGIN_URL = script.dataset.loginUrl;
  var RECHECK_EVERY_MS = 4000;
  var loggedOut = false;
  var alertBox = null;
  var recheck = null;

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
      "still here: ", link, ", then come back to this one; it notices within seconds, and " +
      "saving works again.");
    var content = document.getElementById("content") || document.body;
    content.prepend(alertBox);
    return alertBox;
  }

  function say(holds) {
    document.dispatchEvent(new CustomEvent("desk-session", { detail: { holds: holds } }));
  }

  function ended() {
    if (loggedOut) return;
    loggedOut = true;
    banner().hidden = false;
    recheck = setInterval(function () { check().catch(function () {}); }, RECHECK_EVERY_MS);
    say(false);
  }

  // Whether the session holds; if it does, every form on the page takes its CSRF token.
  function check() {
    return fetch(CHECK_URL, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (r.status === 401) { ended(); return false; }
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json().then(function (answer) {
          document.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (i) {
            i.value = answer.csrf;
          });
          if (loggedOut) {
            loggedOut = false;
            clearInterval(recheck);
            alertBox.hidden = true;
            say(true);
          }
          return true;
        });
      });
  }

  // Added before any page script's own (this script comes first), so the held submission
  // reaches none of them; the one made once the session holds reaches each once.
  function guard(form) {
    var confirmed = false;
    var asking = false;
    form.addEventListener("submit", function (event) {
      if (confirmed) { confirmed = false; return; }
      event.preventDefault();
      event.stopImmediatePropagation();
      if (asking) return;  // a second click while the first is asked about
      asking = true;
      var button = event.submitter && event.submitter.form === form ? event.submitter : null;
      check()
        .then(function (holds) {
          if (!holds) { alertBox.focus(); return; }
          confirmed = true;
          form.requestSubmit(button);
        })
        .catch(function () {
          window.alert("Not sent: the desk cannot be reached. Your text is still on the " +
            "page; try again in a moment.");
        })
        .finally(function () { asking = false; });
    });
  }

  window.deskSession = {
    check: check,
    ended: ended,
    get loggedOut() { return loggedOut; },
  };
  // A deferred script runs once the page is parsed: every form is there. Logging out needs
  // no session.
  document.querySelectorAll("form").forEach(function (form) {
    if (form.method === "post" && form.id !== "logout-form") guard(form);
  });
}());
