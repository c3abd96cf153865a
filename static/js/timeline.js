/* A video's timeline under the player: a tick for each moment the provider marked (a jump's end, a lift's
   phase, a running segment), placed by the video's duration, and a head that follows the playback.
   Each tick is a labelled button: clicking it (or Enter/Space on it) seeks there. The list of markers
   beside it stays as the fallback for pages without JavaScript and for screen readers. A tick asks with
   a cancelable "player:seek" event; the compare page answers it by moving its shared clock (so the
   video's offset is honoured), elsewhere the tick sets the video's time itself. No inline script or
   style (CSP): positions are set from here. */
(function () {
  "use strict";

  function videoOf(root) {
    if (root.dataset.timelineFor) return document.getElementById(root.dataset.timelineFor);
    var scope = root.closest("[data-video-player], [data-compare-video]");
    return scope && scope.querySelector("video");
  }

  function setUp(root) {
    if (root.dataset.timelineReady) return;
    var video = videoOf(root);
    if (!video) return;
    root.dataset.timelineReady = "1";
    var track = root.querySelector("[data-timeline-track]");
    var head = root.querySelector("[data-timeline-head]");
    var ticks = root.querySelectorAll("[data-tick-at]");

    function length() {
      var duration = video.duration;
      return isFinite(duration) && duration > 0 ? duration : 0;
    }
    function follow() {
      var duration = length();
      if (head && duration) head.style.left = Math.min(video.currentTime / duration, 1) * 100 + "%";
    }
    function place() {
      var duration = length();
      if (!duration) return;
      ticks.forEach(function (tick) {
        var at = parseFloat(tick.dataset.tickAt);
        var inside = isFinite(at) && at >= 0 && at <= duration;
        tick.hidden = !inside; // a marker after the end of this video has nowhere to go
        if (inside) tick.style.left = (at / duration) * 100 + "%";
      });
      root.hidden = false;
      follow();
    }
    function seek(seconds, from) {
      var asked = new CustomEvent("player:seek", { bubbles: true, cancelable: true,
        detail: { video: video, seconds: seconds } });
      if (from.dispatchEvent(asked)) {
        video.pause();
        video.currentTime = seconds;
      }
    }

    ticks.forEach(function (tick) {
      tick.addEventListener("click", function (event) {
        event.stopPropagation();
        seek(parseFloat(tick.dataset.tickAt) || 0, tick);
      });
    });
    if (track) {
      // Pointer users may also click anywhere on the track; keyboard users have the ticks and the player.
      track.addEventListener("click", function (event) {
        var duration = length();
        var box = track.getBoundingClientRect();
        if (!duration || !box.width) return;
        seek(Math.max(0, Math.min(1, (event.clientX - box.left) / box.width)) * duration, track);
      });
    }
    ["loadedmetadata", "durationchange"].forEach(function (name) { video.addEventListener(name, place); });
    ["timeupdate", "seeked"].forEach(function (name) { video.addEventListener(name, follow); });
    if (video.readyState >= 1) place();
  }

  function init(scope) {
    (scope || document).querySelectorAll("[data-timeline]").forEach(setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(); });
  } else {
    init();
  }
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
