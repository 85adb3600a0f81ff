/* cardops reissue pages — progressive enhancements only: every form works without this file.
 * 1. [data-show-when="name=value"] shows a block only while the form's field has that value (proxy agent).
 * 2. input[data-validate] checks ID numbers (GB 11643, mirror of cardops/core/pii.py) and mobile numbers as
 *    the clerk types; a form with [data-live-validate] is not sent while one of them is wrong.
 * 3. input[data-enter-next] moves on to the next field on Enter (a QR scanner ends with Enter).
 */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var EN = (document.documentElement.lang || "").indexOf("en") === 0;
  var MSG = EN ? {
    idLength: "An ID number has 18 characters",
    idFormat: "Wrong format (17 digits, then a digit or X)",
    idDate: "The birth date in the ID number does not exist",
    idDateRange: "The birth date in the ID number is not plausible",
    idCheck: "Wrong check character — please check the ID number",
    phone: "A mobile number has 11 digits (mainland China)"
  } : {
    idLength: "身份证号码应为18位",
    idFormat: "身份证号码格式不正确（前17位为数字，末位为数字或X）",
    idDate: "身份证号码中的出生日期不存在",
    idDateRange: "身份证号码中的出生日期不合理",
    idCheck: "身份证号码校验位不正确，请核对",
    phone: "手机号码应为11位大陆手机号"
  };

  // --- ID number and phone (same rules and order as cardops/core/pii.py) ---------------------------------
  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECK_CHARS = "10X98765432";

  function normaliseId(raw) { return raw.replace(/\s+/g, "").toUpperCase(); }

  function idProblem(raw) {
    var value = normaliseId(raw);
    if (value.length !== 18) { return MSG.idLength; }
    if (!/^[0-9]{17}[0-9X]$/.test(value)) { return MSG.idFormat; }
    var year = parseInt(value.slice(6, 10), 10);
    var month = parseInt(value.slice(10, 12), 10);
    var day = parseInt(value.slice(12, 14), 10);
    var birth = new Date(0);
    birth.setUTCFullYear(year, month - 1, day);
    if (month < 1 || birth.getUTCFullYear() !== year || birth.getUTCMonth() !== month - 1 || birth.getUTCDate() !== day) {
      return MSG.idDate;
    }
    if (year < 1880 || birth.getTime() > Date.now()) { return MSG.idDateRange; }
    var total = 0;
    for (var i = 0; i < 17; i++) { total += parseInt(value.charAt(i), 10) * WEIGHTS[i]; }
    if (CHECK_CHARS.charAt(total % 11) !== value.charAt(17)) { return MSG.idCheck; }
    return null;
  }

  function phoneProblem(raw) {
    var value = raw.replace(/\s+/g, "").replace(/-/g, "");
    if (value.indexOf("+86") === 0) { value = value.slice(3); }
    return /^1[3-9][0-9]{9}$/.test(value) ? null : MSG.phone;
  }

  var CHECKS = { "id-number": idProblem, "phone": phoneProblem };
  var COMPLETE_LENGTH = { "id-number": 18, "phone": 11 };

  function isShown(el) { return !el.closest("[hidden]"); }

  function liveMessage(input) {
    var field = input.closest(".field") || input.parentNode;
    var box = field.querySelector(".error.live");
    if (!box) {
      box = document.createElement("div");
      box.className = "error live";
      box.setAttribute("aria-live", "polite");
      field.appendChild(box);
    }
    return box;
  }

  function check(input, force) {
    var kind = input.getAttribute("data-validate");
    var value = input.value.trim();
    var field = input.closest(".field");
    var box = liveMessage(input);
    // While typing, speak up only once the number is long enough or the field was left once.
    var ready = force || input.getAttribute("data-touched") || value.replace(/\s+/g, "").length >= COMPLETE_LENGTH[kind];
    var problem = value && ready ? CHECKS[kind](value) : null;
    box.textContent = problem || "";
    box.hidden = !problem;
    if (field) {
      // A server message for this field is stale as soon as the clerk edits it.
      field.querySelectorAll(".error:not(.live)").forEach(function (old) { old.hidden = true; });
      field.classList.toggle("has-error", !!problem);
    }
    if (problem) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    return problem;
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[data-validate]")) { check(input, false); }
  });

  document.addEventListener("focusout", function (event) {
    var input = event.target;
    if (!(input.matches && input.matches("input[data-validate]"))) { return; }
    if (input.getAttribute("data-validate") === "id-number" && input.value) {
      input.value = normaliseId(input.value);
    }
    if (input.value.trim()) { input.setAttribute("data-touched", "1"); }
    check(input, false);
  });

  // Capture phase: runs before cardops.js disables the submit buttons, so a refused submit stays usable.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-live-validate")) { return; }
    var first = null;
    form.querySelectorAll("input[data-validate]").forEach(function (input) {
      if (isShown(input) && input.value.trim() && check(input, true) && !first) { first = input; }
    });
    if (first) {
      event.preventDefault();
      event.stopImmediatePropagation();
      first.focus();
    }
  }, true);

  // --- show-when -------------------------------------------------------------------------------------------
  function currentValue(scope, name) {
    var checked = scope.querySelector("input[name='" + name + "']:checked");
    if (checked) { return checked.value; }
    var other = scope.querySelector("select[name='" + name + "'], input[name='" + name + "']:not([type=radio])");
    return other ? other.value : "";
  }

  function applyShowWhen() {
    document.querySelectorAll("[data-show-when]").forEach(function (block) {
      var rule = block.getAttribute("data-show-when").split("=");
      var scope = block.closest("form") || document;
      block.hidden = currentValue(scope, rule[0]) !== rule[1];
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.form) { applyShowWhen(); }
  });

  // --- Enter moves on ----------------------------------------------------------------------------------------
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key !== "Enter" || !(input.matches && input.matches("input[data-enter-next]"))) { return; }
    var next = document.getElementById(input.getAttribute("data-enter-next"));
    if (next && !next.value) {
      event.preventDefault();
      next.focus();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", applyShowWhen);
  } else {
    applyShowWhen();
  }
})();
