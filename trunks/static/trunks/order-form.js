// The Trunk Order form: the testing contact's auto-fill menu, and one submit per click.
(function () {
  "use strict";

  var FIELDS = { name: "contact_name", email: "contact_email", phone: "contact_phone" };

  document.addEventListener("change", function (event) {
    var menu = event.target.closest("select[data-contact-autofill]");
    if (!menu) { return; }
    var option = menu.options[menu.selectedIndex];
    Object.keys(FIELDS).forEach(function (key) {
      var input = menu.form.elements[FIELDS[key]];
      if (input && option.dataset[key] !== undefined) { input.value = option.dataset[key]; }
    });
  });

  // A double click sends the form once; the server refuses a second copy anyway.
  document.addEventListener("submit", function (event) {
    var button = event.target.querySelector("[data-submit-once]");
    if (button) {
      window.setTimeout(function () { button.disabled = true; }, 0);
    }
  });
})();
