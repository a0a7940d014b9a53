// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // After a form comes back with errors, put the cursor in the first field to fix.
  function focusFirstError(root) {
    var field = root && root.querySelector && root.querySelector('[aria-invalid="true"]');
    if (field) { field.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () { focusFirstError(document); });
  document.addEventListener("htmx:afterSwap", function (event) { focusFirstError(event.detail && event.detail.target); });
})();
