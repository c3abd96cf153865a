/* Upload page: drag and drop, one progress bar and Cancel per file, quick checks before sending.
 *
 * Without this script the form is a plain multipart POST of one or more files. With it, each file is
 * sent on its own XMLHttpRequest (to the portal, or straight to S3 with a presigned POST when the
 * page says data-direct="true"), so each one shows its own progress and can be cancelled. Sending and
 * error display are shared with the match registration page (direct-upload.js, loaded first).
 */
(function () {
  "use strict";

  var SHORT_CLIP_SECONDS = 2;
  var MIN_SHORT_SIDE = { running: 1080, jumping: 1080, weightlifting: 720 };
  var PARALLEL = 1; // one at a time: the uplink is the bottleneck, and the first file finishes sooner

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function formatSize(bytes) {
    if (bytes >= 1073741824) return (bytes / 1073741824).toFixed(1) + " GB";
    if (bytes >= 1048576) return (bytes / 1048576).toFixed(1) + " MB";
    if (bytes >= 1024) return Math.round(bytes / 1024) + " KB";
    return bytes + " bytes";
  }

  function titleFromName(name) {
    var stem = name.replace(/\.[^.]*$/, "").replace(/[_-]+/g, " ").replace(/\s+/g, " ").trim();
    return stem || "Video";
  }

  ready(function () {
    var form = document.getElementById("upload-form");
    if (!form) return;
    var fileInput = form.querySelector("input[type=file]");
    var dropzone = document.getElementById("dropzone");
    var queueList = document.getElementById("upload-queue");
    var template = document.getElementById("upload-item-template");
    var submit = document.getElementById("upload-submit");
    var formErrors = document.getElementById("form-errors");
    var activity = form.querySelector("[name=activity]");
    var titleInput = form.querySelector("[name=title]");
    var direct = form.dataset.direct === "true";
    var maxBytes = parseInt(form.dataset.maxMb, 10) * 1048576;
    var items = [];

    form.querySelectorAll("[data-js-only]").forEach(function (el) { el.hidden = false; });

    // Show only the fields of the chosen activity and target ------------------------------------
    function currentActivity() { return activity ? activity.value : "running"; }
    function toggleSections() {
      var value = currentActivity();
      form.querySelectorAll("[data-show-for]").forEach(function (el) {
        el.hidden = el.dataset.showFor.split(" ").indexOf(value) === -1;
      });
      var target = form.querySelector("[name=target]:checked");
      form.querySelectorAll("[data-show-for-target]").forEach(function (el) {
        el.hidden = target ? el.dataset.showForTarget !== target.value : false;
      });
      items.forEach(checkResolution);
    }
    form.addEventListener("change", function (event) {
      if (event.target.name === "activity" || event.target.name === "target") toggleSections();
    });
    toggleSections();

    // The queue --------------------------------------------------------------------------------
    function setStatus(item, text) { item.el.querySelector(".upload-item-percent").textContent = text; }
    function setError(item, text) {
      var el = item.el.querySelector(".upload-item-error");
      el.textContent = text;
      el.hidden = !text;
    }
    function setProgress(item, percent) {
      item.el.querySelector(".upload-item-progress").value = percent;
      if (item.state === "sending") setStatus(item, percent + " %");
    }

    function warn(item) {
      var el = item.el.querySelector(".upload-item-warning");
      var text = item.warnings.filter(Boolean).join(" ");
      el.textContent = text;
      el.hidden = !text;
    }

    function checkResolution(item) {
      if (!item.meta) return;
      var needed = MIN_SHORT_SIDE[currentActivity()] || 1080;
      var shortSide = Math.min(item.meta.width, item.meta.height);
      item.warnings[1] = shortSide && shortSide < needed
        ? "Resolution " + item.meta.width + "×" + item.meta.height + " is below the " + needed + "p AiKYNETIX recommends; the analysis may be less precise."
        : "";
      warn(item);
    }

    function readMetadata(item) {
      DirectUpload.readMetadata(item.file, function (meta) {
        item.meta = meta;
        item.warnings[0] = isFinite(meta.duration) && meta.duration < SHORT_CLIP_SECONDS
          ? "This clip is only " + meta.duration.toFixed(1) + " s long; AiKYNETIX needs whole strides, jumps or lifts."
          : "";
        checkResolution(item);
      });
    }

    function localProblem(file) {
      if (file.size === 0) return "“" + file.name + "” is empty.";
      if (maxBytes && file.size > maxBytes) return "“" + file.name + "” is larger than the " + (maxBytes / 1048576) + " MB limit.";
      return "";
    }

    function addFiles(fileList) {
      Array.prototype.forEach.call(fileList, function (file) {
        var el = template.content.firstElementChild.cloneNode(true);
        var item = { file: file, el: el, state: "queued", xhr: null, warnings: ["", ""], meta: null };
        el.querySelector(".upload-item-name").textContent = file.name;
        el.querySelector(".upload-item-size").textContent = formatSize(file.size);
        el.querySelector(".upload-item-cancel").addEventListener("click", function () { cancel(item); });
        var problem = localProblem(file);
        if (problem) { item.state = "invalid"; setError(item, problem); setStatus(item, "Not sent"); }
        queueList.appendChild(el);
        items.push(item);
        readMetadata(item);
      });
      var pending = items.filter(function (i) { return i.state === "queued"; });
      if (titleInput && pending.length === 1) titleInput.placeholder = titleFromName(pending[0].file.name);
      // The files now live in the queue; an empty input keeps the browser from sending them twice.
      if (fileInput) fileInput.value = "";
    }

    function cancel(item) {
      if (item.xhr) item.xhr.abort();
      if (item.state === "queued" || item.state === "invalid") {
        item.el.remove();
        items.splice(items.indexOf(item), 1);
        return;
      }
      if (item.state === "sending") {
        item.state = "cancelled";
        setStatus(item, "Cancelled");
        item.el.classList.add("upload-item--cancelled");
        item.el.querySelector(".upload-item-cancel").hidden = true;
        pump();
      }
    }

    if (fileInput) {
      fileInput.addEventListener("change", function () { addFiles(fileInput.files); });
    }
    if (dropzone) {
      ["dragenter", "dragover"].forEach(function (type) {
        dropzone.addEventListener(type, function (event) {
          event.preventDefault();
          dropzone.classList.add("dropzone--over");
        });
      });
      ["dragleave", "drop"].forEach(function (type) {
        dropzone.addEventListener(type, function (event) {
          event.preventDefault();
          dropzone.classList.remove("dropzone--over");
        });
      });
      dropzone.addEventListener("drop", function (event) {
        if (event.dataTransfer && event.dataTransfer.files.length) addFiles(event.dataTransfer.files);
      });
    }

    // Sending ----------------------------------------------------------------------------------
    function fieldsOf() {
      var data = new FormData(form);
      data.delete("videos");
      return data;
    }

    function showErrors(body) {
      // The file's own problems show on its line in the queue, not next to a field.
      return DirectUpload.showErrors(form, formErrors, body, { fileNames: ["videos", "size", "filename"] }).join(" ");
    }

    function progressOf(item) {
      return function (loaded, total) { setProgress(item, Math.floor((loaded / total) * 100)); };
    }

    function keep(item) {
      return function (xhr) { item.xhr = xhr; };
    }

    function track(item, upload) {
      item.state = "stored";
      item.el.querySelector(".upload-item-cancel").hidden = true;
      setProgress(item, 100);
      var status = item.el.querySelector(".upload-item-status");
      var badge = document.createElement("span");
      badge.setAttribute("hx-get", upload.status_url);
      badge.setAttribute("hx-trigger", "load delay:500ms, every 2s");
      badge.setAttribute("hx-swap", "outerHTML");
      badge.className = "badge upload-badge upload-badge--" + upload.state;
      badge.dataset.state = upload.state;
      badge.textContent = upload.state_label;
      status.innerHTML = "";
      status.appendChild(document.createTextNode("100 % · "));
      status.appendChild(badge);
      if (window.htmx) window.htmx.process(badge);
    }

    function fail(item, message) {
      item.state = "failed";
      setStatus(item, "Not sent");
      setError(item, message);
      item.el.querySelector(".upload-item-cancel").hidden = true;
    }

    function sendToPortal(item) {
      // Ask first (fields, and the athlete in AiKYNETIX), so a problem shows before the file goes up.
      var described = DirectUpload.describe(form, item.file, "videos");
      var checking = DirectUpload.request("POST", form.dataset.checkUrl, described, { form: form, onStart: keep(item) });
      return checking.then(function (answer) {
        if (answer.status !== 200) return answer;
        var data = fieldsOf();
        data.append("videos", item.file, item.file.name);
        return DirectUpload.request("POST", form.action, data, { form: form, onStart: keep(item), onProgress: progressOf(item) });
      });
    }

    function sendDirect(item) {
      return DirectUpload.sendDirect({
        form: form,
        file: item.file,
        fileField: "videos",
        presignUrl: form.dataset.presignUrl,
        finishUrl: form.dataset.finishUrl,
        onStart: keep(item),
        onProgress: progressOf(item),
      });
    }

    function send(item) {
      item.state = "sending";
      item.el.querySelector(".upload-item-cancel").textContent = "Cancel";
      setProgress(item, 0);
      (direct ? sendDirect(item) : sendToPortal(item)).then(function (answer) {
        item.xhr = null;
        if (item.state === "cancelled") return;
        if (answer.status === 201 && answer.body && answer.body.uploads) {
          showErrors(null);
          track(item, answer.body.uploads[0]);
        } else if ((answer.status === 400 || answer.status === 413) && answer.body) {
          fail(item, showErrors(answer.body) || "Check the highlighted fields, then upload again.");
        } else if (answer.status === 403) {
          fail(item, "You may not upload videos in this organization.");
        } else {
          fail(item, "The upload did not go through (HTTP " + answer.status + "). Try again.");
        }
        pump();
      }, function (error) {
        item.xhr = null;
        if (item.state !== "cancelled") fail(item, error.message);
        pump();
      });
    }

    function pump() {
      var busy = items.filter(function (i) { return i.state === "sending"; }).length;
      items.forEach(function (item) {
        if (busy < PARALLEL && item.state === "waiting") { busy += 1; send(item); }
      });
      submit.disabled = busy > 0;
    }

    form.addEventListener("submit", function (event) {
      var waiting = items.filter(function (i) { return i.state === "queued"; });
      if (!waiting.length) {
        if (!items.length && (!fileInput || !fileInput.files.length)) {
          event.preventDefault();
          showErrors({ non_field_errors: [], errors: {} });
          var input = fileInput && fileInput.closest(".field");
          if (input && !input.querySelector(".js-error")) {
            DirectUpload.addFieldError(input, "Choose at least one video file.");
          }
        } else {
          event.preventDefault();
        }
        return;
      }
      event.preventDefault();
      waiting.forEach(function (item) { item.state = "waiting"; setStatus(item, "Waiting…"); });
      pump();
    });
  });
})();
