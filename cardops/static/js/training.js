/* cardops training pages — progressive enhancements only: the log form works without this file.
 * 1. A supervisor's outlet choice shows that outlet's staff only (every outlet's for a district session); the
 *    hidden rows are disabled, so nothing ticked there is sent.
 * 2. "全部出席" ticks everyone of an outlet as present.
 * 3. A score box is usable only for someone present.
 */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function eachRow(scope, fn) {
    scope.querySelectorAll("tr[data-user]").forEach(fn);
  }

  function syncScore(row) {
    var present = row.querySelector("input[type=radio][value=present]");
    var score = row.querySelector(".score-input");
    if (present && score) {
      score.disabled = !present.checked || row.closest("[data-outlet-hidden]") !== null;
    }
  }

  function showOutlet(form) {
    var select = form.querySelector("[data-outlet-select]");
    if (!select) { return; }
    var chosen = select.value;
    form.querySelectorAll(".attendance-group").forEach(function (group) {
      var visible = chosen === "" || chosen === "district" || group.getAttribute("data-outlet") === chosen;
      group.hidden = !visible;
      if (visible) { group.removeAttribute("data-outlet-hidden"); } else { group.setAttribute("data-outlet-hidden", ""); }
      group.querySelectorAll("input").forEach(function (input) { input.disabled = !visible; });
      eachRow(group, syncScore);
    });
  }

  document.querySelectorAll("form[data-session-form]").forEach(function (form) {
    eachRow(form, syncScore);
    showOutlet(form);
    form.addEventListener("change", function (event) {
      if (event.target.matches("[data-outlet-select]")) { showOutlet(form); }
      var row = event.target.closest && event.target.closest("tr[data-user]");
      if (row) { syncScore(row); }
    });
    form.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("[data-all-present]");
      if (!button) { return; }
      event.preventDefault();
      var group = button.closest(".attendance-group");
      eachRow(group, function (row) {
        var present = row.querySelector("input[type=radio][value=present]");
        if (present && !present.disabled) { present.checked = true; }
        syncScore(row);
      });
    });
  });
})();
