// The registration form lists each way to pay once (folded, for browsers without JavaScript);
// here only the chosen category's instructions stay visible, unfolded.
(function () {
  var form = document.querySelector("form.registration-form");
  if (!form) { return; }
  var payments = form.querySelectorAll("details.payment[data-categories]");
  // Other apps' fieldsets (billing details) apply to some categories only; the server
  // ignores a hidden one's fields, so hiding it is only for the eye.
  var sections = form.querySelectorAll("fieldset[data-form-section][data-categories]");
  // Options within a section that only some categories may book (an add-on for speakers).
  var options = form.querySelectorAll("fieldset[data-form-section] input[data-categories]");
  if (!payments.length && !sections.length) { return; }

  function showChosen() {
    var chosen = form.querySelector("input[name=category]:checked");
    payments.forEach(function (details) {
      var applies = chosen !== null && details.dataset.categories.split(" ").indexOf(chosen.value) !== -1;
      details.hidden = !applies;
      details.open = applies;
    });
    sections.forEach(function (fieldset) {
      fieldset.hidden = chosen === null || fieldset.dataset.categories.split(" ").indexOf(chosen.value) === -1;
    });
    options.forEach(function (input) {
      var row = input.closest(".field") || input;
      row.hidden = chosen !== null && input.dataset.categories.split(" ").indexOf(chosen.value) === -1;
    });
  }

  form.querySelectorAll("input[name=category]").forEach(function (radio) {
    radio.addEventListener("change", showChosen);
  });
  showChosen();
})();
