/* Register match: show the fields of the chosen source, and pre-check a chosen file's length and size
   from its metadata in the browser (the server checks again, including the frame rate).
   With S3 storage (data-direct="true") a file goes straight from the browser to the bucket: the portal
   presigns a POST, the browser sends the file with a progress bar, then the portal checks the stored
   object ("finish") and registers the match. Errors show next to their fields. Sending and error display
   are shared with the upload page (direct-upload.js, loaded first). */
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

    if (form.dataset.direct === "true") sendDirectly(form, input, say);

    if (!input) return;
    input.addEventListener("change", function () {
      say("", false);
      var file = input.files && input.files[0];
      if (!file) return;
      if (!/\.mp4$/i.test(file.name) && file.type !== "video/mp4") {
        say("“" + file.name + "” does not look like an MP4 file. AI on the Ball accepts MP4 only.", true);
        return;
      }
      DirectUpload.readMetadata(file, function (meta) {
        var problems = [];
        if (meta.duration && meta.duration < minSeconds) {
          problems.push("The video is " + Math.round(meta.duration) + " s long; AI on the Ball needs at least " + Math.round(minSeconds / 60) + " minutes.");
        }
        var longSide = Math.max(meta.width, meta.height);
        var shortSide = Math.min(meta.width, meta.height);
        if (longSide > 1920 || shortSide > 1080) {
          problems.push("The video is " + meta.width + "×" + meta.height + "; AI on the Ball accepts at most 1080p.");
        }
        if (problems.length) say(problems.join(" "), true);
        else say("Looks fine: " + Math.round(meta.duration / 60) + " min, " + meta.width + "×" + meta.height + ". The frame rate (25 fps) is checked after upload.", false);
      }, function () {
        say("This browser cannot read the file's details; it will be checked after upload.", false);
      });
    });
  }

  function sendDirectly(form, input, say) {
    var submit = form.querySelector("[data-submit]");
    var formErrors = form.querySelector("[data-form-errors]");
    var progress = form.querySelector("[data-progress]");
    var bar = form.querySelector("[data-progress-bar]");
    var label = form.querySelector("[data-progress-text]");

    function showErrors(body) {
      // Problems with the file itself (its name, size, type, content) go next to the file field.
      var rest = DirectUpload.showErrors(form, formErrors, body);
      if (rest.length) DirectUpload.addFieldError(input.closest(".field"), rest.join(" "));
    }

    function setProgress(loaded, total) {
      var percent = total ? Math.floor((loaded / total) * 100) : 0;
      bar.value = percent;
      bar.textContent = percent + "%";
      label.textContent = percent + "% of " + (total / 1048576).toFixed(1) + " MB sent";
    }

    function stop(message, body) {
      submit.disabled = false;
      progress.hidden = true;
      showErrors(body || { non_field_errors: [message], errors: {} });
    }

    form.addEventListener("submit", function (event) {
      var chosen = form.querySelector("input[name=source]:checked");
      var file = input && input.files && input.files[0];
      if ((chosen && chosen.value !== "upload") || !file) return; // the form posts as usual
      event.preventDefault();
      submit.disabled = true;
      showErrors(null);
      say("", false);
      progress.hidden = false;
      setProgress(0, file.size);
      DirectUpload.sendDirect({
        form: form,
        file: file,
        fileField: "file",
        presignUrl: form.dataset.presignUrl,
        finishUrl: form.dataset.finishUrl,
        onProgress: setProgress,
        onStored: function () { label.textContent = "Sent. Checking the video…"; },
      }).then(function (answer) {
        if (answer.status === 201 && answer.body && answer.body.match) {
          window.location.assign(answer.body.match.url);
        } else {
          stop("The match could not be registered (HTTP " + answer.status + ").", answer.status === 400 ? answer.body : null);
        }
      }, function (error) {
        stop(error.message);
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
