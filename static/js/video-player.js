/* Analysed-video player: speed, frame steps at the video's real frame rate, loop, an A–B range that
   repeats, markers that seek, J/K/L and < > keys, and a retry while the provider is still rendering a
   freshly generated video. No inline scripts (a CSP forbids them). */
(function () {
  "use strict";

  var SPEEDS = [0.25, 0.5, 0.75, 1, 1.25, 1.5, 2];
  var KEYS = ",.jklJKL<>abAB";

  function typing(target) {
    var tag = (target.tagName || "").toUpperCase();
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  function setUp(root) {
    if (root.dataset.playerReady) return;
    root.dataset.playerReady = "1";
    var video = root.querySelector("video");
    var speed = root.querySelector("[data-speed]");
    var status = root.querySelector("[data-status]");
    var loop = root.querySelector("[data-loop]");
    var range = root.querySelector("[data-range]");
    if (!video) return;
    root.querySelectorAll("[data-js-only]").forEach(function (el) { el.hidden = false; });
    var fps = parseFloat(video.dataset.fps) || 30;
    var retries = 0;
    var a = null;
    var b = null;

    function say(text) { if (status) status.textContent = text; }

    function step(frames) {
      video.pause();
      // Snap to the frame shown, then move whole frames: no drift from rounding after many steps.
      var target = (Math.round(video.currentTime * fps) + frames) / fps;
      video.currentTime = Math.max(0, Math.min(video.duration || target, target));
    }
    function setRate(value) {
      video.playbackRate = value;
      say("Speed " + value + "×");
    }
    function faster(direction) {
      var index = SPEEDS.indexOf(video.playbackRate);
      if (index < 0) index = SPEEDS.indexOf(1);
      setRate(SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, index + direction))]);
    }
    function showRange() {
      if (!range) return;
      if (a === null && b === null) { range.textContent = "No A–B range"; return; }
      range.textContent = "A " + (a === null ? "–" : a.toFixed(2) + " s") + " · B " +
        (b === null ? "–" : b.toFixed(2) + " s") + (a !== null && b !== null ? " (repeats)" : "");
    }
    function mark(which) {
      if (which === "clear") { a = null; b = null; }
      else if (which === "a") { a = video.currentTime; if (b !== null && b <= a) b = null; }
      else if (which === "b") { b = video.currentTime; if (a !== null && a >= b) a = null; if (a === null) a = 0; }
      showRange();
    }
    function watchRange() {
      // Checked every frame while playing: timeupdate alone fires too rarely to stop at B.
      if (video.paused) return;
      if (a !== null && b !== null && video.currentTime >= b) video.currentTime = a;
      window.requestAnimationFrame(watchRange);
    }

    if (speed) {
      speed.addEventListener("change", function () { setRate(parseFloat(speed.value) || 1); });
      video.addEventListener("ratechange", function () { speed.value = String(video.playbackRate); });
    }
    if (loop) loop.addEventListener("change", function () { video.loop = loop.checked; });
    root.querySelectorAll("[data-step]").forEach(function (button) {
      button.addEventListener("click", function () { step(parseInt(button.dataset.step, 10) || 0); });
    });
    root.querySelectorAll("[data-mark]").forEach(function (button) {
      button.addEventListener("click", function () { mark(button.dataset.mark); });
    });
    var markers = root.querySelectorAll("[data-seek-to]");
    function enableMarkers() {
      markers.forEach(function (button) {
        var at = parseFloat(button.dataset.seekTo);
        var inside = isFinite(at) && (!isFinite(video.duration) || at <= video.duration);
        button.disabled = !inside;
        if (!inside) button.title = "After the end of this video";
      });
    }
    markers.forEach(function (button) {
      button.addEventListener("click", function () {
        video.currentTime = parseFloat(button.dataset.seekTo) || 0;
      });
    });
    video.addEventListener("loadedmetadata", enableMarkers);
    if (video.readyState >= 1) enableMarkers();
    video.addEventListener("play", function () { window.requestAnimationFrame(watchRange); });

    root.addEventListener("keydown", function (event) {
      if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
      var key = event.key;
      var handled = true;
      if (key === ",") step(-1);
      else if (key === ".") step(1);
      else if (key === "k" || key === "K") { if (video.paused) video.play(); else video.pause(); }
      else if (key === "l" || key === "L") { if (video.paused) video.play(); else faster(1); }
      else if (key === "j" || key === "J") {
        if (video.paused) video.currentTime = Math.max(0, video.currentTime - 1); else faster(-1);
      }
      else if (key === "<") faster(-1);
      else if (key === ">") faster(1);
      else if (key === "a" || key === "A") mark("a");
      else if (key === "b" || key === "B") mark("b");
      else handled = false;
      if (handled) event.preventDefault();
    });
    // A freshly generated video may not exist yet: try again for a while, saying so.
    video.addEventListener("error", function () {
      if (retries >= 20) {
        say("The video could not be loaded. Try reloading the page.");
        return;
      }
      retries += 1;
      say("Preparing the video… (" + retries + ")");
      window.setTimeout(function () { video.load(); }, 3000);
    });
    video.addEventListener("loadedmetadata", function () {
      if (retries) say("Video ready.");
    });
  }

  function init(scope) {
    (scope || document).querySelectorAll("[data-video-player]").forEach(setUp);
  }

  // The player's keys work anywhere on the page unless someone is typing.
  document.addEventListener("keydown", function (event) {
    if (KEYS.indexOf(event.key) < 0 || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) return;
    var root = document.querySelector("[data-video-player]");
    if (!root || root.contains(event.target)) return;
    var copy = new KeyboardEvent("keydown", { key: event.key, bubbles: false, cancelable: true });
    root.dispatchEvent(copy);
    if (copy.defaultPrevented) event.preventDefault();
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(); });
  } else {
    init();
  }
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
