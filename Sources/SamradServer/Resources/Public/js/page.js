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

// A link to something slow to make (the report's PDF) says it is being made; the page stays.
document.querySelectorAll("a[data-busy]").forEach(function (link) {
  link.addEventListener("click", function () {
    var status = link.parentNode.querySelector(".busy-status");
    if (!status) {
      status = document.createElement("span");
      status.className = "busy-status hint";
      status.setAttribute("role", "status");
      link.parentNode.insertBefore(status, link.nextSibling);
    }
    status.textContent = " " + link.getAttribute("data-busy");
  });
});

// On a phone the main menu folds behind a button (GOV.UK's pattern); without scripts it stays open.
// The width decides in CSS, so the menu is right the moment the screen turns.
(function () {
  var nav = document.querySelector(".site-header nav.main");
  var button = document.querySelector(".site-header .menu-button");
  if (!nav || !button) { return; }
  button.hidden = false;
  nav.classList.add("folded");
  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-expanded") === "true";
    button.setAttribute("aria-expanded", open ? "false" : "true");
    nav.classList.toggle("folded", open);
  });
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
