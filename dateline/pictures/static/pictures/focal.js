// The focal point: a click on the photo sets the two number fields (shares of width and
// height), and the marker follows them; typing in the fields moves the marker too.
"use strict";

(function () {
  function clamp(value) {
    return Math.min(1, Math.max(0, value));
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-focal]");
    var fx = document.getElementById("id_focal_x");
    var fy = document.getElementById("id_focal_y");
    if (!box || !fx || !fy) return;
    var marker = box.querySelector(".focal-marker");
    // The box keeps the photo's proportions even while it shows no rendition yet.
    box.style.aspectRatio = box.dataset.ratio;

    function place() {
      marker.style.left = clamp(parseFloat(fx.value) || 0) * 100 + "%";
      marker.style.top = clamp(parseFloat(fy.value) || 0) * 100 + "%";
    }

    box.addEventListener("click", function (event) {
      var area = box.getBoundingClientRect();
      fx.value = clamp((event.clientX - area.left) / area.width).toFixed(3);
      fy.value = clamp((event.clientY - area.top) / area.height).toFixed(3);
      place();
    });
    fx.addEventListener("input", place);
    fy.addEventListener("input", place);
    place();
  });
})();
