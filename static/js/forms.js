// A double-clicked Submit sends one request: the first click disables the button.
// (The server also returns the same registration for a replayed submission.)
document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
  form.addEventListener("submit", function () {
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      window.setTimeout(function () { button.disabled = true; }, 0);
    });
  });
});
// Move focus to the error summary so screen readers announce it.
var errors = document.getElementById("form-errors");
if (errors) { errors.focus(); }
