// The article editor page: no edit is lost, and editors on one story see each other.
//  - autosave: the whole form is posted as JSON every few seconds when it changed, and once
//    more (fetch keepalive) when the page goes away; the server keeps one draft per editor;
//  - leave warning: leaving with unsaved text asks first (not after pressing Save);
//  - presence: a heartbeat every 10 s lists who else has the story open and says when
//    someone saved a newer version; leaving the page says goodbye;
//  - the session: one that ended (expired, logged out elsewhere) is said as soon as the
//    autosave or heartbeat hears it (session.js holds each Save until it holds again);
//  - the conflict panel's "Take all theirs" / "Keep all mine";
//  - beside each workflow time (typed in the site's zone), the same moment in the editor's.
"use strict";

(function () {
  const root = document.getElementById("desk-editor");
  const form = document.getElementById("article_form");
  if (!root || !form) return;

  // Which page this is: its kept drafts name it, and only its own save forgets them; the
  // same editor's other tab keeps the text it typed. A page that opened with kept text
  // restored is that text's page.
  const pageKey = root.dataset.pageKey || (window.crypto && crypto.randomUUID
    ? crypto.randomUUID() : String(Math.random()).slice(2) + String(Date.now()));
  const pageInput = document.createElement("input");
  pageInput.type = "hidden";
  pageInput.name = "_page";
  pageInput.value = pageKey;
  form.append(pageInput);

  const AUTOSAVE_EVERY_MS = 4000;
  const HEARTBEAT_EVERY_MS = 10000;
  // Not the story's text: the token, the version and state the page showed, buttons, workflow notes, conflict choices,
  // and the intelligence panel's fields (its brief and picks are stored by its own buttons).
  const NOT_TEXT = /^(csrfmiddlewaretoken|base_version|opened_.*|_.*|wf-.*|conflict-.*|intel-.*)$/;
  const csrfInput = form.querySelector("input[name=csrfmiddlewaretoken]");
  // Read at each request: session.js renews it after a login in another tab.
  const csrf = () => (csrfInput ? csrfInput.value : "");
  const statusLine = document.getElementById("autosave-status");

  function collect() {
    const data = {};
    for (const el of form.elements) {
      if (!el.name || NOT_TEXT.test(el.name) || el.disabled) continue;
      if (["submit", "button", "reset", "file"].includes(el.type)) continue;
      const values = data[el.name] || (data[el.name] = []);
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) continue;
      if (el.tagName === "SELECT") {
        for (const option of el.selectedOptions) values.push(option.value);
      } else {
        values.push(el.value);
      }
    }
    return JSON.stringify(data);
  }

  function baseVersion() {
    const input = form.querySelector("input[name=base_version]");
    const n = input ? parseInt(input.value, 10) : 0;
    return Number.isFinite(n) ? n : 0;
  }

  function post(url, body, keepalive) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: Boolean(keepalive),
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(body),
    });
  }

  // A notice the editor asked for by a key (Enter's) stays until they type again: the next
  // autosave's "Draft kept" replaced it within 2 s, before it could be read.
  let pinned = "";
  function say(text) {
    if (statusLine) statusLine.textContent = pinned && text ? `${pinned} ${text}` : pinned || text;
  }
  function pin(text) {
    pinned = text;
    say("");
  }
  form.addEventListener("input", () => { pinned = ""; });

  // Restored or refused text is on the screen but not stored: it counts as unsaved at once.
  let unsaved = root.dataset.unsaved === "1";
  let opened = collect();
  // Text a refused save left in the form is kept (it is not stored anywhere the form is).
  const refusedBase = root.dataset.refusedBase;
  let lastKept = refusedBase || form.querySelector(".errornote") ? null : opened;
  let submitting = false;
  // The version the text was written on: after a refusal, the one it was refused for, so
  // that text restored later is compared with the stored story again before it is saved.
  const textBase = () => (refusedBase ? parseInt(refusedBase, 10) : baseVersion());

  const isDirty = () => unsaved || collect() !== opened;

  // A field the server already holds as it now reads (a tag decided in the intelligence
  // panel, put in the Tags box by its script) is not unsaved text.
  document.addEventListener("desk-field-stored", (event) => {
    const base = JSON.parse(opened);
    base[event.detail.name] = JSON.parse(collect())[event.detail.name];
    const wasKept = lastKept === opened;
    opened = JSON.stringify(base);
    if (wasKept) lastKept = opened;
  });

  // The session (session.js, loaded first on every desk page): the desk's JSON answers 401
  // once it ended, and 403 when the page's CSRF token is older than a login made elsewhere.
  const session = window.deskSession;
  function heard(r) {
    if (r.status === 401) session.ended();
    else if (r.status === 403) session.check().catch(() => {});
    return r.json();
  }
  document.addEventListener("desk-session", (event) => {
    if (event.detail.holds) {
      lastKept = null;  // what was typed meanwhile is kept at the next turn
      say("Logged in again: your text is kept as you type, and Save works.");
    } else {
      say("");
    }
  });

  function keep(keepalive) {
    if (submitting || session.loggedOut) return;
    const now = collect();
    if (now === lastKept) return;
    lastKept = now;
    post(root.dataset.autosaveUrl, { base_version: textBase(), data: JSON.parse(now), page: pageKey },
      keepalive)
      .then(heard)
      .then((answer) => {
        if (answer.ok) say(`Draft kept at ${answer.saved_at} (not yet saved).`);
        else { lastKept = null; if (!session.loggedOut) say(`Draft not kept: ${answer.error}`); }
      })
      .catch(() => { lastKept = null; say("Draft not kept: no connection. Keep this page open."); });
  }

  // Enter in a one-line field sent the form with Save, the default button. In a move's own
  // field (its note, its time) the story was saved and the note, written for the move,
  // dropped unsaid; in the headline, the dateline or the slug of a live story, a half-typed
  // headline went on the site at once, unasked. A story is saved by its buttons alone, and
  // a press that does nothing says so: done silently, it read as a desk that ignored it.
  const ONE_LINE = /^(text|search|url|email|number|tel|date|datetime-local|time)$/;
  document.addEventListener("keydown", (event) => {
    const field = event.target;
    if (event.key !== "Enter" || event.defaultPrevented || event.isComposing ||
        field.form !== form || field.tagName !== "INPUT" || !ONE_LINE.test(field.type)) return;
    event.preventDefault();
    const name = (field.name || "").replace(/^wf-/, "").replace(/-(note|at)$/, "");
    const button = /^wf-/.test(field.name || "") &&
      [...document.querySelectorAll("button.workflow-button")].find((b) => b.value === name);
    pin(button
      ? `Enter does not move the story: press “${button.textContent.trim()}” to do it ` +
        "with this note."
      : "Enter does not save the story: press “Save” (or another of its buttons) when it " +
        "is ready.");
  });

  // Text restored from an earlier visit (a closed tab, a lost connection) is in the form
  // unsaved, and every one of the story's buttons saves the form before it acts: "Publish
  // now" pressed on such a page put a headline typed and left days before on the site. Each
  // asks first while the restored text is on the page (with its own question, if it has one).
  // (Only text put back: a new story's page offering one left unsaved has restored nothing.)
  if (document.querySelector("[data-restored-text]")) {
    for (const button of document.querySelectorAll("button.workflow-button[form]")) {
      const ask = "This page holds unsaved text restored from an earlier visit (the note at " +
        `the top). “${button.textContent.trim()}” saves that text with the story first. Go on?`;
      button.dataset.confirm = button.dataset.confirm ? `${ask}\n\n${button.dataset.confirm}` : ask;
    }
  }

  // The page's other forms (a correction or update, the breaking switch, a live entry) post
  // elsewhere and come back to this page. The text typed since the last autosave went with
  // the old page: its last autosave reached the server after the new page was drawn, which
  // then offered nothing back, and the next autosave replaced it. So it is kept first (one
  // request), then the form goes; the page it comes back to offers it ("Unsaved text …
  // restored"). Should it not be kept (no connection), the leave warning still asks.
  function keepNow() {
    const now = collect();
    if (now === lastKept) return Promise.resolve(true);
    return post(root.dataset.autosaveUrl, { base_version: textBase(), data: JSON.parse(now), page: pageKey })
      .then(heard)
      .then((answer) => { if (answer.ok) lastKept = now; return Boolean(answer.ok); })
      .catch(() => false);
  }
  for (const other of document.querySelectorAll("form")) {
    if (other === form || other.method !== "post" || other.id === "logout-form") continue;
    let kept = false;
    other.addEventListener("submit", (event) => {
      if (kept || event.defaultPrevented || submitting || session.loggedOut || !isDirty()) return;
      event.preventDefault();
      event.stopImmediatePropagation();  // the form's own scripts hear the submission that goes
      const submitter = event.submitter;
      keepNow().then((stored) => {
        kept = true;
        if (stored) submitting = true;  // kept on the server: nothing to warn about
        // A task later, never within this submission: when the text was kept already (an
        // autosave a moment before), this runs before the submit event has finished, and
        // the browser ignores a requestSubmit made then. The first press did nothing.
        setTimeout(() => {
          other.requestSubmit(submitter && submitter.form === other ? submitter : undefined);
        }, 0);
      });
    });
  }

  setInterval(keep, AUTOSAVE_EVERY_MS);
  // session.js holds a Save until the session holds, and lets only that one reach here.
  form.addEventListener("submit", () => { submitting = true; });

  // A correction added while the story's own fix is unsaved went out alone, beside the old
  // text, until someone pressed Save. It is asked first; a second press adds it anyway (the
  // text stays kept by the autosave, and comes back in the form).
  const noteForm = document.querySelector("section.notes form.note-add");
  if (noteForm) {
    noteForm.addEventListener("submit", (event) => {
      if (!isDirty() || noteForm.dataset.anyway === "1") {
        submitting = true;
        return;
      }
      event.preventDefault();
      const warning = document.createElement("p");
      warning.className = "errornote note-unsaved";
      warning.setAttribute("role", "alert");
      warning.textContent = "Your changes to the story are not saved: the note would go out " +
        "alone, beside the text as published. Save the story first (Save and continue " +
        "editing), then add the note; or press the button again to add it anyway.";
      noteForm.prepend(warning);
      noteForm.dataset.anyway = "1";
    });
  }
  window.addEventListener("beforeunload", (event) => {
    if (submitting || !isDirty()) return;
    event.preventDefault();
    event.returnValue = "";  // older browsers want this to ask
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") keep(true);
  });

  const discard = document.querySelector("[data-discard-restored]");
  if (discard) {
    discard.addEventListener("click", () => {
      post(root.dataset.autosaveUrl, { discard: true }).then(() => {
        submitting = true;  // the text is given up on purpose: no warning
        window.location.reload();
      });
    });
  }

  // A Save or workflow press the desk never answered (a 503 while the database was locked, a
  // proxy's time-out, the connection gone mid-post) took with it what was typed since the
  // last autosave, which the same fault refuses. So what a stored story's form sends is kept
  // in this tab; when its page opens again at the same version (nothing was saved since) and
  // the server has not put the text back itself (a refusal, an error in a field), it goes
  // back into the form, unsaved, and the autosave keeps it as soon as the desk answers.
  const SENT = "dateline-desk-story-sent";
  const SENT_KEPT_MS = 60 * 60 * 1000;
  const here = window.location.pathname;
  const sentStore = {
    read() { try { return JSON.parse(sessionStorage.getItem(SENT)); } catch (e) { return null; } },
    write(value) { try { sessionStorage.setItem(SENT, JSON.stringify(value)); } catch (e) { /* off */ } },
    forget() { try { sessionStorage.removeItem(SENT); } catch (e) { /* off */ } },
  };
  // A move's note and time, kept with the text (the autosave leaves them out).
  const MOVE_FIELD = /^wf-.+-(note|at)$/;
  const moves = () => Object.fromEntries([...form.elements]
    .filter((el) => MOVE_FIELD.test(el.name || "") && el.value)
    .map((el) => [el.name, el.value]));
  const chosen = () => Object.fromEntries([...form.querySelectorAll("select")]
    .filter((select) => select.name && !NOT_TEXT.test(select.name))
    .map((select) => [select.name, [...select.selectedOptions].map((o) => [o.value, o.text])]));
  if (root.dataset.presenceUrl) {
    form.addEventListener("submit", () => {  // only a press that goes (session.js)
      sentStore.write({ page: here, base: textBase(), data: collect(), chosen: chosen(),
        moves: moves(), at: Date.now() });
    });
    if (discard) discard.addEventListener("click", sentStore.forget);
    const sent = sentStore.read();
    // A page that says the save went through answered it, whatever else it shows: text of
    // another visit, kept on the server with that visit's older version, came back into the
    // form after a successful Save, and was taken for the Save's own, unanswered.
    const answered = refusedBase || form.querySelector(".errornote")
      || document.querySelector(".messagelist .success");
    if (sent && sent.page === here) {
      if (answered || sent.base !== baseVersion() || Date.now() - sent.at > SENT_KEPT_MS) {
        sentStore.forget();  // saved since, or the server gave the text back itself
      } else if (sent.data !== collect() || Object.keys(sent.moves || {}).length) {
        putBack(JSON.parse(sent.data), sent.chosen || {});
        for (const [name, value] of Object.entries(sent.moves || {})) {
          const field = form.elements.namedItem(name);
          if (field && MOVE_FIELD.test(name)) {
            field.value = value;
            field.dispatchEvent(new Event("input", { bubbles: true }));
          }
        }
        unsaved = true;
        const note = document.createElement("p");
        note.className = "errornote unsent-note";
        note.id = "unanswered-save";
        note.setAttribute("role", "alert");
        note.tabIndex = -1;
        // On the site's clock, as the desk's other notices ("Unsaved text from 15:47:15").
        const at = new Date(sent.at).toLocaleTimeString("en-GB",
          { timeZone: root.dataset.siteZone || undefined, hourCycle: "h23" });
        note.textContent = `Your last Save or move (at ${at}) was not saved: the desk did ` +
          "not answer it. What you had written is back in the form; press Save again.";
        form.prepend(note);
        note.focus();
      }
    }
  }

  function putBack(data, selected) {
    for (const el of form.elements) {
      if (!el.name || NOT_TEXT.test(el.name) || el.disabled || !(el.name in data)) continue;
      if (["submit", "button", "reset", "file"].includes(el.type)) continue;
      const values = data[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.includes(el.value);
      } else if (el.tagName === "SELECT") {
        // A picker lists only what was chosen when the page was drawn: an item chosen since
        // comes back with the name it had.
        for (const [value, text] of selected[el.name] || []) {
          if (![...el.options].some((o) => o.value === value)) el.add(new Option(text, value));
        }
        for (const option of el.options) option.selected = values.includes(option.value);
      } else {
        el.value = values[0] ?? "";
        if (richText(el)) putInEditor(el);
      }
      el.dispatchEvent(new Event("input", { bubbles: true }));
      el.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  // The body's rich-text editor shows the text put back in its textarea: now, or once it is
  // made (django-prose-editor's event).
  function putInEditor(textarea) {
    const html = textarea.value;
    const made = editorOf(textarea);
    if (made) {
      made.commands.setContent(html);
      return;
    }
    document.addEventListener("prose-editor:ready", (event) => {
      if (event.detail.textarea === textarea) event.detail.editor.commands.setContent(html);
    });
  }

  // Presence.
  const presenceList = document.getElementById("presence");
  const newer = document.getElementById("newer-version");
  function beat() {
    // A page for reading (no Save: the role may not edit the story now) holds no version
    // and will not be saved: no "your save will ask you to merge" there.
    const editing = form.querySelector("input[name=base_version]");
    const opened = form.querySelector("input[name=opened_status]");
    post(root.dataset.presenceUrl, { version: editing ? baseVersion() : null,
                                     status: editing && opened ? opened.value : null })
      .then(heard)
      .then((answer) => {
        if (!answer.ok) return;
        presenceList.replaceChildren(...answer.others.map((line) => {
          const li = document.createElement("li");
          li.textContent = line;
          return li;
        }));
        newer.textContent = [answer.newer, answer.moved].filter(Boolean).join(" ");
      })
      .catch(() => {});
  }
  if (root.dataset.presenceUrl && presenceList) {
    beat();
    setInterval(beat, HEARTBEAT_EVERY_MS);
  }
  window.addEventListener("pagehide", () => {
    keep(true);
    if (root.dataset.leaveUrl) post(root.dataset.leaveUrl, {}, true).catch(() => {});
  });

  // The body's textarea, which django-prose-editor's rich-text editor stands in for.
  function richText(box) {
    return [...box.attributes].some((a) => a.name.startsWith("data-django-prose-editor"));
  }

  // The rich-text editor made for a textarea, or null before it is made. Tiptap keeps it on
  // its editable element; the menu bar's heading picker, drawn beside it once the editor is
  // made, has the same class and comes first, so the first ".ProseMirror" is not always it.
  function editorOf(textarea) {
    const areas = textarea.parentElement.querySelectorAll(".ProseMirror");
    const area = [...areas].find((el) => el.editor);
    return area ? area.editor : null;
  }

  // The conflict panel. A text box shows the side chosen for it; typing in it is a merge by
  // hand, which is "mine" (the server saves "theirs" from the stored story, not the box).
  for (const row of document.querySelectorAll("#conflict tr[data-theirs]")) {
    const box = form.elements.namedItem(row.dataset.field);
    if (!box || !("value" in box) || richText(box)) continue;
    let mine = box.value;
    let filling = false;
    const show = () => {
      filling = true;
      box.value = row.querySelector("input[value=theirs]").checked ? row.dataset.theirs : mine;
      box.dispatchEvent(new Event("input", { bubbles: true }));
      filling = false;
    };
    for (const radio of row.querySelectorAll("input[type=radio]")) {
      radio.addEventListener("change", show);
    }
    box.addEventListener("input", () => {
      if (filling) return;
      mine = box.value;
      row.querySelector("input[value=mine]").checked = true;
    });
    show();
  }
  // The body's rich-text editor: the same, through its own API (its textarea follows the
  // editor, not the other way round). Tiptap keeps the editor on its element; one not made
  // yet is met by the event django-prose-editor sends once it is.
  const followed = new Set();
  const follow = (editor, textarea) => {
    const row = document.querySelector(`#conflict tr[data-theirs][data-field="${textarea.name}"]`);
    if (!row || followed.has(textarea)) return;
    followed.add(textarea);
    let mine = editor.getHTML();
    let filling = false;
    // "Keep both" (where the two changed different paragraphs): the merged body.
    const merged = form.elements.namedItem(`conflict-merged-${textarea.name}`);
    const show = () => {
      filling = true;
      // Nothing is chosen where both changed the same words: the editor's own text until then.
      const chosen = row.querySelector("input[type=radio]:checked")?.value;
      const text = { theirs: row.dataset.theirs, both: merged && merged.value }[chosen];
      editor.commands.setContent(text || mine, { emitUpdate: false });
      textarea.value = editor.getHTML();
      filling = false;
    };
    for (const radio of row.querySelectorAll("input[type=radio]")) {
      radio.addEventListener("change", show);
    }
    editor.on("update", () => {
      if (filling) return;
      mine = editor.getHTML();
      row.querySelector("input[value=mine]").checked = true;
    });
    show();
  };
  document.addEventListener("prose-editor:ready", (event) => {
    follow(event.detail.editor, event.detail.textarea);
  });
  for (const box of form.querySelectorAll("textarea")) {
    const made = richText(box) && editorOf(box);
    if (made) follow(made, box);
  }
  for (const button of document.querySelectorAll("[data-conflict-all]")) {
    button.addEventListener("click", () => {
      const value = button.dataset.conflictAll;
      for (const radio of document.querySelectorAll(`#conflict input[type=radio][value=${value}]`)) {
        radio.checked = true;
        radio.dispatchEvent(new Event("change"));
      }
    });
  }

  // Workflow times: typed in the site's zone, shown also in the editor's own.
  const siteZone = root.dataset.siteZone;
  const ownZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

  function offsetAt(instant) {
    // The site zone's offset from UTC at `instant`, in milliseconds.
    const parts = new Intl.DateTimeFormat("en-GB", {
      timeZone: siteZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
    }).formatToParts(new Date(instant));
    const part = (type) => Number(parts.find((p) => p.type === type).value);
    const wall = Date.UTC(part("year"), part("month") - 1, part("day"), part("hour"),
      part("minute"), part("second"));
    return wall - instant;
  }

  function fromSiteWallClock(value) {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value);
    if (!m) return null;
    const asUtc = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
    let instant = asUtc;
    for (let i = 0; i < 2; i += 1) instant = asUtc - offsetAt(instant);  // twice: DST edges
    return new Date(instant);
  }

  const pad = (n) => String(n).padStart(2, "0");
  for (const input of document.querySelectorAll("input[data-site-time]")) {
    const out = document.getElementById(input.getAttribute("aria-describedby"));
    const show = () => {
      const when = input.value && fromSiteWallClock(input.value);
      if (!out) return;
      if (!when) { out.textContent = ""; return; }
      const day = `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())}`;
      const time = `${pad(when.getHours())}:${pad(when.getMinutes())}:${pad(when.getSeconds())}`;
      const sameDay = day === input.value.slice(0, 10);
      out.textContent = `= ${sameDay ? "" : day + " "}${time} in your time, ${ownZone}`;
    };
    input.addEventListener("input", show);
    input.addEventListener("change", show);
    show();
  }
}());
