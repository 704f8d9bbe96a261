// The ticket page's "Print" button (a static file: the CSP allows no inline script).
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("print-ticket");
  if (button) {
    button.addEventListener("click", function () { window.print(); });
  }
});
