/* Compare page: two to four analysed videos played as one. One shared clock T; video i shows T + offset i.
   Play, pause, seek, speed and frame steps act on all; each video's offset can be nudged a frame at a
   time or set from a provider marker ("Align at"), and the offsets are kept in the page's address.
   No inline scripts (a CSP forbids them). */
(function () {
  "use strict";

  var SPEEDS = [0.25, 0.5, 0.75, 1, 1.25, 1.5, 2];
  var DEFAULT_FPS = 30;
  var DRIFT = 0.05; // seconds a follower may drift while playing before it is put back in step

  function typing(target) {
    var tag = (target.tagName || "").toUpperCase();
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  function setUp(root) {
    if (root.dataset.compareReady) return;
    root.dataset.compareReady = "1";
    var figures = Array.prototype.map.call(root.querySelectorAll("[data-compare-video]"), function (fig) {
      return {
        fig: fig,
        video: fig.querySelector("video"),
        input: fig.querySelector("[data-offset-input]"),
        fps: parseFloat(fig.dataset.fps) || 0,
      };
    });
    var players = figures.filter(function (p) { return p.video; }); // a session may have no video yet
    if (!players.length) return;
    root.querySelectorAll("[data-js-only]").forEach(function (el) { el.hidden = false; });
    // With the script, offsets apply as they change and the address follows; the button is for pages without it.
    root.querySelectorAll("[data-no-js]").forEach(function (el) { el.hidden = true; });

    var master = players[0];
    var playButton = root.querySelector("[data-play]");
    var seek = root.querySelector("input[data-seek]"); // the notes' buttons carry data-seek too
    var time = root.querySelector("[data-time]");
    var speed = root.querySelector("[data-speed]");
    var status = root.querySelector("[data-status]");
    var rate = 1;
    var ticking = false;

    function offset(p) {
      var value = parseFloat(p.input && p.input.value);
      return isFinite(value) ? value : 0;
    }
    function fpsOf(p) { return p.fps || DEFAULT_FPS; }
    function frameLength() {
      // The finest frame of the videos shown: a step never jumps over a frame of any of them.
      return 1 / Math.max.apply(null, players.map(fpsOf));
    }
    function clock() { return master.video.currentTime - offset(master); }
    function place(p, t) {
      var target = t + offset(p);
      var duration = p.video.duration;
      if (isFinite(duration)) target = Math.min(target, duration);
      target = Math.max(0, target);
      if (Math.abs(p.video.currentTime - target) > 1e-6) p.video.currentTime = target;
    }
    function seekAll(t) {
      players.forEach(function (p) { place(p, t); });
      show(t);
    }
    function playing() { return !master.video.paused && !master.video.ended; }

    function show(t) {
      if (t === undefined) t = clock();
      if (time) time.textContent = t.toFixed(2) + " s";
      if (seek && document.activeElement !== seek) seek.value = String(t);
      if (playButton) {
        playButton.textContent = playing() ? "Pause" : "Play";
        playButton.setAttribute("aria-label", playing() ? "Pause all" : "Play all");
      }
    }
    function bounds() {
      if (!seek) return;
      var duration = master.video.duration;
      if (!isFinite(duration)) return;
      seek.min = String(-offset(master));
      seek.max = String(duration - offset(master));
    }

    function tick() {
      if (!playing()) { ticking = false; show(); return; }
      var t = clock();
      players.forEach(function (p) {
        if (p === master || p.video.ended) return;
        var expected = t + offset(p);
        if (expected < 0 || expected > (p.video.duration || Infinity)) return;
        if (Math.abs(p.video.currentTime - expected) > DRIFT * Math.max(1, rate)) p.video.currentTime = expected;
        if (p.video.paused) p.video.play().catch(function () {});
      });
      show(t);
      window.requestAnimationFrame(tick);
    }

    function play() {
      seekAll(clock());
      players.forEach(function (p) {
        p.video.playbackRate = rate;
        p.video.play().catch(function () {});
      });
      if (!ticking) { ticking = true; window.requestAnimationFrame(tick); }
    }
    function pause() {
      players.forEach(function (p) { p.video.pause(); });
      seekAll(clock()); // the followers stop exactly where the shared clock stopped
    }
    function toggle() { if (playing()) { pause(); } else { play(); } }

    function step(frames) {
      players.forEach(function (p) { p.video.pause(); });
      var fps = 1 / frameLength();
      var now = Math.round(master.video.currentTime * fps) / fps; // snap to a frame, then move whole frames
      seekAll(now + frames / fps - offset(master));
    }
    function setRate(value) {
      rate = value;
      players.forEach(function (p) { p.video.playbackRate = rate; });
      if (speed) speed.value = String(rate);
      if (status) status.textContent = "Speed " + rate + "×";
    }
    function faster(direction) {
      var index = SPEEDS.indexOf(rate);
      if (index < 0) index = SPEEDS.indexOf(1);
      setRate(SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, index + direction))]);
    }

    function remember() {
      // Keep the offsets in the address, so a bookmark or a sent link opens this alignment.
      var params = new URLSearchParams();
      figures.forEach(function (p) {
        var id = p.fig.querySelector("input[name=s]");
        if (id) params.append("s", id.value);
        params.append("o", String(Math.round(offset(p) * 1000) / 1000));
      });
      window.history.replaceState(window.history.state, "", window.location.pathname + "?" + params.toString());
    }
    function setOffset(p, value) {
      var t = clock();
      p.input.value = String(Math.round(value * 1000) / 1000);
      if (p === master) bounds();
      place(p, t);
      remember();
      show(t);
    }

    players.forEach(function (p) {
      if (p.input) {
        p.input.addEventListener("change", function () {
          players.forEach(function (q) { q.video.pause(); });
          setOffset(p, offset(p));
        });
      }
      p.fig.querySelectorAll("[data-nudge]").forEach(function (button) {
        button.addEventListener("click", function () {
          players.forEach(function (q) { q.video.pause(); });
          setOffset(p, offset(p) + (parseInt(button.dataset.nudge, 10) || 0) / fpsOf(p));
        });
      });
      p.fig.querySelectorAll("[data-align]").forEach(function (button) {
        button.addEventListener("click", function () {
          players.forEach(function (q) { q.video.pause(); });
          // This video's marked moment now sits at the shared clock's present position.
          setOffset(p, parseFloat(button.dataset.align) - clock());
        });
      });
    });
    // A note or a timeline tick of one video asks to go to a moment of that video: the shared clock
    // goes where that video shows it (its offset honoured), and all the videos follow.
    root.addEventListener("player:seek", function (event) {
      var asker = players.filter(function (p) { return p.video === event.detail.video; })[0];
      if (!asker) return;
      event.preventDefault();
      players.forEach(function (p) { p.video.pause(); });
      seekAll(event.detail.seconds - offset(asker));
    });
    master.video.addEventListener("loadedmetadata", function () { bounds(); seekAll(clock()); });
    if (master.video.readyState >= 1) bounds();
    master.video.addEventListener("ended", function () { pause(); });
    master.video.addEventListener("timeupdate", function () { if (!ticking) show(); });
    if (playButton) playButton.addEventListener("click", toggle);
    if (seek) {
      seek.addEventListener("input", function () {
        players.forEach(function (p) { p.video.pause(); });
        seekAll(parseFloat(seek.value) || 0);
      });
    }
    if (speed) speed.addEventListener("change", function () { setRate(parseFloat(speed.value) || 1); });
    root.querySelectorAll("[data-step]").forEach(function (button) {
      button.addEventListener("click", function () { step(parseInt(button.dataset.step, 10) || 0); });
    });
    if (status) {
      var unknown = players.some(function (p) { return !p.fps; });
      status.textContent = "Frame step: 1/" + Math.round(1 / frameLength()) + " s" +
        (unknown ? " (a frame rate is not known yet; 30 fps assumed for it)" : "");
    }

    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
      var key = event.key;
      var handled = true;
      if (key === "k" || key === "K" || (key === " " && event.target.tagName !== "BUTTON")) toggle();
      else if (key === "l" || key === "L") { if (playing()) faster(1); else play(); }
      else if (key === "j" || key === "J") {
        if (playing()) faster(-1); else seekAll(clock() - 1);
      }
      else if (key === ",") step(-1);
      else if (key === ".") step(1);
      else if (key === "<") faster(-1);
      else if (key === ">") faster(1);
      else handled = false;
      if (handled) event.preventDefault();
    });
    show(0);
  }

  function init() { document.querySelectorAll("[data-compare]").forEach(setUp); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
