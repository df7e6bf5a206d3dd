/* The intelligence panel: its buttons post only the panel's fields to their formaction and
   put the answer in place, so the story's unsaved text on the page is left alone. Without
   this script the same buttons post the whole form and the page comes back. */
"use strict";
(function () {
  function panel() { return document.getElementById("intelligence"); }

  function token(form) {
    var field = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function initPicker(root) {
    // The admin's story picker (select2) is set up on page load only; a new panel needs it too.
    var jq = window.django && window.django.jQuery;
    if (jq && jq.fn.djangoAdminSelect2) { jq(root).find(".admin-autocomplete").djangoAdminSelect2(); }
  }

  // The story's Tags box (the form's autocomplete) shows a tag accepted or taken off here:
  // otherwise the next Save of the story posted the box's old list and undid the decision.
  function showTag(tag) {
    var box = document.getElementById("id_tags");
    if (!box) { return; }
    var option = Array.prototype.find.call(box.options, function (o) { return o.value === String(tag.id); });
    if (tag.on && !option) {
      box.append(new Option(tag.name, String(tag.id), true, true));
    } else if (option) {
      option.selected = tag.on;
    }
    var jq = window.django && window.django.jQuery;
    if (jq) { jq(box).trigger("change"); } else { box.dispatchEvent(new Event("change")); }
    document.dispatchEvent(new CustomEvent("desk-field-stored", {detail: {name: box.name}}));
  }

  function send(button) {
    var root = panel(), body = document.getElementById("intelligence-body");
    var status = document.getElementById("intelligence-status");
    var data = new FormData();
    var action = button.value;
    data.append("csrfmiddlewaretoken", token(button.form));
    data.append("intel-action", action);
    var box = root.querySelector("#intel-brief");
    // Typed and not saved yet: kept in the box when the panel is drawn again (a refusal, or
    // another of its buttons), where the stored brief would have replaced it.
    var typed = box && box.value !== box.defaultValue ? box.value : null;
    // The brief the typed text was written over: kept with it through another button's
    // redraw, so its save is still judged against what this editor saw (a colleague's brief
    // saved meanwhile is then refused once, named, not replaced unseen).
    var seenInput = root.querySelector("[name=intel-brief-seen]");
    var seenBefore = seenInput ? seenInput.value : null;
    if (action === "brief") {
      data.append("intel-brief", box.value);
      data.append("intel-brief-seen", root.querySelector("[name=intel-brief-seen]").value);
    }
    if (action === "add-related") {
      var pick = root.querySelector("#intel-related-pick");
      data.append("intel-related", pick ? pick.value : "");
    }
    button.disabled = true;
    status.textContent = "Working…";
    fetch(button.getAttribute("formaction"), {
      method: "POST", body: data, credentials: "same-origin",
      headers: {"Accept": "application/json"}
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (answer.html) {
          body.innerHTML = answer.html;
          initPicker(body);
          var saved = answer.ok && (action === "brief" || action === "brief-reset");
          var drawn = body.querySelector("#intel-brief");
          if (typed !== null && !saved && drawn) {
            drawn.value = typed;
            var seenNow = body.querySelector("[name=intel-brief-seen]");
            // After the brief's own refusal the new "seen" stands: saving again replaces.
            if (seenNow && seenBefore !== null && action !== "brief") { seenNow.value = seenBefore; }
          }
        }
        if (answer.tag) { showTag(answer.tag); }
        status.textContent = answer.message || (response.ok ? "Done." : "That did not work.");
        status.focus();
      });
    }).catch(function () {
      button.disabled = false;
      status.textContent = "The desk could not be reached; try again.";
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("#intelligence button[name=intel-action]");
    if (!button) { return; }
    event.preventDefault();
    send(button);
  });
  document.addEventListener("DOMContentLoaded", function () {
    var status = document.getElementById("intelligence-status");
    if (status) { status.setAttribute("tabindex", "-1"); }
  });
}());
