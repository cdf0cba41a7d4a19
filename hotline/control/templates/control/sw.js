/* The checkpoint's service worker (scope /checkpoint/): keeps the page and its scripts so
 * that the page opens again without a network. Pages and static files are fetched from the
 * network first and the copy is refreshed; the cached copy answers only when the network
 * fails. The data (bundle, queue) is in localStorage, handled by checkpoint.js. */
"use strict";
var CACHE = "control-checkpoint-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

// The page sends the URLs it was built from (itself, its scripts and styles) once registered.
self.addEventListener("message", function (event) {
  var urls = (event.data && event.data.cache) || [];
  event.waitUntil(
    caches.open(CACHE)
      .then(function (cache) { return cache.addAll(urls); })
      .then(function () { event.source.postMessage({cached: urls.length}); })
      .catch(function () { event.source.postMessage({cached: 0}); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (request.mode !== "navigate" && url.pathname.indexOf("/static/") !== 0) return;
  event.respondWith(
    fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(request, {ignoreVary: true}).then(function (hit) { return hit || Response.error(); });
    })
  );
});
