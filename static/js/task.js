/* The task page's decision form (templates/office/task.html): pick a phrase into the comment;
   a return or a rejection needs a reason, asked for before the form is sent (the browser's own
   "required" check, with our Thai message instead of the browser's), listed at the top of the form
   in red, all at once; a rejection asks for a second click. The server checks the same again.
   Turbo navigation replaces the body, so the form is set up on every page load. */
(function () {
  "use strict";

  function setup() {
    var form = document.querySelector("form[data-task-form]");
    if (!form || form.dataset.ready) return;
    form.dataset.ready = "1";
    var comment = form.querySelector("textarea[name=comment]");
    var radios = Array.prototype.slice.call(form.querySelectorAll("input[name=decision]"));
    var alertBox = form.querySelector("[data-errors]");
    var hint = form.querySelector("[data-reason-hint]");
    var confirmLine = form.querySelector("[data-confirm]");
    var submit = form.querySelector("[data-submit]");
    var submitLabel = submit.textContent;
    var confirmed = false;

    function decision() {
      var chosen = radios.filter(function (r) { return r.checked; })[0];
      return chosen ? chosen.value : "";
    }

    function reasonMessage() {
      var d = decision();
      return d === "return" ? form.dataset.reasonReturn : d === "reject" ? form.dataset.reasonReject : "";
    }

    /* The checks, as the browser's validity: required toggled by the decision, messages in Thai. */
    function check() {
      var need = reasonMessage();
      comment.required = !!need;
      hint.hidden = !need;
      comment.setCustomValidity(need && !comment.value.trim() ? need : "");
      radios.forEach(function (r) { r.setCustomValidity(decision() ? "" : form.dataset.choose); });
    }

    function resetConfirm() {
      confirmed = false;
      confirmLine.hidden = true;
      submit.textContent = submitLabel;
      submit.classList.remove("office-decide__submit--danger");
    }

    function showErrors(messages) {
      var list = alertBox.querySelector("ul");
      list.textContent = "";
      messages.forEach(function (m) {
        var li = document.createElement("li");
        li.textContent = m;
        list.appendChild(li);
      });
      alertBox.hidden = messages.length === 0;
      if (messages.length) {
        alertBox.scrollIntoView({ block: "start", behavior: "instant" in window ? "instant" : "auto" });
      }
    }

    form.querySelectorAll("[data-phrase]").forEach(function (button) {
      button.addEventListener("click", function () {
        var text = button.dataset.phrase;
        var current = comment.value.trim();
        comment.value = current ? current + " " + text : text;
        comment.focus();
        comment.setSelectionRange(comment.value.length, comment.value.length);
        check();
      });
    });
    radios.forEach(function (r) {
      r.addEventListener("change", function () { resetConfirm(); check(); });
    });
    comment.addEventListener("input", check);

    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (submitter && submitter.hasAttribute("data-save-phrase")) return; // the phrase, not a decision
      check();
      var messages = [];
      if (!decision()) messages.push(form.dataset.choose);
      if (comment.validationMessage) messages.push(comment.validationMessage);
      if (messages.length) {
        event.preventDefault();
        showErrors(messages);
        (decision() ? comment : radios[0]).focus();
        return;
      }
      if (decision() === "reject" && !confirmed) {
        event.preventDefault();
        confirmed = true;
        confirmLine.textContent = form.dataset.confirmReject;
        confirmLine.hidden = false;
        submit.textContent = form.dataset.confirmLabel;
        submit.classList.add("office-decide__submit--danger");
        showErrors([]);
        confirmLine.scrollIntoView({ block: "nearest" });
        return;
      }
      submit.disabled = true; // one decision per click
    });
    /* the browser's own bubble also shows (in Thai, from setCustomValidity); list every problem at once */
    form.addEventListener("invalid", function () {
      var messages = [];
      if (!decision()) messages.push(form.dataset.choose);
      if (comment.validationMessage) messages.push(comment.validationMessage);
      showErrors(messages);
    }, true);

    check();
    if (!alertBox.hidden) alertBox.scrollIntoView({ block: "start" });
  }

  document.addEventListener("DOMContentLoaded", setup);
  document.addEventListener("turbo:load", setup);
  if (document.readyState !== "loading") setup();
})();
