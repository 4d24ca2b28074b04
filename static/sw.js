// Progress Sync's service worker (scope "/"): the pages a student works in open offline after a
// reload. Pages are network-first (always fresh online; the last copy offline); static files are
// network-first too, cached as they load. The API is never cached. Signing out empties the cache.
const CACHE = "progress-sync-v1";
const OFFLINE_PAGES = ["/learn", "/dashboard", "/achievements", "/insights", "/conflicts"];

function isOfflinePage(url) {
  return OFFLINE_PAGES.includes(url.pathname);
}

function isStatic(url) {
  return url.pathname.startsWith("/static/");
}

async function remember(request, response) {
  if (!response.ok || response.redirected || response.type !== "basic") return;
  const cache = await caches.open(CACHE);
  await cache.put(request, response);
}

async function networkFirst(request) {
  try {
    const response = await fetch(request);
    await remember(request, response.clone());
    return response;
  } catch (error) {
    const cached = await caches.match(request) ??
      await caches.match(request, { ignoreSearch: true });
    if (cached) return cached;
    if (request.mode === "navigate") return offlinePage();
    throw error;
  }
}

function offlinePage() {
  const html = '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<title>Offline · Progress Sync</title><link rel="stylesheet" href="/static/styles.css">' +
    '</head><body><main id="main" class="page"><section class="card stack error-page">' +
    "<h1>You are offline</h1><p>This page was not saved on this device. The pages you opened " +
    "while online (Learn, Dashboard) still open offline.</p>" +
    '<p><a class="button" href="/learn">Open Learn</a></p></section></main></body></html>';
  return new Response(html, {
    status: 503,
    headers: { "content-type": "text/html; charset=utf-8" },
  });
}

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && url.pathname === "/signout") {
    event.respondWith(caches.delete(CACHE).then(() => fetch(request)));
    return;
  }
  if (request.method !== "GET") return;
  if (isStatic(url) || (request.mode === "navigate" && isOfflinePage(url))) {
    event.respondWith(networkFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => offlinePage()));
  }
});

// The page that registered us names what it loaded (itself, its CSS and island bundles): cache
// them now, since they were fetched before this worker controlled the page.
self.addEventListener("message", (event) => {
  if (event.data?.type !== "cache") return;
  const port = event.ports[0];
  event.waitUntil((async () => {
    for (const href of event.data.urls) {
      const url = new URL(href, self.location.origin);
      if (url.origin !== self.location.origin) continue;
      if (!isStatic(url) && !isOfflinePage(url)) continue;
      try {
        const request = new Request(url, { credentials: "same-origin" });
        await remember(request, await fetch(request));
      } catch {
        // Offline already: what is cached stays.
      }
    }
    port?.postMessage({ cached: true });
  })());
});
