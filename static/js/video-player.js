/* Analysed-video player: playback speed, frame stepping with "," and ".", and a retry while the
   provider is still rendering a freshly generated video. No inline scripts (a CSP forbids them). */
(function () {
  "use strict";

  function setUp(root) {
    if (root.dataset.playerReady) return;
    root.dataset.playerReady = "1";
    var video = root.querySelector("video");
    var speed = root.querySelector("[data-speed]");
    var status = root.querySelector("[data-status]");
    if (!video) return;
    var frame = 1 / (parseFloat(video.dataset.fps) || 30);
    var retries = 0;

    function step(frames) {
      video.pause();
      var target = video.currentTime + frames * frame;
      video.currentTime = Math.max(0, Math.min(video.duration || target, target));
    }

    if (speed) {
      speed.addEventListener("change", function () {
        video.playbackRate = parseFloat(speed.value) || 1;
      });
      video.addEventListener("ratechange", function () {
        speed.value = String(video.playbackRate);
      });
    }
    root.querySelectorAll("[data-step]").forEach(function (button) {
      button.addEventListener("click", function () {
        step(parseInt(button.dataset.step, 10) || 0);
      });
    });
    root.addEventListener("keydown", function (event) {
      if (event.target.tagName === "SELECT" || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === "," || event.key === ".") {
        event.preventDefault();
        step(event.key === "," ? -1 : 1);
      }
    });
    // A freshly generated video may not exist yet: try again for a while, saying so.
    video.addEventListener("error", function () {
      if (retries >= 20) {
        if (status) status.textContent = "The video could not be loaded. Try reloading the page.";
        return;
      }
      retries += 1;
      if (status) status.textContent = "Preparing the video… (" + retries + ")";
      window.setTimeout(function () {
        video.load();
      }, 3000);
    });
    video.addEventListener("loadedmetadata", function () {
      if (status && retries) status.textContent = "Video ready.";
    });
  }

  function init(scope) {
    (scope || document).querySelectorAll("[data-video-player]").forEach(setUp);
  }

  // Frame keys work anywhere on the page unless someone is typing.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "," && event.key !== ".") return;
    var tag = (event.target.tagName || "").toUpperCase();
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || event.target.isContentEditable) return;
    var root = document.querySelector("[data-video-player]");
    if (!root || root.contains(event.target)) return;
    root.dispatchEvent(new KeyboardEvent("keydown", { key: event.key, bubbles: false }));
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(); });
  } else {
    init();
  }
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
