// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // A response swapped into #modal holds a <dialog data-modal>: open it as a modal dialog.
  document.addEventListener("htmx:afterSwap", function (event) {
    var dialog = event.detail.target.querySelector("dialog[data-modal]");
    if (dialog && !dialog.open) {
      dialog.showModal();
      var first = dialog.querySelector("input:not([type=hidden]), select, textarea");
      if (first) { first.focus(); }
    }
  });

  document.addEventListener("click", function (event) {
    // On a page that opened without the pop-up, a Cancel link simply follows its href.
    var closer = event.target.closest("[data-close-modal]");
    var dialog = closer && closer.closest("dialog");
    if (dialog) {
      event.preventDefault();
      dialog.close();
    }
    var toggle = event.target.closest("[data-toggle-menu]");
    if (toggle) {
      var shell = document.querySelector(".shell");
      var open = shell.classList.toggle("shell--menu-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
  });

  // Closing a dialog (Escape, the close button) empties the modal container.
  document.addEventListener("close", function (event) {
    if (event.target.matches("dialog[data-modal]")) {
      event.target.parentElement.replaceChildren();
    }
  }, true);

  // A toggle switch says Enabled/Disabled as soon as it is flipped, before the form is saved.
  document.addEventListener("change", function (event) {
    var state = event.target.closest(".switch") &&
      event.target.closest(".switch").querySelector("[data-switch-state]");
    if (state) {
      state.textContent = event.target.checked ? state.dataset.on : state.dataset.off;
    }
  });

  // Close an open <details> menu when the user clicks elsewhere.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      if (!menu.contains(event.target)) { menu.removeAttribute("open"); }
    });
  });
})();
