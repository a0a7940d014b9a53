// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // After a form comes back with errors, put the cursor in the first field to fix.
  function focusFirstError(root) {
    var field = root && root.querySelector && root.querySelector('[aria-invalid="true"]');
    if (field) { field.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () { focusFirstError(document); });
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    // htmx wires new content up only as it settles: the offer's lines at once, so that a
    // quick edit right after a swap is not lost.
    if (target && target.id === "offer-lines" && window.htmx) { window.htmx.process(target); }
    focusFirstError(target);
  });

  // The offer editor swaps its lines after every change; htmx keeps the focus on an element
  // with the same id. Where that element is gone (a line removed, a product added from the
  // search), go on from the catalogue search, or the free-line form if that was in use.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || target.id !== "offer-lines") { return; }
    if (document.activeElement && document.activeElement !== document.body) { return; }
    var free = document.querySelector(".offer-free-line[open] input:not([type=hidden])");
    var next = free || document.getElementById("product-q") || document.getElementById("lines-h");
    if (next) { next.focus(); }
  });
})();
