// Every desk page: what an editor sent into a session that had ended is given back.
// session.js holds a form while the page knows its session has ended; but a session can end
// without the page knowing yet (it expired, or was ended on the server, between two of its
// looks), and the admin then answers the post with its login page. So each post form's
// fields are kept in this tab (sessionStorage) as it is sent, and the next page the tab opens
// says what became of them:
//  - the login page, at once: they were not saved. It says so; the login returns to the page
//    they were sent from (DeskSite.admin_view), which puts them back in their form;
//  - any other page opened by following the answer: the server took them (saved, or refused
//    with a message);
//  - the page they were sent from, come back to with Back and no desk page in between: the
//    desk never answered them (a 503 while the database was locked, a time-out, a lost
//    connection). They are put back in their form, saying so.
// The article form is left out: its autosave keeps its text on the server, and editor.js
// keeps what a Save sent that the desk never answered.
(function () {
  "use strict";

  var KEY = "dateline-desk-sent";
  var KEPT_FOR_MS = 60 * 60 * 1000;  // an hour to log in again
  var LOGIN_WITHIN_MS = 30 * 1000;  // the login page that answers the post itself
  var FIELDS = "textarea, select, input";
  var NOT_TYPED = /^(hidden|submit|button|reset|file|password|image)$/;
  var SITE_ZONE = document.currentScript && document.currentScript.dataset.siteZone;

  function read() {
    try { return JSON.parse(window.sessionStorage.getItem(KEY)); } catch (e) { return null; }
  }
  function write(sent) {
    try { window.sessionStorage.setItem(KEY, JSON.stringify(sent)); } catch (e) { /* off */ }
  }
  function forget() {
    try { window.sessionStorage.removeItem(KEY); } catch (e) { /* off */ }
  }
  function here() { return window.location.pathname + window.location.search; }
  // Whether the editor came back to this page (Back or Forward) rather than following a link
  // or an answer to it: a post the desk answered was forgotten by its answer's page.
  function cameBack() {
    var entry = (window.performance.getEntriesByType("navigation") || [])[0];
    return Boolean(entry) && entry.type === "back_forward";
  }
  // On the site's clock, as the desk's other notices say a time.
  function clock(at) {
    return new Date(at).toLocaleTimeString("en-GB", { timeZone: SITE_ZONE || undefined,
      hourCycle: "h23" });
  }

  function notice(text, before) {
    var box = document.createElement("p");
    box.className = "errornote unsent-note";
    box.setAttribute("role", "alert");
    box.tabIndex = -1;
    box.textContent = text;
    before.parentNode.insertBefore(box, before);
    return box;
  }

  // The fields an editor fills in (not hidden, password or file inputs, nor buttons).
  function typed(form) {
    return Array.from(form.querySelectorAll(FIELDS)).filter(function (el) {
      return el.name && !el.disabled && !NOT_TYPED.test(el.type);
    });
  }

  function fieldsOf(form) {
    return typed(form).map(function (el) {
      if (el.type === "checkbox" || el.type === "radio") return [el.name, el.value, el.checked];
      if (el.tagName === "SELECT") {
        return [el.name, Array.from(el.selectedOptions, function (o) { return o.value; })];
      }
      return [el.name, el.value];
    });
  }

  function putBack(form, fields) {
    var elements = typed(form);
    fields.forEach(function (field) {
      elements.forEach(function (el) {
        if (el.name !== field[0]) return;
        if (el.type === "checkbox" || el.type === "radio") {
          if (el.value === field[1]) el.checked = field[2];
        } else if (el.tagName === "SELECT") {
          Array.from(el.options).forEach(function (o) { o.selected = field[1].includes(o.value); });
        } else {
          el.value = field[1];
        }
        el.dispatchEvent(new Event("input", { bubbles: true }));
        el.dispatchEvent(new Event("change", { bubbles: true }));
      });
    });
  }

  // The post forms whose fields are kept, by action ("" for the page's own address), each in
  // the page's order: a form is found again by its action and its place among them.
  var kept = {};
  document.querySelectorAll("form").forEach(function (form) {
    if (form.method !== "post" || /^(logout-form|login-form|article_form)$/.test(form.id)) return;
    var action = form.getAttribute("action") || "";
    (kept[action] = kept[action] || []).push(form);
  });

  var sent = read();
  if (sent && Date.now() - sent.at > KEPT_FOR_MS) {
    forget();
    sent = null;
  }
  var login = document.getElementById("login-form");
  if (sent && login) {
    if (sent.lost || Date.now() - sent.at < LOGIN_WITHIN_MS) {
      sent.lost = true;
      write(sent);
      notice("What you sent was not saved: you had been logged out. Log in, and it is back " +
        "in its form on the page you sent it from, to send again.", login);
    }
  } else if (sent && sent.lost && sent.page === here()) {
    var form = (kept[sent.action] || [])[sent.nth || 0];
    if (form) {
      forget();
      putBack(form, sent.fields);
      notice("Not saved yet: what you wrote before logging in again is back in this form. " +
        "Send it again to save it.", form).focus();
    }
  } else if (sent && !sent.lost && sent.page === here() && cameBack()) {
    var again = (kept[sent.action] || [])[sent.nth || 0];
    forget();
    if (again) {
      putBack(again, sent.fields);
      notice("What you sent at " + clock(sent.at) + " may not have been saved: the desk did " +
        "not answer it. It is back in this form: check the page, and send it again.", again)
        .focus();
    }
  } else if (sent && !sent.lost) {
    forget();  // the server took it
  }

  var logout = document.getElementById("logout-form");
  if (logout) logout.addEventListener("submit", forget);
  Object.keys(kept).forEach(function (action) {
    kept[action].forEach(function (form, nth) {
      // After session.js's own listener, which stops a submission it holds: this one then
      // hears only what is really sent.
      form.addEventListener("submit", function () {
        write({ page: here(), action: action, nth: nth, fields: fieldsOf(form), at: Date.now() });
      });
    });
  });
}());
