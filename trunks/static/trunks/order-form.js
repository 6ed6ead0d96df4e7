// The trunk forms: the testing contact's auto-fill menu, the SIP username shown only with
// authentication by username and password, and one submit per click. Without JavaScript every
// field shows and the server ignores the username with authentication by IP.
(function () {
  "use strict";

  var FIELDS = { name: "contact_name", email: "contact_email", phone: "contact_phone" };

  function showAuthFields(form) {
    var chosen = form.querySelector('input[name="auth"]:checked');
    form.querySelectorAll("[data-shown-with-auth]").forEach(function (input) {
      var field = input.closest(".field") || input;
      field.hidden = !chosen || chosen.value !== input.dataset.shownWithAuth;
    });
  }

  document.querySelectorAll("form").forEach(showAuthFields);

  document.addEventListener("change", function (event) {
    if (event.target.name === "auth" && event.target.form) {
      showAuthFields(event.target.form);
      return;
    }
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
