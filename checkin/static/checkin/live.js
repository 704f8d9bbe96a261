// The event dashboard's check-in numbers (checkin/templates/checkin/panels/live.html):
// every 30 seconds, read checkin:live and rewrite the two tables' numbers in place.
(function () {
  "use strict";
  var section = document.getElementById("checkin-live");
  if (!section) { return; }
  var url = section.getAttribute("data-live-url");

  function cell(text, header) {
    var element = document.createElement(header ? "th" : "td");
    if (header) { element.setAttribute("scope", "row"); } else { element.className = "number"; }
    element.textContent = String(text);
    return element;
  }

  function render(data) {
    (data.zones || []).forEach(function (zone) {
      var row = section.querySelector('#checkin-zones tr[data-zone="' + zone.id + '"]');
      if (!row) { return; }
      row.querySelector('[data-number="admitted"]').textContent = String(zone.admitted);
      row.querySelector('[data-number="expected"]').textContent = String(zone.expected);
    });
    var hours = data.hours || [];
    if (!hours.length) { return; }
    var body = section.querySelector("#checkin-hours tbody");
    while (body.firstChild) { body.removeChild(body.firstChild); }
    hours.forEach(function (slot) {
      var row = document.createElement("tr");
      row.setAttribute("data-hour", slot.hour);
      row.appendChild(cell(slot.label, true));
      row.appendChild(cell(slot.total, false));
      body.appendChild(row);
    });
  }

  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { render(data); } })
      .catch(function () { /* offline: keep the last numbers */ });
  }

  window.setInterval(refresh, 30000);
})();
