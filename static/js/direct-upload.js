/* Sending a video from a form, shared by the upload page (uploads.js) and the match registration page
 * (match-register.js); each page keeps only what is its own.
 *
 *   DirectUpload.request(method, url, data, options)  one XMLHttpRequest as a promise of {status, body}
 *   DirectUpload.describe(form, file, fileField)       the form's fields plus the file's name, size, type
 *   DirectUpload.sendDirect(options)                   presign, POST the file to the bucket, finish
 *   DirectUpload.readMetadata(file, onMeta, onError)   duration and size from the browser's own decoder
 *   DirectUpload.showErrors(form, box, body, options)  messages next to their fields; returns the rest
 *
 * The server checks everything again; what happens here only says so sooner.
 */
(function () {
  "use strict";

  var CONNECTION_LOST = "The connection was lost. Try again.";

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // options: form (its CSRF token goes as a header to the portal's own paths only, never to the bucket;
  // a posted form carries it in its body),
  // onProgress(loaded, total), onStart(xhr) to keep the request for Cancel.
  function request(method, url, data, options) {
    options = options || {};
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open(method, url);
      xhr.setRequestHeader("Accept", "application/json");
      if (options.form && url.charAt(0) === "/") xhr.setRequestHeader("X-CSRFToken", csrfToken(options.form));
      if (options.onProgress) {
        xhr.upload.addEventListener("progress", function (event) {
          if (event.lengthComputable) options.onProgress(event.loaded, event.total);
        });
      }
      xhr.addEventListener("load", function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        resolve({ status: xhr.status, body: body });
      });
      xhr.addEventListener("error", function () { reject(new Error(CONNECTION_LOST)); });
      xhr.addEventListener("abort", function () { reject(new Error("cancelled")); });
      if (options.onStart) options.onStart(xhr);
      xhr.send(data);
    });
  }

  function describe(form, file, fileField) {
    var data = new FormData(form);
    data.delete(fileField);
    data.append("filename", file.name);
    data.append("size", String(file.size));
    data.append("content_type", file.type || "");
    return data;
  }

  // options: form, file, fileField (the form's file input name, where storage problems are reported),
  // presignUrl, finishUrl, onProgress(loaded, total), onStart(xhr), onStored() once the bucket has it.
  // Resolves with the presign or finish answer, or a 400-like answer when the bucket refused the file.
  function sendDirect(options) {
    var form = options.form;
    var own = { form: form, onStart: options.onStart };
    return request("POST", options.presignUrl, describe(form, options.file, options.fileField), own)
      .then(function (signed) {
        if (signed.status !== 200 || !signed.body) return signed;
        var post = new FormData();
        Object.keys(signed.body.fields).forEach(function (name) { post.append(name, signed.body.fields[name]); });
        post.append("file", options.file);
        var toBucket = { onProgress: options.onProgress, onStart: options.onStart };
        return request("POST", signed.body.url, post, toBucket).then(function (stored) {
          if (stored.status < 200 || stored.status >= 300) {
            var errors = {};
            errors[options.fileField] = ["Storage refused the file (HTTP " + stored.status + "). Try again."];
            return { status: 400, body: { non_field_errors: [], errors: errors } };
          }
          if (options.onStored) options.onStored();
          var done = new FormData();
          done.append("token", signed.body.token);
          return request("POST", options.finishUrl, done, own);
        });
      });
  }

  function readMetadata(file, onMeta, onError) {
    if (!window.URL || !URL.createObjectURL) return;
    var video = document.createElement("video");
    var url = URL.createObjectURL(file);
    video.preload = "metadata";
    video.muted = true;
    video.addEventListener("loadedmetadata", function () {
      onMeta({ duration: video.duration, width: video.videoWidth, height: video.videoHeight });
      URL.revokeObjectURL(url);
    });
    video.addEventListener("error", function () {
      URL.revokeObjectURL(url);
      if (onError) onError();
    });
    video.src = url;
  }

  // Non-field messages go into `box`; a field's messages under its `.field`. Messages of the names in
  // options.fileNames, and of names with no field on the page, are returned for the caller to place.
  function showErrors(form, box, body, options) {
    var fileNames = (options && options.fileNames) || [];
    form.querySelectorAll(".field-error.js-error").forEach(function (el) { el.remove(); });
    form.querySelectorAll(".field--invalid.js-invalid").forEach(function (el) {
      el.classList.remove("field--invalid", "js-invalid");
    });
    var messages = (body && body.non_field_errors) || [];
    box.textContent = "";
    messages.forEach(function (message) {
      var p = document.createElement("p");
      p.textContent = message;
      box.appendChild(p);
    });
    box.hidden = messages.length === 0;
    var errors = (body && body.errors) || {};
    var rest = [];
    Object.keys(errors).forEach(function (name) {
      var input = fileNames.indexOf(name) === -1 && form.querySelector("[name=" + name + "]");
      var field = input && input.closest(".field");
      if (!field) { rest = rest.concat(errors[name]); return; }
      addFieldError(field, errors[name].join(" "));
    });
    return rest;
  }

  function addFieldError(field, text) {
    var small = document.createElement("small");
    small.className = "field-error js-error";
    small.textContent = text;
    if (!field.classList.contains("field--invalid")) field.classList.add("field--invalid", "js-invalid");
    field.appendChild(small);
  }

  window.DirectUpload = {
    request: request,
    describe: describe,
    sendDirect: sendDirect,
    readMetadata: readMetadata,
    showErrors: showErrors,
    addFieldError: addFieldError,
  };
})();
