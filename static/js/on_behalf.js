// The admin's "register a delegate on their behalf" page: the category list keeps only the
// chosen event's categories, and "Approve at once" shows only for a category that needs
// approval. Without JavaScript the list offers every event's categories grouped by event,
// and the server refuses a category of another event. Loaded in the page's <head> (the
// form's media), so it waits for the form to be parsed.
document.addEventListener("DOMContentLoaded", function () {
  var eventSelect = document.getElementById("id_event");
  var categorySelect = document.getElementById("id_category");
  if (!eventSelect || !categorySelect) { return; }
  var approveRow = document.querySelector(".form-row.field-approve_now");
  var approveBox = document.getElementById("id_approve_now");
  // Every event's <optgroup> (and the empty choice), as the server sent them.
  var everything = Array.prototype.map.call(categorySelect.children, function (node) {
    return node.cloneNode(true);
  });

  function showApproval() {
    if (!approveRow || !approveBox) { return; }
    var option = categorySelect.options[categorySelect.selectedIndex];
    var applies = Boolean(option && option.dataset.requiresApproval === "true");
    approveRow.hidden = !applies;
    if (!applies) { approveBox.checked = false; }
  }

  function narrow() {
    var eventId = eventSelect.value;
    var chosen = categorySelect.value;
    categorySelect.replaceChildren();
    everything.forEach(function (node) {
      var keep = node.tagName !== "OPTGROUP" || !eventId ||
        node.querySelector('option[data-event="' + eventId + '"]') !== null;
      if (keep) { categorySelect.appendChild(node.cloneNode(true)); }
    });
    categorySelect.value = chosen;
    if (categorySelect.value !== chosen) { categorySelect.value = ""; }
    showApproval();
  }

  eventSelect.addEventListener("change", narrow);
  categorySelect.addEventListener("change", showApproval);
  narrow();
});
