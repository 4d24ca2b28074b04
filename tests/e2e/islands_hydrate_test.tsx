import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { chromium } from "playwright-core";
import { Island } from "../../components/island.tsx";
import { Layout, renderPage } from "../../components/layout.tsx";
import { buildIslands } from "../../lib/islands/build.ts";
import Counter from "../../lib/islands/testdata/islands/counter.tsx";

const FIXTURE_ISLANDS = new URL("../../lib/islands/testdata/islands/", import.meta.url).pathname;
const STATIC = new URL("../../static/", import.meta.url);
const STATIC_FILES: Record<string, string> = {
  "/static/styles.css": "styles.css",
  "/static/sw_register.js": "sw_register.js",
  "/sw.js": "sw.js",
};
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

type Captured = { ssrButton?: Element };

Deno.test("an island bundle hydrates the server-rendered markup in Chromium and reacts to clicks", async () => {
  const base = await Deno.makeTempDir({ prefix: "islands_hydrate_test_" });
  const outDir = join(base, "out");
  const manifest = await buildIslands({
    islandsDir: FIXTURE_ISLANDS,
    outDir,
    entriesDir: join(base, "entries"),
    publicPath: "/islands/",
    watchPaths: [FIXTURE_ISLANDS],
  });
  const src = manifest.islands.counter;
  assert.ok(src, "the manifest lists the counter island");
  const html = renderPage(
    <Layout title="Islands">
      <Island
        name="counter"
        component={Counter}
        props={{ label: "</script><b>first", start: 1 }}
        src={src}
      />
      <Island
        name="counter"
        component={Counter}
        props={{ label: "second", start: 10 }}
        src={src}
      />
    </Layout>,
  );

  let releaseScripts = () => {};
  const scriptsReleased = new Promise<void>((resolve) => releaseScripts = resolve);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (request) => {
      const { pathname } = new URL(request.url);
      if (pathname === "/") {
        return new Response(html, {
          headers: { "content-type": "text/html; charset=utf-8" },
        });
      }
      // The layout's own files: the stylesheet and the service worker with its registration.
      const own = STATIC_FILES[pathname];
      if (own) {
        return new Response(await Deno.readFile(new URL(own, STATIC)), {
          headers: { "content-type": own.endsWith(".css") ? "text/css" : "text/javascript" },
        });
      }
      if (pathname.startsWith("/islands/")) {
        await scriptsReleased;
        try {
          const body = await Deno.readFile(join(outDir, basename(pathname)));
          return new Response(body, {
            headers: { "content-type": "text/javascript" },
          });
        } catch {
          return new Response("Not found", { status: 404 });
        }
      }
      return new Response("Not found", { status: 404 });
    },
  );
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });

    await page.goto(`http://127.0.0.1:${server.addr.port}/`, {
      waitUntil: "commit",
    });
    const ssrButton = await page.waitForSelector(
      '[data-island="counter"] button',
    );
    await ssrButton.evaluate((button) => (globalThis as Captured).ssrButton = button);
    // One module script for the island however often it appears (the layout adds the service worker's).
    const islandScripts = 'script[type="module"]:not([src="/static/sw_register.js"])';
    assert.equal(await page.locator(islandScripts).count(), 1);
    releaseScripts();
    await page.waitForFunction(() =>
      document.querySelectorAll("[data-island-hydrated]").length === 2
    );

    const islands = page.locator('[data-island="counter"]');
    const first = islands.nth(0);
    const second = islands.nth(1);
    assert.equal(
      await first.locator(".counter-label").textContent(),
      "</script><b>first",
    );
    await first.getByRole("button", { name: "Add one" }).click();
    await first.getByRole("button", { name: "Add one" }).click();
    await page.waitForFunction(() =>
      document.querySelector("[data-island] output")?.textContent === "3"
    );
    assert.equal(await first.locator("output").textContent(), "3");
    assert.equal(await second.locator("output").textContent(), "10");
    assert.equal(
      await page.evaluate(() =>
        document.querySelector('[data-island="counter"] button') ===
          (globalThis as Captured).ssrButton
      ),
      true,
      "hydration reuses the server-rendered button instead of replacing it",
    );
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    releaseScripts();
    await server.shutdown();
    await Deno.remove(base, { recursive: true });
  }
});
