/* Register match: show the fields of the chosen source, and pre-check a chosen file's length and size
   from its metadata in the browser (the server checks again, including the frame rate). */
(function () {
  "use strict";

  function init() {
    var form = document.querySelector(".match-form");
    if (!form) return;
    var radios = form.querySelectorAll("input[name=source]");
    var note = form.querySelector("[data-precheck]");
    var input = form.querySelector("[data-match-file]");
    var minSeconds = parseInt(form.dataset.minSeconds, 10) || 600;

    function showSource() {
      var chosen = form.querySelector("input[name=source]:checked");
      var value = chosen ? chosen.value : "upload";
      form.querySelectorAll("[data-source]").forEach(function (block) {
        block.hidden = block.dataset.source !== value;
      });
    }
    radios.forEach(function (radio) {
      radio.addEventListener("change", showSource);
    });
    showSource();

    function say(text, bad) {
      if (!note) return;
      note.hidden = !text;
      note.textContent = text;
      note.classList.toggle("field-error", !!bad);
    }

    if (!input) return;
    input.addEventListener("change", function () {
      say("", false);
      var file = input.files && input.files[0];
      if (!file) return;
      if (!/\.mp4$/i.test(file.name) && file.type !== "video/mp4") {
        say("“" + file.name + "” does not look like an MP4 file. AI on the Ball accepts MP4 only.", true);
        return;
      }
      var probe = document.createElement("video");
      var url = URL.createObjectURL(file);
      probe.preload = "metadata";
      probe.muted = true;
      probe.addEventListener("loadedmetadata", function () {
        var problems = [];
        if (probe.duration && probe.duration < minSeconds) {
          problems.push("The video is " + Math.round(probe.duration) + " s long; AI on the Ball needs at least " + Math.round(minSeconds / 60) + " minutes.");
        }
        var longSide = Math.max(probe.videoWidth, probe.videoHeight);
        var shortSide = Math.min(probe.videoWidth, probe.videoHeight);
        if (longSide > 1920 || shortSide > 1080) {
          problems.push("The video is " + probe.videoWidth + "×" + probe.videoHeight + "; AI on the Ball accepts at most 1080p.");
        }
        if (problems.length) say(problems.join(" "), true);
        else say("Looks fine: " + Math.round(probe.duration / 60) + " min, " + probe.videoWidth + "×" + probe.videoHeight + ". The frame rate (25 fps) is checked after upload.", false);
        URL.revokeObjectURL(url);
      });
      probe.addEventListener("error", function () {
        say("This browser cannot read the file's details; it will be checked after upload.", false);
        URL.revokeObjectURL(url);
      });
      probe.src = url;
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
