/* The drafting form's "ขอความเห็นเพิ่มเติม" (templates/office/_consultants.html): shown, and its
   boxes sent, only while the chosen memo type's route lets the drafter add consulted posts; that
   route's own posts ticked, fixed and listed first, as they will be asked. The page comes from the
   server in the right state for the type it shows; this follows the memo type select after that
   (viewflow's select sends a bubbling "change" with detail.value). Without it the server still
   checks everything (web.forms.MemoForm.clean). Turbo replaces the body: set up on every load. */
(function () {
  "use strict";

  function chosenType(form, event) {
    if (event && event.detail && typeof event.detail.value === "string") return event.detail.value;
    var input = form.querySelector("input[name=memo_type], select[name=memo_type]");
    if (input) return input.value;
    var field = form.querySelector("vf-field-select[name=memo_type]");
    return field ? field.getAttribute("value") || "" : "";
  }

  function apply(box, type) {
    if (box.dataset.locked) return;  // submitted once: shown as it is, not editable
    var fixed = JSON.parse(box.dataset.consultants || "{}");
    var allowed = Object.prototype.hasOwnProperty.call(fixed, type);
    var show = allowed || box.classList.contains("office-consult--error");
    box.hidden = !show;
    box.disabled = !show;  // a hidden list sends nothing
    var own = allowed ? fixed[type].map(String) : [];
    var list = box.querySelector(".office-consult__list");
    var items = Array.prototype.slice.call(list.children);
    items.forEach(function (li) {
      var input = li.querySelector("input");
      var isFixed = own.indexOf(li.dataset.position) >= 0;
      if (isFixed) input.checked = true;
      else if (li.classList.contains("office-consult__item--fixed")) input.checked = false;
      input.disabled = isFixed;
      li.classList.toggle("office-consult__item--fixed", isFixed);
      li.querySelector(".office-consult__fixed").hidden = !isFixed;
    });
    items.sort(function (a, b) {
      var fa = own.indexOf(a.dataset.position), fb = own.indexOf(b.dataset.position);
      return (fa < 0 ? 1e6 : fa) - (fb < 0 ? 1e6 : fb) || a.dataset.rank - b.dataset.rank;
    }).forEach(function (li) { list.appendChild(li); });
  }

  if (!window.officeConsultants) {
    window.officeConsultants = true;
    document.addEventListener("change", function (event) {
      var target = event.target;
      if (!target || !target.closest) return;
      var field = target.closest("[name=memo_type]");
      var form = field && field.closest("form");
      var box = form && form.querySelector("fieldset[data-consultants]");
      if (box) apply(box, chosenType(form, event));
    });
  }
})();
