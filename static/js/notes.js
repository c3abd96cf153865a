/* Session notes: the notes' drawings over the video near their time, seeking from the list, and the
   drawing tools (line, arrow, circle, label, three-point angle) on the paused frame. Shapes are stored in
   normalised video coordinates (0..1), drawn in an SVG whose viewBox is the video's own size, so they
   follow the player at any width. No inline script or style: data comes from a JSON script element and
   every attribute is set from here (CSP). */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var BEFORE = 0.1; // seconds a drawing shows before its note's time
  var AFTER = 1.0; // and after it
  var SAVED = "#ffd400";
  var DRAFT = "#00e5ff";

  function svgEl(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (key) { node.setAttribute(key, String(attrs[key])); });
    if (parent) parent.appendChild(node);
    return node;
  }

  function clamp(value) { return Math.max(0, Math.min(1, value)); }

  function angleDegrees(points, aspect) {
    var ux = (points[0][0] - points[1][0]) * aspect, uy = points[0][1] - points[1][1];
    var vx = (points[2][0] - points[1][0]) * aspect, vy = points[2][1] - points[1][1];
    var lengths = Math.hypot(ux, uy) * Math.hypot(vx, vy);
    if (!lengths) return 0;
    var cosine = Math.max(-1, Math.min(1, (ux * vx + uy * vy) / lengths));
    return Math.round(Math.acos(cosine) * 1800 / Math.PI) / 10;
  }

  function Overlay(video) {
    var stage = document.createElement("div");
    stage.className = "notes-stage";
    video.parentNode.insertBefore(stage, video);
    stage.appendChild(video);
    this.video = video;
    this.width = 16;
    this.height = 9;
    this.svg = svgEl("svg", { "class": "notes-overlay", viewBox: "0 0 16 9", "aria-hidden": "true",
      "data-notes-overlay": "" }, stage);
    this.saved = svgEl("g", { "data-layer": "saved" }, this.svg);
    this.draft = svgEl("g", { "data-layer": "draft" }, this.svg);
  }

  Overlay.prototype.fit = function () {
    if (!this.video.videoWidth) return false;
    this.width = this.video.videoWidth;
    this.height = this.video.videoHeight;
    // The SVG letterboxes its viewBox exactly as the video letterboxes its picture (contain, centred).
    this.svg.setAttribute("viewBox", "0 0 " + this.width + " " + this.height);
    return true;
  };

  Overlay.prototype.point = function (event) {
    var matrix = this.svg.getScreenCTM();
    if (!matrix) return null;
    var p = this.svg.createSVGPoint();
    p.x = event.clientX;
    p.y = event.clientY;
    p = p.matrixTransform(matrix.inverse());
    return [clamp(p.x / this.width), clamp(p.y / this.height)];
  };

  Overlay.prototype.draw = function (layer, shape, colour) {
    var W = this.width, H = this.height, unit = Math.max(W, H);
    var stroke = { stroke: colour, "stroke-width": unit * 0.005, fill: "none",
      "stroke-linecap": "round", "stroke-linejoin": "round" };
    var px = function (p) { return [p[0] * W, p[1] * H]; };
    var pts = (shape.points || []).map(px);
    var g = svgEl("g", { "data-shape": shape.type }, layer);
    function line(a, b) {
      svgEl("line", Object.assign({ x1: a[0], y1: a[1], x2: b[0], y2: b[1] }, stroke), g);
    }
    function label(text, at) {
      svgEl("text", { x: at[0], y: at[1], fill: colour, stroke: "#000", "stroke-width": unit * 0.003,
        "paint-order": "stroke", "font-size": H * 0.055, "font-family": "sans-serif", "font-weight": "700" },
        g).textContent = text;
    }
    if (shape.type === "line" && pts.length > 1) {
      svgEl("polyline", Object.assign({ points: pts.map(function (p) { return p.join(","); }).join(" ") },
        stroke), g);
    } else if (shape.type === "arrow" && pts.length === 2) {
      var a = pts[0], b = pts[1], size = unit * 0.03, dir = Math.atan2(b[1] - a[1], b[0] - a[0]);
      line(a, b);
      [-0.45, 0.45].forEach(function (turn) {
        line(b, [b[0] - size * Math.cos(dir + turn), b[1] - size * Math.sin(dir + turn)]);
      });
    } else if (shape.type === "circle" && pts.length === 2) {
      var r = Math.hypot(pts[1][0] - pts[0][0], pts[1][1] - pts[0][1]);
      svgEl("circle", Object.assign({ cx: pts[0][0], cy: pts[0][1], r: r }, stroke), g);
    } else if (shape.type === "text" && pts.length === 1) {
      label(shape.text || "", pts[0]);
    } else if (shape.type === "angle" && pts.length >= 2) {
      line(pts[1], pts[0]);
      if (pts.length === 3) {
        line(pts[1], pts[2]);
        var degrees = typeof shape.degrees === "number" ? shape.degrees : angleDegrees(shape.points, W / H);
        var text = degrees.toFixed(1) + "°";
        g.setAttribute("data-degrees", text);
        label(text, [pts[1][0] + unit * 0.015, pts[1][1] - unit * 0.015]);
      }
      svgEl("circle", { cx: pts[1][0], cy: pts[1][1], r: unit * 0.006, fill: colour }, g);
    }
    return g;
  };

  // The video a notes panel belongs to: named by data-notes-for (compare: one panel per video), else the
  // page's player (the session page).
  function videoOf(root) {
    if (root.dataset.notesFor) return document.getElementById(root.dataset.notesFor);
    var player = document.querySelector("[data-video-player]");
    return player && player.querySelector("video");
  }

  function setUp(root) {
    if (root.dataset.notesReady) return;
    var video = videoOf(root);
    var dataNode = root.querySelector("script[type='application/json']");
    if (!video || !dataNode) return;
    root.dataset.notesReady = "1";
    var notes = JSON.parse(dataNode.textContent || "[]");
    var overlay = new Overlay(video);
    var items = root.querySelectorAll("[data-note]");

    function showNear() {
      var now = video.currentTime;
      while (overlay.saved.firstChild) overlay.saved.removeChild(overlay.saved.firstChild);
      var shown = {};
      notes.forEach(function (note) {
        if (now < note.at - BEFORE || now > note.at + AFTER) return;
        shown[note.id] = true;
        var group = svgEl("g", { "data-note-drawing": note.id }, overlay.saved);
        note.shapes.forEach(function (shape) { overlay.draw(group, shape, SAVED); });
      });
      items.forEach(function (item) {
        item.classList.toggle("note--current", Boolean(shown[item.dataset.note]));
      });
    }

    ["timeupdate", "seeked", "loadedmetadata"].forEach(function (name) {
      video.addEventListener(name, function () {
        if (name === "loadedmetadata") overlay.fit();
        showNear();
        drawDraft();
      });
    });
    if (video.readyState >= 1) overlay.fit();

    function seek(seconds) {
      // A page playing several videos as one (compare) answers the event and moves its shared clock;
      // otherwise this video goes there alone.
      var asked = new CustomEvent("player:seek", { bubbles: true, cancelable: true,
        detail: { video: video, seconds: seconds } });
      if (root.dispatchEvent(asked)) {
        video.pause();
        video.currentTime = seconds;
      }
      showNear();
    }
    root.querySelectorAll("[data-seek]").forEach(function (button) {
      button.addEventListener("click", function () {
        seek(parseFloat(button.dataset.seek) || 0);
        video.scrollIntoView({ block: "nearest" });
      });
    });
    // Coming back from saving a note (#note-12): show that moment.
    var target = /^#note-(\d+)$/.exec(window.location.hash);
    if (target) {
      var wanted = notes.filter(function (n) { return String(n.id) === target[1]; })[0];
      if (wanted) {
        var go = function () { seek(wanted.at); };
        if (video.readyState >= 1) go(); else video.addEventListener("loadedmetadata", go, { once: true });
      }
    }

    // Drawing: only where the page offers the form.
    var form = root.querySelector("[data-note-form]");
    var drafts = [];
    var tool = "";
    var current = null;
    function drawDraft() {
      while (overlay.draft.firstChild) overlay.draft.removeChild(overlay.draft.firstChild);
      drafts.concat(current ? [current] : []).forEach(function (shape) {
        overlay.draw(overlay.draft, shape, DRAFT);
      });
    }
    if (!form) return;
    var tools = form.querySelector("[data-tools]");
    var shapesInput = form.querySelector("input[name=shapes]");
    var aspectInput = form.querySelector("input[name=aspect]");
    var atInput = form.querySelector("input[name=at_seconds]");
    var status = form.querySelector("[data-draw-status]");
    var labelField = form.querySelector("[data-label-field]");
    var labelText = form.querySelector("[data-label-text]");
    tools.hidden = false;

    function say(text) { if (status) status.textContent = text; }
    function syncTime() { atInput.value = video.currentTime.toFixed(3); }
    function store() {
      shapesInput.value = drafts.length ? JSON.stringify(drafts) : "";
      aspectInput.value = (overlay.width / overlay.height).toFixed(4);
      drawDraft();
    }
    video.addEventListener("pause", syncTime);
    video.addEventListener("seeked", function () { if (video.paused) syncTime(); });

    function choose(name) {
      tool = tool === name ? "" : name;
      current = null;
      tools.querySelectorAll("[data-tool]").forEach(function (button) {
        button.setAttribute("aria-pressed", String(button.dataset.tool === tool));
      });
      overlay.svg.classList.toggle("is-drawing", Boolean(tool));
      labelField.hidden = tool !== "text";
      if (tool) {
        video.pause();
        syncTime();
        say({ line: "Drag to draw a free line.", arrow: "Drag from the tail to the head of the arrow.",
          circle: "Drag from the centre outwards.", text: "Type the label, then click where it goes.",
          angle: "Click three points: one end, the joint, the other end." }[tool]);
      } else {
        say("Pause the video, choose a tool, then draw on the frame.");
      }
      drawDraft();
    }
    tools.querySelectorAll("[data-tool]").forEach(function (button) {
      button.addEventListener("click", function () { choose(button.dataset.tool); });
    });
    tools.querySelector("[data-undo]").addEventListener("click", function () {
      if (current) current = null; else drafts.pop();
      store();
    });
    tools.querySelector("[data-clear]").addEventListener("click", function () {
      drafts = [];
      current = null;
      store();
    });

    function finish(shape) {
      drafts.push(shape);
      current = null;
      store();
      say(shape.type === "angle" ? "Angle: " + angleDegrees(shape.points, overlay.width / overlay.height)
        .toFixed(1) + "°. Save the note to keep it." : "Added. Save the note to keep it.");
    }

    var svg = overlay.svg;
    var dragging = false;
    svg.addEventListener("pointerdown", function (event) {
      if (!tool) return;
      var p = overlay.point(event);
      if (!p) return;
      event.preventDefault();
      if (tool === "text") {
        var text = (labelText.value || "").trim();
        if (!text) { say("Type the label text first."); labelText.focus(); return; }
        finish({ type: "text", points: [p], text: text.slice(0, 80) });
        return;
      }
      if (tool === "angle") {
        current = current && current.type === "angle" ? current : { type: "angle", points: [] };
        current.points.push(p);
        if (current.points.length === 3) finish(current); else drawDraft();
        return;
      }
      dragging = true;
      svg.setPointerCapture(event.pointerId);
      current = { type: tool, points: tool === "line" ? [p] : [p, p] };
      drawDraft();
    });
    svg.addEventListener("pointermove", function (event) {
      if (!dragging || !current) return;
      var p = overlay.point(event);
      if (!p) return;
      if (current.type === "line") {
        var last = current.points[current.points.length - 1];
        if (Math.hypot(p[0] - last[0], p[1] - last[1]) > 0.004 && current.points.length < 400) current.points.push(p);
      } else {
        current.points[1] = p;
      }
      drawDraft();
    });
    function release() {
      if (!dragging) return;
      dragging = false;
      if (!current) return;
      var pts = current.points;
      var far = pts.length > 1 && Math.hypot(pts[pts.length - 1][0] - pts[0][0], pts[pts.length - 1][1] - pts[0][1]) > 0.005;
      if (far) finish(current); else { current = null; drawDraft(); }
    }
    svg.addEventListener("pointerup", release);
    svg.addEventListener("pointercancel", release);

    form.addEventListener("submit", function () {
      if (!shapesInput.value && drafts.length) store();
    });
  }

  function init(scope) {
    (scope || document).querySelectorAll("[data-notes]").forEach(setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(); });
  } else {
    init();
  }
})();
