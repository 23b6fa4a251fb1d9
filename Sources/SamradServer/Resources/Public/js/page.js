// Long work shows that it is working: a form's button with data-busy says so once pressed and is not
// pressed twice. Without scripts the form works the same, only without the message.
document.querySelectorAll("form").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    var button = event.submitter || form.querySelector("button[data-busy]");
    if (!button || !button.hasAttribute("data-busy")) { return; }
    if (form.dataset.sending) { event.preventDefault(); return; }
    form.dataset.sending = "1";
    button.setAttribute("aria-disabled", "true");
    button.textContent = button.getAttribute("data-busy");
    var status = document.createElement("p");
    status.setAttribute("role", "status");
    status.className = "visually-hidden";
    status.textContent = button.getAttribute("data-busy");
    form.appendChild(status);
  });
});

// On a phone the main menu folds behind a button (GOV.UK's pattern); without scripts it stays open.
(function () {
  var nav = document.querySelector(".site-header nav.main");
  var button = document.querySelector(".site-header .menu-button");
  if (!nav || !button) { return; }
  var narrow = window.matchMedia("(max-width: 48rem)");
  function fold() {
    var folded = narrow.matches && button.getAttribute("aria-expanded") !== "true";
    button.hidden = !narrow.matches;
    nav.classList.toggle("folded", folded);
  }
  button.addEventListener("click", function () {
    button.setAttribute("aria-expanded", button.getAttribute("aria-expanded") === "true" ? "false" : "true");
    fold();
  });
  narrow.addEventListener("change", fold);
  fold();
})();

// A form that carries another's choices (adding a person while choosing seats): the other form's
// current values go along, so nothing chosen is lost.
document.querySelectorAll("form[data-carry-from]").forEach(function (form) {
  form.addEventListener("submit", function () {
    var source = document.getElementById(form.getAttribute("data-carry-from"));
    if (!source) { return; }
    source.querySelectorAll("select[name], input[name]:not([type=hidden])").forEach(function (field) {
      var carried = form.querySelector('input[type=hidden][name="' + field.name + '"]');
      if (carried) { carried.value = field.value; }
    });
  });
});
