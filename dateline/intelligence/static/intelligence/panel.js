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

  function send(button) {
    var root = panel(), body = document.getElementById("intelligence-body");
    var status = document.getElementById("intelligence-status");
    var data = new FormData();
    var action = button.value;
    data.append("csrfmiddlewaretoken", token(button.form));
    data.append("intel-action", action);
    if (action === "brief") { data.append("intel-brief", root.querySelector("#intel-brief").value); }
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
        if (answer.html) { body.innerHTML = answer.html; initPicker(body); }
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
