// The check-in page's service worker (served by checkin:service_worker, scope: the check-in
// pages). It lets a door's phone or laptop reopen the page when the venue's network is down:
// the page puts itself and its static files into the cache below (scan.js, cacheShell), and
// this worker answers from there when the network does not.
//
// - Pages (navigations): the network first, so staff always get the current page and its
//   fresh CSRF token; a page that answered 200 is kept (by path: ?zone= is read by the
//   script). With no network, or none within a few seconds, the kept copy.
// - Everything else the page has cached (its CSS, scripts, images): from the cache at once,
//   refreshed in the background.
// - The JSON endpoints (scan, search, sync, the list of badges) are never cached: the script
//   decides offline by itself and keeps the list of badges in IndexedDB.
"use strict";

var CACHE = "minex-checkin-v1"; // the same name in scan.js
var PAGE_TIMEOUT_MS = 4000;

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("minex-checkin-") === 0 && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function keptPage(request) {
  var address = new URL(request.url);
  return caches.open(CACHE).then(function (cache) {
    return cache.match(address.pathname, { ignoreSearch: true });
  });
}

function page(request) {
  var address = new URL(request.url);
  var fromNetwork = fetch(request).then(function (response) {
    if (response.ok && !response.redirected && response.type === "basic") {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { return cache.put(address.pathname, copy); });
    }
    return response;
  });
  var slow = new Promise(function (resolve) { setTimeout(resolve, PAGE_TIMEOUT_MS); });
  return Promise.race([fromNetwork.catch(function () { return null; }), slow]).then(function (response) {
    if (response) return response;
    return keptPage(request).then(function (kept) {
      // Neither the network nor a kept copy: the browser's own offline page.
      return kept || fromNetwork;
    });
  });
}

function asset(event) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(event.request).then(function (cached) {
      if (!cached) return fetch(event.request);
      event.waitUntil(fetch(event.request).then(function (response) {
        if (response.ok) return cache.put(event.request, response);
      }).catch(function () { /* offline: the cached copy stays */ }));
      return cached;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(page(request));
    return;
  }
  // The script's own requests (JSON) have no destination: straight to the network.
  if (request.destination === "") return;
  event.respondWith(asset(event));
});
