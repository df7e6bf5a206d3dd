// Names for the desk's widgets that third-party scripts build without one, so that a screen
// reader announces each field by its label (axe-core's WCAG 2 A/AA rules hold on every screen):
// - the rich-text editor (django-prose-editor's ProseMirror area) takes its field's label;
// - an autocomplete box (Django's select2) takes its field's label beside the chosen value,
//   which alone is empty while nothing is chosen;
// - the "×" of a multiple autocomplete is hidden from the list of chosen items it sits in;
// - the filter icon of a two-list picker (Django's SelectFilter2) carries an aria-label on a
//   plain span, which ARIA forbids: as an image it may have one;
// - the rich-text editor's toolbar is one stop of the Tab key, not thirty (WAI-ARIA's toolbar:
//   one button in the tab order, the arrow keys, Home and End move among those shown and
//   enabled). Tab went through every button, disabled ones too, between two fields.
// Widgets appear after this runs (select2 on jQuery's ready, the editor on its module's load,
// inline rows on "Add another"), so a MutationObserver names each one as it arrives.
(function () {
  "use strict";

  function labelFor(field) {
    if (!field || !field.id) return null;
    var label = document.querySelector('label[for="' + field.id + '"]');
    if (label && !label.id) label.id = field.id + "-label";
    return label;
  }

  function nameEditor(area) {
    if (area.hasAttribute("aria-labelledby") || area.hasAttribute("aria-label")) return;
    var wrapper = area.closest(".prose-editor") || area.parentElement;
    var field = wrapper && wrapper.querySelector("textarea");
    if (!field) {
      var row = area.closest(".form-row, .fieldBox");
      field = row && row.querySelector("textarea");
    }
    var label = labelFor(field);
    if (label) area.setAttribute("aria-labelledby", label.id);
    area.setAttribute("aria-multiline", "true");
  }

  function nameAutocomplete(box) {
    var container = box.closest(".select2-container");
    var select = container && container.previousElementSibling;
    var label = labelFor(select && select.tagName === "SELECT" ? select : null);
    if (!label) return;
    var shown = box.querySelector(".select2-selection__rendered");
    var ids = [label.id].concat(shown && shown.id ? [shown.id] : []).join(" ");
    if (box.getAttribute("aria-labelledby") !== ids) box.setAttribute("aria-labelledby", ids);
    // The chosen value (a read-only textbox) and the typing box of a multiple choice are
    // announced by the field's label too.
    box.querySelectorAll('.select2-selection__rendered[role="textbox"], .select2-search__field')
      .forEach(function (part) {
        if (part.getAttribute("aria-labelledby") !== label.id) {
          part.setAttribute("aria-labelledby", label.id);
        }
      });
  }

  // The editor greys out a button it cannot apply here with a class, not `disabled`.
  function greyed(b) { return b.disabled || b.classList.contains("disabled"); }

  function toolbarButtons(bar) {
    return Array.from(bar.querySelectorAll(".prose-menubar__button")).filter(function (b) {
      return !greyed(b) && !b.classList.contains("hidden") && !b.closest("[popover]");
    });
  }

  // A greyed-out button said so only by its colour: a screen reader announced it as active.
  function markGreyed(bar) {
    bar.querySelectorAll(".prose-menubar__button").forEach(function (b) {
      var value = greyed(b) ? "true" : "false";
      if (b.getAttribute("aria-disabled") !== value) b.setAttribute("aria-disabled", value);
    });
  }

  // The one button of the toolbar Tab stops at: the last one used, else the first enabled.
  function rove(bar, current) {
    var buttons = toolbarButtons(bar);
    var stop = buttons.indexOf(current) >= 0 ? current : buttons[0];
    bar.querySelectorAll(".prose-menubar__button").forEach(function (b) {
      b.tabIndex = b === stop ? 0 : -1;
    });
  }

  var MOVES = {ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1};

  function makeToolbar(bar) {
    if (bar.getAttribute("role") === "toolbar") return;
    bar.setAttribute("role", "toolbar");
    var label = labelFor(bar.parentElement && bar.parentElement.querySelector("textarea"));
    bar.setAttribute("aria-label", (label ? label.textContent.replace(/[:\s]+$/, "") + ": " : "") +
      "formatting");
    rove(bar, null);
    markGreyed(bar);
    bar.addEventListener("focusin", function (event) {
      if (event.target.classList.contains("prose-menubar__button")) rove(bar, event.target);
    });
    bar.addEventListener("keydown", function (event) {
      var buttons = toolbarButtons(bar);
      var at = buttons.indexOf(document.activeElement);
      if (at < 0) return;
      var to;
      if (event.key in MOVES) to = (at + MOVES[event.key] + buttons.length) % buttons.length;
      else if (event.key === "Home") to = 0;
      else if (event.key === "End") to = buttons.length - 1;
      else return;
      event.preventDefault();
      buttons[to].focus();
    });
    // Buttons turn on and off as the cursor moves: the tab stop never rests on a disabled one.
    new MutationObserver(function () {
      markGreyed(bar);
      rove(bar, bar.querySelector('.prose-menubar__button[tabindex="0"]'));
    }).observe(bar, {subtree: true, attributes: true, attributeFilter: ["disabled", "class"]});
  }

  function nameAll(root) {
    if (!root.querySelectorAll) return;
    root.querySelectorAll(".ProseMirror[contenteditable]").forEach(nameEditor);
    root.querySelectorAll(".prose-menubar").forEach(makeToolbar);
    root.querySelectorAll('.select2-selection[role="combobox"]').forEach(nameAutocomplete);
    // The "×" that empties a multiple choice sits inside its list of chosen items, where only
    // items belong; keyboard users clear with Backspace, so it is for the mouse alone.
    root.querySelectorAll("ul.select2-selection__rendered > .select2-selection__clear")
      .forEach(function (cross) { cross.setAttribute("aria-hidden", "true"); });
    root.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }

  function start() {
    nameAll(document);
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        if (change.type === "attributes") nameAll(change.target.parentElement || document);
        change.addedNodes.forEach(function (node) {
          if (node.nodeType === 1) nameAll(node.parentElement || node);
        });
      });
    }).observe(document.body, {childList: true, subtree: true, attributes: true,
                               attributeFilter: ["aria-labelledby"]});
  }

  // A row added with "Add another" is Django's template row with "__prefix__" replaced by
  // its number in ids, names and labels, but not in aria-describedby: its fields pointed at
  // the template's help texts ("…-__prefix__-upload_helptext"), and a screen reader read
  // none; a row removed renumbers the rows after it the same way. Each field's help text is
  // its own id's ("<id>_helptext"), pointed at again after either.
  function pointAtOwnHelp() {
    document.querySelectorAll("[aria-describedby*=_helptext]").forEach(function (field) {
      var own = field.id + "_helptext";
      if (!field.id || !document.getElementById(own)) return;
      var names = field.getAttribute("aria-describedby").split(/\s+/).map(function (name) {
        return /_helptext$/.test(name) ? own : name;
      });
      field.setAttribute("aria-describedby", names.join(" "));
    });
  }
  // After Django's handler is done: it sends "formset:removed" before it renumbers the rows.
  function soon() { setTimeout(pointAtOwnHelp, 0); }
  document.addEventListener("formset:added", soon);
  document.addEventListener("formset:removed", soon);

  // A form sent back with errors ("Please correct the error below.") left the focus at the
  // page's top: a keyboard or screen-reader user heard nothing of them. The reason itself
  // takes it: a refusal in the desk's messages (a restore refused), else the form's first
  // error not tied to one field (a colleague's change, in a table row far down the page),
  // else the note; unless a script of the page gave it elsewhere first (the conflict panel,
  // a restored Save).
  function focusErrors() {
    setTimeout(function () {
      var note = document.querySelector(".messagelist .error") ||
        document.querySelector("#content-main .errorlist.nonfield, #content .errorlist.nonfield") ||
        document.querySelector("#content-main .errornote, #content .errornote");
      var free = !document.activeElement || document.activeElement === document.body;
      if (!note || !free) return;
      if (!note.hasAttribute("tabindex")) note.tabIndex = -1;
      note.focus();
    }, 0);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  if (document.readyState === "complete") focusErrors();
  else window.addEventListener("load", focusErrors);
})();
