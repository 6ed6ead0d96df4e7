// The routing policy form's "Add row": a new row in place, without posting the form. Without
// JavaScript the button posts the form, which comes back as typed with one more row.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-add-routing-row]");
    if (!button) { return; }
    event.preventDefault();
    var form = button.form;
    var total = form.querySelector('input[name$="-TOTAL_FORMS"]');
    var template = form.querySelector("template[data-routing-row-template]");
    var rows = form.querySelector("[data-routing-rows]");
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index))
      .replace(/__row__/g, String(index + 1));
    rows.insertAdjacentHTML("beforeend", html);
    var priority = rows.lastElementChild.querySelector('input[name$="-priority"]');
    if (priority && !priority.value) { priority.value = String(index + 1); }
    total.value = String(index + 1);
    if (index + 1 >= parseInt(button.dataset.maxRows, 10)) { button.disabled = true; }
    rows.lastElementChild.querySelector("select").focus();
  });
})();
