// Names for the desk's widgets that third-party scripts build without one, so that a screen
// reader announces each field by its label (axe-core's WCAG 2 A/AA rules hold on every screen):
// - the rich-text editor (django-prose-editor's ProseMirror area) takes its field's label;
// - an autocomplete box (Django's select2) takes its field's label beside the chosen value,
//   which alone is empty while nothing is chosen;
// - the "×" of a multiple autocomplete is hidden from the list of chosen items it sits in;
// - the filter icon of a two-list picker (Django's SelectFilter2) carries an aria-label on a
//   plain span, which ARIA forbids: as an image it may have one.
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

  function nameAll(root) {
    if (!root.querySelectorAll) return;
    root.querySelectorAll(".ProseMirror[contenteditable]").forEach(nameEditor);
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

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
