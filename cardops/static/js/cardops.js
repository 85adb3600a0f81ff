/* cardops — small progressive enhancements. No inline scripts (the CSP forbids them). */
(function () {
  "use strict";

  // Forms with data-confirm ask before submitting (revoke, cancel, return …).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // A second click on a submit button while the first request is in flight is ignored.
  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented) { return; }
    var buttons = event.target.querySelectorAll("button[type=submit]");
    window.setTimeout(function () {
      buttons.forEach(function (b) { b.disabled = true; });
    }, 0);
  });

  // Print buttons.
  document.addEventListener("click", function (event) {
    var trigger = event.target.closest && event.target.closest("[data-print]");
    if (trigger) { event.preventDefault(); window.print(); }
  });
})();
