// Airbridge gate page's service worker: keeps the page and its script so that a reload works
// with no network. Only those two are kept; no answer of the API is ever cached (the expected
// list lives encrypted in IndexedDB, under the officer's PIN).
'use strict';

const CACHE = 'airbridge-gate-v1';
const SHELL = ['/gate', '/static/gate.js'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin || !SHELL.includes(url.pathname)) return;
  // The network first (a fresh page and script when there is one), the kept copy otherwise.
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        // A redirect (to the login page) or an error is not the page: keep the last good copy.
        if (response.ok && !response.redirected) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(url.pathname, copy));
        }
        return response;
      })
      .catch(() => caches.match(url.pathname).then((kept) => kept || Response.error())),
  );
});
