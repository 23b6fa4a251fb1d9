// Samrad: the answer page without losing anything. Shows and hides questions whose condition
// depends on an earlier answer, and saves the draft in the background a moment after each change.
// Without this script the page works the same with its "Save draft" button.
(function () {
  "use strict";
  var form = document.getElementById("answer-form");
  if (!form) return;

  function chosen(key) {
    var values = [];
    form.querySelectorAll('[name="answers[' + key + ']"], [name="answers[' + key + '][]"]').forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") ? input.checked : input.value !== "") values.push(input.value);
    });
    return values;
  }

  function applyConditions() {
    form.querySelectorAll("[data-show-if]").forEach(function (block) {
      var wanted = (block.getAttribute("data-show-values") || "").split(" ");
      var target = document.getElementById("question-" + block.getAttribute("data-show-if"));
      var visible = (!target || !target.hidden) && chosen(block.getAttribute("data-show-if")).some(function (v) { return wanted.indexOf(v) >= 0; });
      block.hidden = !visible;
    });
  }

  applyConditions();
  form.addEventListener("change", applyConditions);
  if (form.getAttribute("data-autosave") !== "on" || !window.fetch) return;

  var status = document.getElementById("autosave-status");
  var timer = null;
  var pending = false;

  function save() {
    timer = null;
    var body = new URLSearchParams(new FormData(form));
    body.set("action", "autosave");
    pending = true;
    // Not form.action: the submit buttons are named "action" and shadow it.
    fetch(form.getAttribute("action"), { method: "POST", body: body, credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (result) {
        pending = false;
        if (status) status.textContent = result.message || "";
        form.setAttribute("data-saved", result.saved ? "yes" : "no");
      })
      .catch(function () { pending = false; });
  }

  function later() {
    if (timer) clearTimeout(timer);
    form.setAttribute("data-saved", "pending");
    timer = setTimeout(save, 800);
  }

  form.addEventListener("change", later);
  form.addEventListener("input", function (event) {
    if (event.target && (event.target.tagName === "TEXTAREA" || event.target.type === "text")) later();
  });
  // A submit button press saves in the ordinary way; the background save must not race it.
  form.addEventListener("submit", function () { if (timer) clearTimeout(timer); timer = null; });
  window.addEventListener("beforeunload", function (event) {
    if (timer || pending) { event.preventDefault(); }
  });
})();
