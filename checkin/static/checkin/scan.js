// The check-in page (checkin/templates/checkin/scan.html): camera and photo scanning, search,
// undo, and the door that keeps working when the venue's network drops.
//
// Online, every scan is decided by the server (checkin:scan). Offline (the browser says so, or
// a request fails), the scan is decided here against the event's list of badges kept in
// IndexedDB (token hashes only, checkin:offline), queued with its own client_id and time, and
// posted to checkin:sync when the network is back; the server decides again (first scan wins
// across doors) and its verdicts are shown. A scan sent online carries its client_id too, so
// one whose answer was lost on the way and is then queued is never recorded twice.
// Every sentence comes from the template (#checkin-strings), translated.
(function () {
  "use strict";

  var root = document.getElementById("checkin");
  if (!root) return;

  var CACHE = "minex-checkin-v1"; // the same name in sw.js
  var DEBOUNCE_MS = 3000; // the same badge in front of the camera is decided once per 3 s
  var FRAME_MS = 125; // ~8 frames a second
  var ONLINE_TIMEOUT_MS = 2500; // then the scan is decided on this device
  var RETRY_MS = 15000; // sync and reachability retries while offline or with a queue
  var LIST_REFRESH_MS = 5 * 60 * 1000;
  var SYNC_BATCH = 500; // the server's maximum per request
  var RECENT_MAX = 12;

  var config = {
    event: root.dataset.event,
    timeZone: root.dataset.timeZone || undefined,
    language: root.dataset.language || undefined,
    undoSeconds: parseInt(root.dataset.undoSeconds, 10) || 60,
    csrf: root.dataset.csrfToken,
    urls: {
      scan: root.dataset.urlScan,
      undo: root.dataset.urlUndo,
      search: root.dataset.urlSearch,
      offline: root.dataset.urlOffline,
      sync: root.dataset.urlSync,
      serviceWorker: root.dataset.urlServiceWorker,
      scope: root.dataset.urlScope,
    },
  };
  var T = document.getElementById("checkin-strings").dataset;

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_match, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function el(selector) {
    return root.querySelector(selector);
  }

  function make(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  var timeFormat;
  try {
    timeFormat = new Intl.DateTimeFormat(config.language, {
      hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: config.timeZone,
    });
  } catch (_error) {
    timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  }
  function clock(date) {
    return timeFormat.format(date instanceof Date ? date : new Date(date));
  }

  function newClientId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  async function sha256hex(text) {
    var digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
    return Array.prototype.map.call(new Uint8Array(digest), function (b) {
      return b.toString(16).padStart(2, "0");
    }).join("");
  }

  // ---- The language ------------------------------------------------------------------------
  // The door's pages have no language prefix (one service-worker scope for all languages):
  // the header's language links all lead back here, and the language comes from Django's
  // language cookie, which a click on one of them sets before the page reloads.
  document.querySelectorAll(".language-switcher a[hreflang]").forEach(function (link) {
    link.addEventListener("click", function () {
      document.cookie = "django_language=" + encodeURIComponent(link.getAttribute("hreflang")) +
        "; path=/; max-age=31536000; SameSite=Lax";
      link.href = location.href; // with the zone chosen since the page loaded
    });
  });

  // ---- The zone --------------------------------------------------------------------------

  var zoneSelect = el("#checkin-zone");
  function currentZone() {
    return parseInt(zoneSelect.value, 10);
  }
  // A link to the page may name a zone (?zone=); the page served offline from the cache
  // is the entrance's, so the address decides.
  (function pickZoneFromAddress() {
    var wanted = new URLSearchParams(location.search).get("zone");
    if (wanted && zoneSelect.querySelector('option[value="' + CSS.escape(wanted) + '"]')) {
      zoneSelect.value = wanted;
    }
  })();
  zoneSelect.addEventListener("change", function () {
    var address = new URL(location.href);
    address.searchParams.set("zone", zoneSelect.value);
    history.replaceState(null, "", address.toString());
    showIdle();
  });

  // ---- The device's name (kept on the device, sent with every scan) ----------------------

  var deviceInput = el("[data-device]");
  try { deviceInput.value = localStorage.getItem("minex-checkin-device") || ""; } catch (_error) { /* private mode */ }
  deviceInput.addEventListener("change", function () {
    try { localStorage.setItem("minex-checkin-device", deviceInput.value.trim()); } catch (_error) { /* kept for this visit */ }
  });
  function deviceName() {
    return deviceInput.value.trim().slice(0, 100);
  }

  // ---- IndexedDB: the list of badges, the queue, what this device admitted -----------------

  var dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var request = indexedDB.open("minex-checkin", 1);
        request.onupgradeneeded = function () {
          var database = request.result;
          database.createObjectStore("lists"); // key: the event's id
          var queue = database.createObjectStore("queue", { keyPath: "client_id" });
          queue.createIndex("event", "event");
          database.createObjectStore("seen"); // key: event|zone|token hash
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return dbPromise;
  }

  async function store(name, mode, action) {
    var database = await db();
    return new Promise(function (resolve, reject) {
      var transaction = database.transaction(name, mode);
      var result;
      var request = action(transaction.objectStore(name));
      if (request) request.onsuccess = function () { result = request.result; };
      transaction.oncomplete = function () { resolve(result); };
      transaction.onerror = function () { reject(transaction.error); };
      transaction.onabort = function () { reject(transaction.error); };
    });
  }

  function seenKey(zone, hash) {
    return config.event + "|" + zone + "|" + hash;
  }

  // ---- The list of badges (offline decisions) ---------------------------------------------

  var list = null; // {generated_at, zones: Map id → zone, badges: Map hash → badge}
  var listState = el("[data-list-state]");

  function useList(raw) {
    var zones = new Map();
    (raw.zones || []).forEach(function (zone) { zones.set(zone.id, zone); });
    var badges = new Map();
    (raw.badges || []).forEach(function (badge) { badges.set(badge.h, badge); });
    list = { generated_at: raw.generated_at, zones: zones, badges: badges };
    listState.textContent = format(T.listReady, { count: badges.size, time: clock(raw.generated_at) });
    root.dataset.listBadges = String(badges.size);
  }

  async function loadStoredList() {
    try {
      var raw = await store("lists", "readonly", function (s) { return s.get(config.event); });
      if (raw && !list) useList(raw);
    } catch (_error) { /* no IndexedDB (private mode): online only */ }
  }

  async function downloadList() {
    try {
      var response = await fetch(config.urls.offline, { credentials: "same-origin", cache: "no-store" });
      if (!response.ok) throw new Error(String(response.status));
      var raw = await response.json();
      useList(raw);
      await store("lists", "readwrite", function (s) { return s.put(raw, config.event); });
      return true;
    } catch (error) {
      if (!list) listState.textContent = T.listFailed;
      if (error instanceof TypeError) goOffline();
      return false;
    }
  }

  // ---- Network state and the queue --------------------------------------------------------

  var online = navigator.onLine;
  var queueCount = 0;
  var networkBox = el("#checkin-network");

  function renderNetwork() {
    networkBox.classList.toggle("network--online", online);
    networkBox.classList.toggle("network--offline", !online);
    el("[data-network-word]").textContent = online ? T.online : T.offline;
    var queue = el("[data-queue]");
    queue.hidden = queueCount === 0;
    queue.textContent = format(T.queue, { count: queueCount });
    root.dataset.queued = String(queueCount);
    root.dataset.network = online ? "online" : "offline";
  }

  function goOffline() {
    if (online) {
      online = false;
      renderNetwork();
    }
  }

  function goOnline() {
    if (!online) {
      online = true;
      renderNetwork();
    }
  }

  async function countQueue() {
    try {
      queueCount = await store("queue", "readonly", function (s) {
        return s.index("event").count(config.event);
      });
    } catch (_error) {
      queueCount = 0;
    }
    renderNetwork();
  }

  window.addEventListener("offline", goOffline);
  window.addEventListener("online", function () {
    goOnline();
    syncQueue();
    downloadList();
  });

  // ---- Talking to the server --------------------------------------------------------------

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : config.csrf;
  }

  // Resolves to {status, body}; rejects with a TypeError when the network fails or is too slow.
  async function postJson(url, payload, timeout) {
    var controller = new AbortController();
    var timer = timeout ? setTimeout(function () { controller.abort(); }, timeout) : null;
    try {
      var response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify(payload),
        signal: controller.signal,
      });
      var body = null;
      try { body = await response.json(); } catch (_error) { body = null; }
      return { status: response.status, body: body };
    } catch (error) {
      throw new TypeError(String(error));
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  function undoUrl(scanId) {
    return config.urls.undo.replace("{scan_id}", encodeURIComponent(scanId));
  }

  // ---- The result panel and the recent scans ----------------------------------------------

  var panel = el("#checkin-result");
  var undoButton = el("[data-undo]");
  var recent = []; // newest first: {clientId, scanId, colour, word, name, time, undoDeadline, undone}
  var current = null; // the entry the panel shows

  var WORDS = { admitted: T.admitted, already: T.already, refused: T.refused };
  var ICONS = { green: "✓", amber: "!", red: "✕", undone: "↶", idle: "…" };

  function setPanel(colour, word, message, delegate) {
    panel.className = "result result--" + colour;
    el("[data-result-icon]").textContent = ICONS[colour] || ICONS.idle;
    el("[data-result-word]").textContent = word;
    el("[data-result-message]").textContent = message || "";
    var box = el("[data-result-delegate]");
    box.hidden = !delegate;
    ["name", "organisation", "category", "reference"].forEach(function (field) {
      var value = delegate ? delegate[field] || "" : "";
      var cell = box.querySelector('[data-field="' + field + '"]');
      cell.textContent = value;
      cell.parentNode.hidden = !value;
    });
    panel.dataset.colour = colour;
  }

  var idleMessage = el("[data-result-message]").textContent;
  function showIdle() {
    current = null;
    setPanel("idle", T.ready, idleMessage, null);
    renderUndo();
  }

  function showEntry(entry) {
    current = entry;
    setPanel(entry.colour, entry.word, entry.message, entry.delegate);
    renderUndo();
  }

  function undoSecondsLeft(entry) {
    if (!entry || !entry.scanId || entry.undone || !entry.undoDeadline) return 0;
    return Math.max(0, Math.ceil((entry.undoDeadline - performance.now()) / 1000));
  }

  function renderUndo() {
    var seconds = undoSecondsLeft(current);
    undoButton.hidden = seconds === 0;
    if (seconds) {
      undoButton.textContent = format(T.undo, { seconds: seconds });
      undoButton.setAttribute("aria-label", format(T.undoFor, { name: current.name }) + " (" + seconds + " s)");
    }
    recentList.querySelectorAll("[data-undo-entry]").forEach(function (button) {
      var entry = recent.find(function (item) { return item.clientId === button.dataset.undoEntry; });
      var left = undoSecondsLeft(entry);
      button.hidden = left === 0;
      if (left) {
        button.textContent = format(T.undo, { seconds: left });
        button.setAttribute("aria-label", format(T.undoFor, { name: entry.name }) + " (" + left + " s)");
      }
    });
  }
  setInterval(renderUndo, 1000);

  var recentList = el("[data-recent]");

  function renderRecent() {
    el("[data-recent-empty]").hidden = recent.length > 0;
    recentList.textContent = "";
    recent.forEach(function (entry) {
      var item = make("li", "recent__item recent__item--" + entry.colour);
      item.dataset.colour = entry.colour;
      if (entry.undone) item.classList.add("recent__item--undone");
      var verdict = make("span", "recent__verdict");
      verdict.appendChild(make("span", "recent__icon", ICONS[entry.undone ? "undone" : entry.colour]));
      verdict.lastChild.setAttribute("aria-hidden", "true");
      verdict.appendChild(document.createTextNode(" " + (entry.undone ? T.undone : entry.word)));
      item.appendChild(verdict);
      item.appendChild(make("span", "recent__name", entry.name || T.unknownName));
      var meta = clock(entry.time) + (entry.queued ? " · " + T.queued : "");
      item.appendChild(make("span", "recent__meta small", meta));
      if (entry.scanId) {
        var button = make("button", "button button--secondary recent__undo");
        button.type = "button";
        button.dataset.undoEntry = entry.clientId;
        button.addEventListener("click", function () { undo(entry); });
        item.appendChild(button);
      }
      recentList.appendChild(item);
    });
    renderUndo();
  }

  function remember(entry) {
    recent.unshift(entry);
    recent.length = Math.min(recent.length, RECENT_MAX);
    renderRecent();
  }

  // An answer of checkin:scan / checkin:sync / checkin:undo, as an entry of the recent list.
  function entryFromServer(body, clientId, sentAt) {
    var delegate = body.delegate || null;
    var deadline = null;
    if (body.undo_until) {
      // The device's clock may be off: count the window from when the scan was sent, but
      // never longer than the server's own deadline says relative to its answer.
      var byServer = Date.parse(body.undo_until) - Date.now();
      var byPage = config.undoSeconds * 1000;
      deadline = sentAt + (byServer > 0 && byServer < byPage ? byServer : byPage);
    }
    return {
      clientId: clientId,
      scanId: body.scan_id || null,
      outcome: body.outcome,
      colour: body.colour || "red",
      word: WORDS[body.outcome] || T.refused,
      message: body.message || "",
      delegate: delegate,
      name: delegate ? delegate.name : "",
      time: new Date(),
      undoDeadline: deadline,
      undone: false,
      queued: false,
    };
  }

  function failure(message) {
    showEntry({
      clientId: newClientId(), colour: "red", word: T.refused, message: message,
      delegate: null, name: "", time: new Date(), scanId: null,
    });
  }

  // ---- Deciding a scan --------------------------------------------------------------------

  var busy = false;
  var lastToken = null;
  var lastTokenAt = 0;

  async function scanToken(token, fromCamera) {
    token = token.trim();
    if (!token) return;
    if (fromCamera) {
      var now = performance.now();
      if (busy || (token === lastToken && now - lastTokenAt < DEBOUNCE_MS)) return;
      lastToken = token;
      lastTokenAt = now;
    }
    busy = true;
    var readAt = performance.now();
    try {
      await decide({ token: token }, token);
      // How long the door waited from the code read to the answer on screen.
      root.dataset.answerMs = String(Math.round(performance.now() - readAt));
    } finally {
      busy = false;
      if (fromCamera) lastTokenAt = performance.now();
    }
  }

  async function checkInByReference(reference, name) {
    busy = true;
    try {
      await decide({ registration: reference }, null, name);
    } finally {
      busy = false;
    }
  }

  async function decide(what, token, name) {
    var clientId = newClientId();
    var scannedAt = new Date();
    var zone = currentZone();
    setPanel("working", T.working, name || "", null);
    if (online || !token) {
      var sentAt = performance.now();
      try {
        var answer = await postJson(
          config.urls.scan,
          Object.assign({ zone: zone, client_id: clientId, device: deviceName() }, what),
          ONLINE_TIMEOUT_MS
        );
        goOnline();
        if (answer.status === 200 && answer.body && answer.body.outcome) {
          var entry = entryFromServer(answer.body, clientId, sentAt);
          if (token) entry.seenKey = await recordSeen(zone, token, answer.body);
          showEntry(entry);
          remember(entry);
          return;
        }
        failure(answer.body && answer.body.message ? answer.body.message : T.failed);
        return;
      } catch (_error) {
        goOffline();
        if (!token) {
          failure(T.searchOffline);
          return;
        }
      }
    }
    await decideOffline(token, clientId, scannedAt, zone);
  }

  // What this device saw admitted, for its own offline decisions later; returns the key.
  async function recordSeen(zone, token, body) {
    try {
      var key = seenKey(zone, await sha256hex(token));
      if (body.outcome === "admitted" || body.outcome === "already") {
        await store("seen", "readwrite", function (s) {
          return s.put({ at: new Date().toISOString(), message: body.outcome === "already" ? body.message : "" }, key);
        });
      }
      return key;
    } catch (_error) {
      return null; // the server has it; this is only for offline decisions
    }
  }

  async function decideOffline(token, clientId, scannedAt, zone) {
    var hash = await sha256hex(token);
    var badge = list ? list.badges.get(hash) : null;
    var zoneRules = list ? list.zones.get(zone) : null;
    var colour = "red";
    var outcome = "refused";
    var message;
    var seen = null;
    if (!list) {
      message = T.offlineNoList;
    } else if (!badge) {
      message = T.offlineUnknown;
    } else if (!badge.ok) {
      message = badge.message;
    } else if (zoneRules && zoneRules.categories && zoneRules.categories.length &&
               zoneRules.categories.indexOf(badge.category_id) === -1) {
      message = T.offlineZone;
    } else {
      try {
        seen = await store("seen", "readonly", function (s) { return s.get(seenKey(zone, hash)); });
      } catch (_error) { seen = null; }
      if (seen) {
        colour = "amber";
        outcome = "already";
        message = seen.message || format(T.offlineAlready, { time: clock(seen.at) });
      } else if (badge.admitted && badge.admitted.indexOf(zone) !== -1) {
        // Admitted here before the list was downloaded (by any door).
        colour = "amber";
        outcome = "already";
        message = T.offlineAlreadyListed;
      } else {
        colour = "green";
        outcome = "admitted";
        message = T.offlineAdmitted;
        try {
          await store("seen", "readwrite", function (s) {
            return s.put({ at: scannedAt.toISOString(), message: "" }, seenKey(zone, hash));
          });
        } catch (_error) { /* decided all the same */ }
      }
    }
    var delegate = badge ? {
      name: badge.name, organisation: badge.organisation, category: badge.category, reference: "",
    } : null;
    var entry = {
      clientId: clientId, scanId: null, outcome: outcome, colour: colour,
      word: WORDS[outcome], message: message, delegate: delegate,
      name: badge ? badge.name : "", time: scannedAt, undoDeadline: null,
      undone: false, queued: true,
    };
    showEntry(entry);
    remember(entry);
    // Every scan is recorded on the server, refused ones included: all of them queue.
    try {
      await store("queue", "readwrite", function (s) {
        return s.put({
          client_id: clientId, event: config.event, token: token, zone: zone,
          scanned_at: scannedAt.toISOString(), hash: hash,
          local: { outcome: outcome, colour: colour, name: entry.name },
        });
      });
    } catch (_error) { /* shown, but cannot be kept: nothing more to do */ }
    await countQueue();
  }

  // ---- Sync --------------------------------------------------------------------------------

  var syncing = false;
  var syncProblem = el("[data-sync-problem]");
  var syncedSection = el("[data-synced-section]");
  var syncedList = el("[data-synced]");
  var syncedTotal = 0;
  var syncedChanged = 0;

  async function syncQueue() {
    if (syncing) return;
    syncing = true;
    try {
      var queued = await store("queue", "readonly", function (s) {
        return s.index("event").getAll(config.event);
      });
      queued = (queued || []).sort(function (a, b) { return a.scanned_at < b.scanned_at ? -1 : 1; });
      if (!queued.length && !online) {
        // Nothing to send: only find out whether the server answers again.
        await fetch(config.urls.search + "?q=", { credentials: "same-origin", cache: "no-store" });
        goOnline();
        downloadList();
      }
      for (var start = 0; start < queued.length; start += SYNC_BATCH) {
        var batch = queued.slice(start, start + SYNC_BATCH);
        var answer = await postJson(config.urls.sync, {
          device: deviceName(),
          scans: batch.map(function (scan) {
            return { client_id: scan.client_id, token: scan.token, zone: scan.zone, scanned_at: scan.scanned_at };
          }),
        }, 20000);
        goOnline();
        if (answer.status !== 200 || !answer.body || !answer.body.results) {
          // Shown beside the queue, not in the answer panel: the door keeps scanning.
          syncProblem.textContent = answer.body && answer.body.message ? answer.body.message : T.failed;
          syncProblem.hidden = false;
          break;
        }
        syncProblem.hidden = true;
        await applySynced(batch, answer.body.results);
      }
    } catch (error) {
      if (error instanceof TypeError) goOffline();
    } finally {
      syncing = false;
      await countQueue();
    }
  }

  async function applySynced(batch, results) {
    var byId = new Map(batch.map(function (scan) { return [scan.client_id, scan]; }));
    for (var i = 0; i < results.length; i++) {
      var result = results[i];
      var scan = byId.get(result.client_id);
      if (!scan) continue;
      await store("queue", "readwrite", function (s) { return s.delete(result.client_id); });
      if (result.outcome === "refused") {
        await store("seen", "readwrite", function (s) { return s.delete(seenKey(scan.zone, scan.hash)); });
      }
      var entry = entryFromServer(result, result.client_id, 0);
      entry.time = new Date(scan.scanned_at);
      entry.undoDeadline = null; // the window counts from the scan, long gone by now
      entry.scanId = null;
      var changed = scan.local && scan.local.outcome !== result.outcome;
      syncedTotal += 1;
      if (changed) syncedChanged += 1;
      var item = make("li", "recent__item recent__item--" + entry.colour);
      item.dataset.colour = entry.colour;
      item.dataset.clientId = result.client_id;
      if (changed) item.classList.add("recent__item--changed");
      var verdict = make("span", "recent__verdict");
      verdict.appendChild(make("span", "recent__icon", ICONS[entry.colour]));
      verdict.lastChild.setAttribute("aria-hidden", "true");
      verdict.appendChild(document.createTextNode(" " + entry.word));
      item.appendChild(verdict);
      item.appendChild(make("span", "recent__name", entry.name || (scan.local && scan.local.name) || T.unknownName));
      item.appendChild(make("span", "recent__message", entry.message));
      var meta = clock(entry.time);
      if (changed) {
        meta += " · " + format(T.scannedHere, { verdict: WORDS[scan.local.outcome] }) + " · " + T.decidedDifferently;
      }
      item.appendChild(make("span", "recent__meta small", meta));
      syncedList.insertBefore(item, syncedList.firstChild);
      // The recent list's entry for this scan is no longer waiting.
      recent.forEach(function (other) {
        if (other.clientId === result.client_id) {
          other.queued = false;
          other.colour = entry.colour;
          other.word = entry.word;
        }
      });
    }
    syncedSection.hidden = syncedTotal === 0;
    el("[data-synced-summary]").textContent = format(T.syncedSummary, { count: syncedTotal, changed: syncedChanged });
    renderRecent();
  }

  // ---- Undo ---------------------------------------------------------------------------------

  async function undo(entry) {
    if (!undoSecondsLeft(entry)) return;
    try {
      var answer = await postJson(undoUrl(entry.scanId), {}, 10000);
      goOnline();
      if (answer.status === 200 && answer.body && answer.body.undone) {
        entry.undone = true;
        var shown = entryFromServer(answer.body, newClientId(), 0);
        shown.colour = "undone";
        shown.word = T.undone;
        shown.scanId = null;
        showEntry(shown);
        renderRecent();
        if (entry.seenKey) {
          try {
            await store("seen", "readwrite", function (s) { return s.delete(entry.seenKey); });
          } catch (_error) { /* only a hint for offline decisions */ }
        }
        return;
      }
      // Too late, or undone already by someone else: the server says which.
      failure(answer.body && answer.body.message ? answer.body.message : T.failed);
    } catch (_error) {
      goOffline();
      failure(T.failed);
    }
  }
  undoButton.addEventListener("click", function () {
    if (current) undo(current);
  });

  // ---- Search --------------------------------------------------------------------------------

  var searchForm = el("[data-search-form]");
  var searchInput = el("[data-search-input]");
  var searchState = el("[data-search-state]");
  var searchResults = el("[data-search-results]");
  var searchTimer = null;
  var searchSerial = 0;

  async function search() {
    var query = searchInput.value.trim();
    searchResults.textContent = "";
    if (query.length < 2) {
      searchState.textContent = query ? T.searchShort : "";
      return;
    }
    var serial = ++searchSerial;
    try {
      var response = await fetch(config.urls.search + "?q=" + encodeURIComponent(query), {
        credentials: "same-origin", cache: "no-store",
      });
      var body = await response.json();
      if (serial !== searchSerial) return; // a newer search is under way
      goOnline();
      if (!response.ok) {
        searchState.textContent = body.message || T.failed;
        return;
      }
      renderResults(body.results || []);
    } catch (_error) {
      if (serial !== searchSerial) return;
      goOffline();
      searchState.textContent = T.searchOffline;
    }
  }

  function renderResults(results) {
    searchResults.textContent = "";
    searchState.textContent = results.length ? format(T.searchCount, { count: results.length }) : T.searchNone;
    results.forEach(function (result) {
      var item = make("li", "search__result");
      var who = make("div", "search__who");
      who.appendChild(make("strong", "search__name", result.name));
      var details = [result.organisation, result.category, result.reference].filter(Boolean).join(" · ");
      who.appendChild(make("span", "search__details small", details));
      var status = make("span", "search__status small", (result.status_label || result.status) + (result.checked_in ? " · " + T.checkedIn : ""));
      who.appendChild(status);
      item.appendChild(who);
      var button = make("button", "button", T.checkIn);
      button.type = "button";
      button.setAttribute("aria-label", format(T.checkInName, { name: result.name }));
      button.addEventListener("click", function () {
        checkInByReference(result.reference, result.name).then(function () {
          panel.scrollIntoView({ block: "nearest" });
        });
      });
      item.appendChild(button);
      searchResults.appendChild(item);
    });
  }

  searchForm.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(searchTimer);
    search();
  });
  searchInput.addEventListener("input", function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(search, 300);
  });

  // ---- Decoding QR codes: BarcodeDetector where the browser has one, else jsQR ---------------

  var detector = null;
  var detectorReady = (async function () {
    if (!("BarcodeDetector" in window)) return;
    try {
      var formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.indexOf("qr_code") !== -1) detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    } catch (_error) { detector = null; }
  })();

  var canvas = document.createElement("canvas");
  var context2d = canvas.getContext("2d", { willReadFrequently: true });

  // The QR's text in `source` (a video, an image bitmap), or null.
  async function decode(source, width, height, thorough) {
    await detectorReady;
    if (detector) {
      try {
        var codes = await detector.detect(source);
        if (codes.length) return codes[0].rawValue;
        if (!thorough) return null;
      } catch (_error) { /* fall back to jsQR */ }
    }
    if (!window.jsQR || !width || !height) return null;
    var scale = Math.min(1, (thorough ? 1280 : 640) / Math.max(width, height));
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    context2d.drawImage(source, 0, 0, canvas.width, canvas.height);
    var pixels = context2d.getImageData(0, 0, canvas.width, canvas.height);
    var code = window.jsQR(pixels.data, pixels.width, pixels.height, {
      inversionAttempts: thorough ? "attemptBoth" : "dontInvert",
    });
    return code ? code.data : null;
  }

  // ---- The camera ----------------------------------------------------------------------------

  var video = el("[data-video]");
  var view = el("[data-scanner-view]");
  var startButton = el("[data-camera-start]");
  var stopButton = el("[data-camera-stop]");
  var cameraError = el("[data-camera-error]");
  var stream = null;
  var frameTimer = null;

  async function startCamera() {
    cameraError.hidden = true;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: { ideal: "environment" } }, audio: false,
      });
    } catch (_error) {
      cameraError.textContent = T.cameraUnavailable;
      cameraError.hidden = false;
      return;
    }
    video.srcObject = stream;
    view.hidden = false;
    startButton.hidden = true;
    stopButton.hidden = false;
    try { await video.play(); } catch (_error) { /* muted inline video plays */ }
    root.dataset.camera = "on";
    nextFrame();
  }

  function nextFrame() {
    frameTimer = setTimeout(readFrame, FRAME_MS);
  }

  async function readFrame() {
    if (!stream) return;
    if (!busy && video.readyState >= 2) {
      try {
        var token = await decode(video, video.videoWidth, video.videoHeight, false);
        if (token && stream) await scanToken(token, true);
      } catch (_error) { /* a frame that cannot be read: the next one */ }
    }
    if (stream) nextFrame();
  }

  function stopCamera() {
    clearTimeout(frameTimer);
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.srcObject = null;
    view.hidden = true;
    startButton.hidden = false;
    stopButton.hidden = true;
    root.dataset.camera = "off";
    startButton.focus();
  }

  startButton.addEventListener("click", startCamera);
  stopButton.addEventListener("click", stopCamera);
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) startButton.hidden = true;

  // ---- A photo of the badge ---------------------------------------------------------------

  var photo = el("[data-photo]");
  photo.addEventListener("change", async function () {
    var file = photo.files && photo.files[0];
    if (!file) return;
    var token = null;
    try {
      var bitmap = await createImageBitmap(file);
      token = await decode(bitmap, bitmap.width, bitmap.height, true);
      bitmap.close();
    } catch (_error) {
      token = null;
    }
    photo.value = "";
    if (token) {
      await scanToken(token, false);
    } else {
      failure(T.photoNoCode);
    }
  });

  // ---- Offline readiness: the service worker, the page in its cache, the list -------------

  async function cacheShell() {
    if (!("caches" in window)) return;
    var assets = [location.pathname];
    document.querySelectorAll('link[rel="stylesheet"], link[rel="icon"], script[src], img[src]').forEach(function (node) {
      var address = new URL(node.href || node.src, location.href);
      if (address.origin === location.origin) assets.push(address.pathname + address.search);
    });
    var cache = await caches.open(CACHE);
    await cache.addAll(assets);
  }

  async function prepareOffline() {
    var ready = [];
    if ("serviceWorker" in navigator && config.urls.serviceWorker) {
      ready.push(navigator.serviceWorker.register(config.urls.serviceWorker, { scope: config.urls.scope }).then(function () {
        return navigator.serviceWorker.ready;
      }));
    }
    ready.push(cacheShell());
    ready.push(downloadList());
    var results = await Promise.allSettled(ready);
    var allDone = results.every(function (result) { return result.status === "fulfilled" && result.value !== false; });
    if (allDone) root.dataset.offlineReady = "true";
  }

  // ---- Logging out on a shared device ------------------------------------------------------
  // The cached page and the list of badges (names of the event's participants) stay on the
  // device only while someone is logged in; scans still waiting to sync are kept (they sync
  // at the next login) and so is what they need.
  var logout = document.querySelector('.site-nav form[action*="logout"]');
  if (logout) {
    logout.addEventListener("submit", function (event) {
      if (logout.dataset.cleared) return;
      event.preventDefault();
      var clear = [];
      if ("caches" in window) clear.push(caches.delete(CACHE));
      if (queueCount === 0) {
        clear.push(store("lists", "readwrite", function (s) { return s.clear(); }));
        clear.push(store("seen", "readwrite", function (s) { return s.clear(); }));
      }
      Promise.allSettled(clear).then(function () {
        logout.dataset.cleared = "true";
        logout.requestSubmit ? logout.requestSubmit() : logout.submit();
      });
    });
  }

  // ---- Start -------------------------------------------------------------------------------

  showIdle();
  renderRecent();
  renderNetwork();
  (async function start() {
    await loadStoredList();
    await countQueue();
    if (online) {
      await prepareOffline();
      syncQueue();
    }
  })();
  setInterval(function () {
    if (queueCount > 0 || !online) syncQueue();
  }, RETRY_MS);
  setInterval(function () {
    if (online) downloadList();
  }, LIST_REFRESH_MS);
})();
