// @ts-check
/// <reference lib="webworker" />
/**
 * StewardSync phone app service worker (classic script, served at /sw.js, scope /).
 *
 * - Precaches the app shell, its modules, icons, messages, the schema (vocabularies and
 *   collections, /app/schema.json) and the pinned libraries they import; the server stamps BUILD (version + asset list) from the files themselves, so a
 *   new worker (and a new cache) installs exactly when the app changes.
 * - Navigations under /app/: network first (fresh shell when online), cached shell
 *   offline. Precached assets: cache first. /api/ and anything else: not touched.
 * - Background Sync ("outbox"): wakes the open app to sync; the app does the work
 *   (iOS has no Background Sync: the app also syncs on start, reconnect and visibility).
 */
const BUILD = { version: "dev", assets: [] };
const CACHE = `stewardsync-app-${BUILD.version}`;
const SHELL = "/app/";
const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));

sw.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(BUILD.assets.map((url) => new Request(url, { cache: "reload" })));
    await sw.skipWaiting();
  })());
});

sw.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("stewardsync-app-") && name !== CACHE) await caches.delete(name);
    }
    await sw.clients.claim();
  })());
});

// A page that loaded while this worker activated can miss its clients.claim() (a reload
// during the install): the page asks, and is taken without another reload.
sw.addEventListener("message", (event) => {
  if (event.data === "claim") event.waitUntil(sw.clients.claim());
});

sw.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate" && url.pathname.startsWith("/app")) {
    event.respondWith(shellFirstNetwork(request));
  } else if (BUILD.assets.includes(url.pathname)) {
    event.respondWith(cacheFirst(request, url.pathname));
  }
});

/** @param {Request} request */
async function shellFirstNetwork(request) {
  try {
    const response = await fetch(request);
    if (response.ok) {
      const cache = await caches.open(CACHE);
      await cache.put(SHELL, response.clone());
    }
    return response;
  } catch {
    const cached = await caches.match(SHELL, { cacheName: CACHE });
    return cached || Response.error();
  }
}

/** @param {Request} request @param {string} path */
async function cacheFirst(request, path) {
  const cached = await caches.match(path, { cacheName: CACHE });
  return cached || fetch(request);
}

sw.addEventListener("sync", (/** @type {any} */ event) => {
  if (event.tag === "outbox") event.waitUntil(wakeClients());
});

sw.addEventListener("periodicsync", (/** @type {any} */ event) => {
  if (event.tag === "outbox") event.waitUntil(wakeClients());
});

async function wakeClients() {
  const windows = await sw.clients.matchAll({ type: "window" });
  for (const client of windows) client.postMessage({ type: "sync" });
}

sw.addEventListener("message", (event) => {
  if (event.data?.type === "version") event.source?.postMessage({ type: "version", version: BUILD.version });
});
