// The library's drop zone: each dropped or chosen file goes up on its own request, with its
// own progress bar and its own answer (added, already in the library, or why not).
// Without JavaScript the same form posts every file at once.
"use strict";

(function () {
  function csrfToken(form) {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function row(list, file) {
    var item = document.createElement("li");
    var name = document.createElement("span");
    name.className = "photo-upload-name";
    name.textContent = file.name;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", "Uploading " + file.name);
    var status = document.createElement("span");
    status.className = "photo-upload-status";
    status.textContent = "Waiting";
    item.append(name, bar, status);
    list.append(item);
    return { item: item, bar: bar, status: status };
  }

  function finish(shown, answer) {
    shown.bar.value = 100;
    shown.status.textContent = "";
    if (answer && answer.ok) {
      shown.item.className = "photo-upload-ok";
      shown.status.append(answer.message + " ");
      var link = document.createElement("a");
      link.href = answer.url;
      link.textContent = answer.title;
      shown.status.append(link);
    } else {
      shown.item.className = "photo-upload-refused";
      var error = document.createElement("span");
      error.className = "photo-upload-error";
      error.textContent = (answer && answer.error) || "The upload failed: try again.";
      shown.status.append(error);
    }
  }

  function send(form, file, shown) {
    return new Promise(function (resolve) {
      var request = new XMLHttpRequest();
      var body = new FormData();
      body.append("file", file);
      request.open("POST", form.dataset.uploadEndpoint);
      request.setRequestHeader("X-CSRFToken", csrfToken(form));
      request.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) {
          shown.bar.value = Math.round((100 * event.loaded) / event.total);
          shown.status.textContent = shown.bar.value + "%";
        }
      });
      request.addEventListener("load", function () {
        var answer = null;
        try { answer = JSON.parse(request.responseText); } catch (e) { answer = null; }
        finish(shown, answer);
        resolve();
      });
      request.addEventListener("error", function () {
        finish(shown, { ok: false, error: "The connection failed: try again." });
        resolve();
      });
      shown.status.textContent = "0%";
      request.send(body);
    });
  }

  function upload(form, list, files) {
    // Two at a time: several progress bars move, and the worker is not flooded.
    var queue = Array.prototype.map.call(files, function (file) {
      return { file: file, shown: row(list, file) };
    });
    function next() {
      var job = queue.shift();
      return job ? send(form, job.file, job.shown).then(next) : Promise.resolve();
    }
    return Promise.all([next(), next()]);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-upload-endpoint]");
    if (!form) return;
    var zone = form.querySelector("[data-drop-zone]");
    var input = form.querySelector("input[type=file]");
    var list = document.querySelector("[data-upload-list]");
    form.classList.add("photo-drop-js");
    // The chosen files are taken at once and the box emptied: emptied only once they had
    // all gone, a press of Upload meanwhile (or the box's own change again) sent them twice.
    function takeChosen() {
      var files = Array.prototype.slice.call(input.files);
      input.value = "";
      if (files.length) upload(form, list, files);
    }
    input.addEventListener("change", takeChosen);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      takeChosen();
    });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("photo-drop-over");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("photo-drop-over"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        upload(form, list, event.dataTransfer.files);
      }
    });
  });
})();
