/* Match detail: clicking an event seeks the match video to its moment; key moments are marked on a bar
   under the video. No inline scripts (the CSP forbids them). */
(function () {
  "use strict";

  function video() {
    return document.querySelector("[data-match-video]");
  }

  function seek(seconds) {
    var v = video();
    if (!v || isNaN(seconds)) return;
    var go = function () {
      v.currentTime = Math.max(0, seconds);
    };
    if (v.readyState >= 1) go();
    else v.addEventListener("loadedmetadata", go, { once: true });
    v.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-seek]");
    if (!button) return;
    event.preventDefault();
    seek(parseFloat(button.dataset.seek));
    document.querySelectorAll(".event-seek[aria-current]").forEach(function (el) {
      el.removeAttribute("aria-current");
    });
    button.setAttribute("aria-current", "true");
  });

  function drawBar() {
    var bar = document.querySelector("[data-match-bar]");
    var v = video();
    if (!bar) return;
    var duration = parseFloat(bar.dataset.duration) || (v && v.duration) || 0;
    bar.textContent = "";
    if (!duration) return;
    document.querySelectorAll("[data-event-list] [data-seek]").forEach(function (button) {
      var at = parseFloat(button.dataset.seek);
      var mark = document.createElement("span");
      mark.className = "match-mark match-mark--" + (button.dataset.kind || "other");
      mark.style.left = Math.min(100, (at / duration) * 100) + "%";
      bar.appendChild(mark);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawBar);
  } else {
    drawBar();
  }
  document.addEventListener("htmx:afterSettle", drawBar);
})();
