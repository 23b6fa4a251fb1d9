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

// Municipalities are chosen by name: a field marked data-municipality suggests names as one types
// ("Aarhus (dk/751)"), and a list field (data-municipality-list) gets a field that adds one at a
// time. Without scripts the same fields take names typed by hand.
(function () {
  var single = document.querySelectorAll("input[data-municipality]");
  var lists = document.querySelectorAll("textarea[data-municipality-list]");
  if (!single.length && !lists.length) { return; }
  var datalist = document.createElement("datalist");
  datalist.id = "municipality-names";
  document.body.appendChild(datalist);
  var names = null;
  function load() {
    if (names) { return; }
    names = [];
    fetch("/municipalities/names.json").then(function (r) { return r.json(); }).then(function (all) {
      names = all;
      all.forEach(function (label) {
        var option = document.createElement("option");
        option.value = label;
        datalist.appendChild(option);
      });
    });
  }
  single.forEach(function (input) {
    input.setAttribute("list", "municipality-names");
    input.setAttribute("autocomplete", "off");
    input.addEventListener("focus", load);
  });
  lists.forEach(function (area) {
    var field = document.createElement("div");
    field.className = "field municipality-adder";
    var label = document.createElement("label");
    label.htmlFor = area.id + "-add";
    label.textContent = area.getAttribute("data-add-label");
    var hint = document.createElement("p");
    hint.className = "hint";
    hint.id = area.id + "-add-hint";
    hint.textContent = area.getAttribute("data-add-hint");
    var input = document.createElement("input");
    input.type = "text";
    input.id = area.id + "-add";
    input.setAttribute("list", "municipality-names");
    input.setAttribute("autocomplete", "off");
    input.setAttribute("aria-describedby", hint.id);
    input.addEventListener("focus", load);
    function add() {
      if (!names || names.indexOf(input.value) < 0) { return false; }
      var current = area.value.replace(/[\s,;]+$/, "");
      area.value = current ? current + ", " + input.value : input.value;
      input.value = "";
      return true;
    }
    input.addEventListener("change", add);
    input.addEventListener("input", add);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && add()) { event.preventDefault(); }
    });
    field.appendChild(label);
    field.appendChild(hint);
    field.appendChild(input);
    area.closest(".field").parentNode.insertBefore(field, area.closest(".field"));
  });
})();
