/* The library's row selection, made easier where scripts run: "select all on this page", the number
 * ticked on the selection bar, and its buttons disabled while nothing is ticked. Without this script the
 * checkboxes and buttons work the same; the server then says when nothing was ticked.
 * Delegated from the document, so rows and results swapped in by htmx need nothing more.
 */
(function () {
  "use strict";

  function boxes() {
    return Array.from(document.querySelectorAll('input[type="checkbox"][name="s"][form="selection"]'));
  }

  function refresh() {
    var form = document.getElementById("selection");
    if (!form) return;
    var all = boxes();
    var ticked = all.filter(function (b) { return b.checked; }).length;
    form.querySelectorAll("button").forEach(function (b) { b.disabled = ticked === 0; });
    var count = form.querySelector(".bulk-count");
    if (count) count.textContent = ticked ? ticked + " ticked:" : "Tick sessions to compare, export, assign or delete them.";
    var master = document.getElementById("pick-all");
    if (master) {
      master.hidden = false;
      master.checked = all.length > 0 && ticked === all.length;
      master.indeterminate = ticked > 0 && ticked < all.length;
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.id === "pick-all") {
      boxes().forEach(function (b) { b.checked = target.checked; });
    }
    if (target.id === "pick-all" || (target.name === "s" && target.getAttribute("form") === "selection")) refresh();
  });
  document.addEventListener("DOMContentLoaded", refresh);
  document.addEventListener("htmx:afterSettle", refresh);
})();
