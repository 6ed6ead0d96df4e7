// The Inventory's number tabs: "Select all on this page" checks every number's box at once.
// Without JavaScript it stays hidden: the boxes are checked one by one, or "Select all
// matching numbers" takes every page.
(function () {
  "use strict";

  document.querySelectorAll("[data-select-page-option]").forEach(function (option) {
    option.hidden = false;
  });

  document.addEventListener("change", function (event) {
    var box = event.target.closest("[data-select-page]");
    if (!box) { return; }
    document.querySelectorAll("input[data-select-number]").forEach(function (number) {
      number.checked = box.checked;
    });
  });
})();
