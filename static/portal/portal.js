// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // A response swapped into #modal holds a <dialog data-modal>: open it as a modal dialog.
  document.addEventListener("htmx:afterSwap", function (event) {
    var dialog = event.detail.target.querySelector("dialog[data-modal]");
    if (dialog && !dialog.open) {
      dialog.showModal();
      var first = dialog.querySelector("[data-error-summary]") ||
        dialog.querySelector("input:not([type=hidden]), select, textarea");
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

  // A select whose choices open other pages (the Order Type menu): data-navigate maps each
  // value to its page. Without JavaScript the form is posted and the server redirects.
  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-navigate]");
    var url = select && JSON.parse(select.dataset.navigate)[select.value];
    if (url && url !== window.location.pathname + window.location.search) {
      window.location.assign(url);
    }
  });

  // A pop-up that is part of a form (an open <dialog data-popup>, shown in the page without
  // JavaScript): closed at load, opened as a modal by its field ([data-open-popup]).
  document.querySelectorAll("dialog[data-popup][open]").forEach(function (popup) {
    popup.close();
  });
  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-open-popup]");
    var popup = opener && document.getElementById(opener.dataset.openPopup);
    if (popup) {
      popup.showModal();
      var first = popup.querySelector("textarea, input:not([type=hidden])");
      if (first) { first.focus(); }
    }
    var closer = event.target.closest("[data-close-popup]");
    if (closer) { closer.closest("dialog").close(); }
  });

  // A text file dropped on a textarea marked data-drop-text is added to its text.
  document.addEventListener("dragover", function (event) {
    if (event.target.closest("textarea[data-drop-text]")) { event.preventDefault(); }
  });
  document.addEventListener("drop", function (event) {
    var area = event.target.closest("textarea[data-drop-text]");
    var file = area && event.dataTransfer.files[0];
    if (!file) { return; }
    event.preventDefault();
    file.text().then(function (text) {
      area.value = area.value.trim() ? area.value.trim() + "\n" + text : text;
      area.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });

  // Menus (<details data-menu>) close when the user clicks elsewhere, and on Escape, which
  // gives the focus back to the menu's button when it was inside the menu.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      if (!menu.contains(event.target)) { menu.removeAttribute("open"); }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      var hadFocus = menu.contains(document.activeElement);
      menu.removeAttribute("open");
      if (hadFocus) { menu.querySelector("summary").focus(); }
    });
    // The left-side menu opened by the Menu button on a narrow screen closes too.
    var shell = document.querySelector(".shell--menu-open");
    if (shell && !document.querySelector("dialog[open]")) {
      var sidebar = shell.querySelector(".sidebar");
      var hadFocus = sidebar && sidebar.contains(document.activeElement);
      var toggle = document.querySelector("[data-toggle-menu]");
      shell.classList.remove("shell--menu-open");
      toggle.setAttribute("aria-expanded", "false");
      if (hadFocus) { toggle.focus(); }
    }
  });

  // A message shown after a redirect (e.g. "An invitation was sent") takes the focus, so that
  // a screen reader reads it and the keyboard starts from it rather than from the top; unless
  // the page gives the focus to a field of its own.
  // A form shown again with errors gives the focus to its error summary instead (or to its one
  // field with an error), so that they are read first.
  var messages = document.querySelector(".messages");
  var firstError = document.querySelector("[data-error-summary]") ||
    document.querySelector(".field--invalid :is(input:not([type=hidden]), select, textarea)");
  var focusTaken = document.querySelector("[autofocus]") ||
    (document.activeElement && document.activeElement !== document.body);
  if (firstError) {
    firstError.focus();
  } else if (messages && !focusTaken) {
    messages.setAttribute("tabindex", "-1");
    messages.focus();
  }

  // A link of the error summary takes the focus to its field (the first input of a group).
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-summary] a[data-focus-field]");
    var target = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!target) { return; }
    event.preventDefault();
    if (!target.matches("input, select, textarea")) {
      target = target.querySelector("input:not([type=hidden]), select, textarea") || target;
    }
    target.scrollIntoView({block: "center"});
    target.focus();
  });

  // Forms marked data-warn-unsaved ask before the user leaves with changes not yet saved.
  // A form shown again with errors holds changes that were not saved either.
  function formState(form) {
    return new URLSearchParams(new FormData(form)).toString();
  }
  function watchForms(root) {
    root.querySelectorAll("form[data-warn-unsaved]").forEach(function (form) {
      if (form.dataset.savedState === undefined) {
        form.dataset.savedState = form.querySelector(".field--invalid, .form-errors, .error-summary")
          ? "" : formState(form);
      }
    });
  }
  watchForms(document);
  document.addEventListener("htmx:load", function (event) { watchForms(event.detail.elt); });
  document.addEventListener("submit", function (event) {
    if (event.target.matches("form[data-warn-unsaved]")) { event.target.dataset.submitting = "1"; }
  });
  window.addEventListener("beforeunload", function (event) {
    var unsaved = Array.prototype.some.call(
      document.querySelectorAll("form[data-warn-unsaved]"),
      function (form) { return !form.dataset.submitting && formState(form) !== form.dataset.savedState; }
    );
    if (unsaved) {
      event.preventDefault();
      event.returnValue = "";  // older browsers show the warning only when this is set
    }
  });

  // A table wider than its block scrolls sideways inside it: say so, and let the keyboard
  // scroll it too (a focusable region).
  function markWideTables() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var wide = wrap.scrollWidth > wrap.clientWidth + 1;
      wrap.classList.toggle("table-wrap--wide", wide);
      if (wide) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", "Table, scrolls sideways");
      } else {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }
  markWideTables();
  window.addEventListener("resize", markWideTables);
  document.addEventListener("htmx:afterSettle", markWideTables);

  // A file drop area ([data-file-drop], components/file_drop.html): a file dropped anywhere on
  // it goes into its file input, and the chosen file's name is shown.
  document.querySelectorAll("[data-file-drop]").forEach(function (area) {
    var input = area.querySelector("input[type=file]");
    var name = area.querySelector("[data-file-drop-name]");
    function showName() {
      name.textContent = input.files.length ? "Chosen: " + input.files[0].name : "";
    }
    ["dragenter", "dragover"].forEach(function (type) {
      area.addEventListener(type, function (event) {
        event.preventDefault();
        area.classList.add("file-drop--over");
      });
    });
    area.addEventListener("dragleave", function () { area.classList.remove("file-drop--over"); });
    area.addEventListener("drop", function (event) {
      event.preventDefault();
      area.classList.remove("file-drop--over");
      if (event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        showName();
      }
    });
    input.addEventListener("change", showName);
  });
})();
