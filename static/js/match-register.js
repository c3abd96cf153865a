/* Register match: show the fields of the chosen source, and pre-check a chosen file's length and size
   from its metadata in the browser (the server checks again, including the frame rate).
   With S3 storage (data-direct="true") a file goes straight from the browser to the bucket: the portal
   presigns a POST, the browser sends the file with a progress bar, then the portal checks the stored
   object ("finish") and registers the match. Errors show next to their fields. */
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

  function csrfToken(form) {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function request(method, url, data, csrf, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open(method, url);
      if (csrf) {
        xhr.setRequestHeader("Accept", "application/json");
        xhr.setRequestHeader("X-CSRFToken", csrf);
      }
      if (onProgress) {
        xhr.upload.addEventListener("progress", function (event) {
          if (event.lengthComputable) onProgress(event.loaded, event.total);
        });
      }
      xhr.addEventListener("load", function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        resolve({ status: xhr.status, body: body });
      });
      xhr.addEventListener("error", function () { reject(new Error("The connection was lost. Try again.")); });
      xhr.send(data);
    });
  }

  function sendDirectly(form, input, say) {
    var submit = form.querySelector("[data-submit]");
    var formErrors = form.querySelector("[data-form-errors]");
    var progress = form.querySelector("[data-progress]");
    var bar = form.querySelector("[data-progress-bar]");
    var label = form.querySelector("[data-progress-text]");

    function showErrors(body) {
      form.querySelectorAll(".js-error").forEach(function (el) { el.remove(); });
      form.querySelectorAll(".field--invalid").forEach(function (el) { el.classList.remove("field--invalid"); });
      var messages = (body && body.non_field_errors) || [];
      formErrors.textContent = "";
      messages.forEach(function (message) {
        var p = document.createElement("p");
        p.textContent = message;
        formErrors.appendChild(p);
      });
      formErrors.hidden = messages.length === 0;
      var errors = (body && body.errors) || {};
      Object.keys(errors).forEach(function (name) {
        var field = form.querySelector("[name=" + name + "]");
        var group = field && field.closest(".field");
        if (!group) group = input.closest(".field");
        var small = document.createElement("small");
        small.className = "field-error js-error";
        small.textContent = errors[name].join(" ");
        group.classList.add("field--invalid");
        group.appendChild(small);
      });
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
      var csrf = csrfToken(form);
      var fields = new FormData(form);
      fields.delete("file");
      fields.append("filename", file.name);
      fields.append("size", String(file.size));
      fields.append("content_type", file.type || "");
      submit.disabled = true;
      showErrors(null);
      say("", false);
      progress.hidden = false;
      setProgress(0, file.size);
      request("POST", form.dataset.presignUrl, fields, csrf).then(function (signed) {
        if (signed.status !== 200 || !signed.body) {
          stop("The portal could not prepare the upload (HTTP " + signed.status + ").", signed.status === 400 ? signed.body : null);
          return null;
        }
        var post = new FormData();
        Object.keys(signed.body.fields).forEach(function (name) { post.append(name, signed.body.fields[name]); });
        post.append("file", file);
        return request("POST", signed.body.url, post, null, setProgress).then(function (stored) {
          if (stored.status < 200 || stored.status >= 300) {
            stop("", { non_field_errors: [], errors: { file: ["Storage refused the file (HTTP " + stored.status + "). Try again."] } });
            return null;
          }
          label.textContent = "Sent. Checking the video…";
          var done = new FormData();
          done.append("token", signed.body.token);
          return request("POST", form.dataset.finishUrl, done, csrf);
        });
      }).then(function (finished) {
        if (!finished) return;
        if (finished.status === 201 && finished.body && finished.body.match) {
          window.location.assign(finished.body.match.url);
        } else {
          stop("The match could not be registered (HTTP " + finished.status + ").", finished.status === 400 ? finished.body : null);
        }
      }, function (error) {
        stop(error.message);
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
