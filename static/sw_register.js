// Registers the service worker and hands it what this page loaded, so it opens offline later.
// When it is cached, `<html data-offline-ready>` is set (tests wait for it).
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(async () => {
    const registration = await navigator.serviceWorker.ready;
    const loaded = performance.getEntriesByType("resource").map((entry) => entry.name);
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      document.documentElement.dataset.offlineReady = "true";
    };
    registration.active?.postMessage(
      { type: "cache", urls: [location.href, ...loaded] },
      [channel.port2],
    );
  }).catch(() => {
    // No service worker (private mode, old browser): pages still work online.
  });
}
