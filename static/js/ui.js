/* Small behaviours every page shares; no inline script, so the Content-Security-Policy stays strict.
 *
 * 1. The phone menu: the organization's navigation folds behind a "Menu" button on narrow screens.
 *    Without JavaScript the button stays hidden and the navigation stays open.
 * 3. Sign-up fills its hidden time zone field with the browser's zone.
 * 2. Busy buttons: a form that is submitted (plain or through htmx) marks its submit button busy and
 *    disables it until the answer arrives, so a slow action (sign-up, a key test) shows it is working
 *    and is not sent twice. Buttons say so with aria-busy; forms opt out with data-no-busy.
 */
(function () {
  "use strict";

  function setUpMenu() {
    var header = document.querySelector(".site-header");
    var toggle = header && header.querySelector(".menu-toggle");
    if (!toggle) return;
    toggle.hidden = false;
    header.classList.add("has-menu-toggle");
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      header.classList.toggle("menu-open", open);
    });
  }

  function busy(button, on) {
    if (!button) return;
    if (on) {
      button.setAttribute("aria-busy", "true");
      button.setAttribute("aria-disabled", "true");
      button.dataset.busy = "1";
    } else {
      button.removeAttribute("aria-busy");
      button.removeAttribute("aria-disabled");
      delete button.dataset.busy;
    }
  }

  function submitterOf(form, event) {
    return (event && event.submitter) || form.querySelector("button[type=submit], button:not([type])");
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.hasAttribute("data-no-busy")) return;
    // A script that sends the form itself (htmx, the upload page) stopped the default: it owns the button,
    // or htmx:beforeRequest below marks it.
    if (event.defaultPrevented) return;
    var button = submitterOf(form, event);
    if (button && button.dataset.busy) {
      event.preventDefault(); // already on its way: do not send it twice
      return;
    }
    busy(button, true);
  });

  // htmx requests end without a page load: clear the busy state when the answer (or an error) arrives.
  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    var form = elt && (elt.tagName === "FORM" ? elt : elt.closest && elt.closest("form"));
    if (form) {
      form.querySelectorAll("[data-busy]").forEach(function (b) { busy(b, false); });
    }
    if (elt && elt.dataset && elt.dataset.busy) busy(elt, false);
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (!elt || (elt.closest && elt.closest("[data-no-busy]"))) return;
    if (elt.tagName === "BUTTON") busy(elt, true);
    // A form sent by htmx (not a GET filter that follows typing): its submit button shows the wait.
    if (elt.tagName === "FORM" && (elt.getAttribute("hx-post") || "") !== "") {
      busy(elt.querySelector("button[type=submit], button:not([type])"), true);
    }
  });
  // Coming back with the Back button restores the page from cache: no button should stay busy.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("[data-busy]").forEach(function (b) { busy(b, false); });
  });

  // 3. Sign-up guesses the organization's time zone from the browser (editable later in Settings).
  function guessZone() {
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
    document.querySelectorAll("input[data-guess-zone]").forEach(function (input) {
      if (!input.value && zone) input.value = zone;
    });
  }

  function ready() { setUpMenu(); guessZone(); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
