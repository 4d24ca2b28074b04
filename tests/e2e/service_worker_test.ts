import assert from "node:assert/strict";
import {
  launchBrowser,
  signInAs,
  signInViaApi,
  startServer,
  waitForTestIdText,
} from "./harness.ts";

async function demoReady(output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!output().includes("Demo data ready")) {
    if (Date.now() > deadline) throw new Error(`No demo data:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

Deno.test("after one online visit, /learn and the dashboard reload offline from the service worker, and Sync now waits", async () => {
  const server = await startServer({ env: { DEMO: "1" } });
  const browser = await launchBrowser();
  let stopped = false;
  try {
    await demoReady(server.output);
    const demo = await signInViaApi(server, "demo", "demo-password");
    const context = await browser.newContext({ baseURL: server.origin });
    const page = await context.newPage();
    await signInAs(page, server, demo);
    for (const path of ["/dashboard", "/learn"]) {
      await page.goto(path);
      await page.locator("html[data-offline-ready]").waitFor({ timeout: 15_000 });
    }
    const title = await page.locator("h1").first().textContent();
    await page.setViewportSize({ width: 390, height: 844 });
    const lesson = await page.getByTestId("lesson").boundingBox();
    assert.ok(lesson && lesson.y < 844, `the lesson player is above the fold (${lesson?.y})`);

    // Really offline: the browser says so and the server is gone.
    await context.setOffline(true);
    await server.stop();
    stopped = true;

    await page.reload();
    assert.equal(await page.locator("h1").first().textContent(), title, "/learn opened offline");
    await page.locator('[data-island="learn_path"][data-island-hydrated]').waitFor({
      timeout: 10_000,
    });
    await waitForTestIdText(page, "sync-state", "Offline — saved on this device");
    assert.match(
      await page.getByTestId("sync-pending-text").textContent() ?? "",
      /on this device, waiting to sync until you are back online/,
    );
    assert.equal(await page.getByTestId("data-freshness").count(), 0, "no 'Up to date' offline");
    assert.ok(await page.getByTestId("sync-now").isDisabled(), "Sync now waits for the network");

    await page.goto("/dashboard");
    assert.match(await page.locator("h1").first().textContent() ?? "", /demo/, "dashboard offline");
    await page.goto("/insights-never-visited");
    assert.match(await page.locator("h1").textContent() ?? "", /You are offline/);
  } finally {
    await browser.close();
    if (!stopped) await server.stop();
  }
});
