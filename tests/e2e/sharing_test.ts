import assert from "node:assert/strict";
import {
  api,
  maybeScreenshot,
  registerViaApi,
  signInAs,
  uniqueUsername,
  withDashboard,
} from "./harness.ts";
import { videoCompleted } from "../support/event_fixtures.ts";

Deno.test("a student makes an achievement public and a signed-out visitor opens its link and assertion", async () => {
  await withDashboard(async (server, page, errors) => {
    const username = uniqueUsername("share");
    const student = await registerViaApi(server, username, "correct horse battery");
    const posted = await api(server, "/api/progress-sync/events?wait=true", {
      cookie: student.cookie,
      json: videoCompleted("intro", { timeSpent: 9 }),
    });
    assert.equal(posted.status, 200);
    await posted.body?.cancel();

    await signInAs(page, server, student);
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], {
      origin: server.origin,
    });
    await page.goto("/achievements");
    const card = page.locator('[data-testid="earned-achievements"] #achievement-first-completion');
    await card.getByTestId("make-public").click();
    await page.waitForURL(/\/achievements#achievement-first-completion$/);
    const link = await card.getByTestId("share-link").inputValue({ timeout: 5_000 });
    assert.match(link, new RegExp(`^${server.origin}/shared/[A-Za-z0-9_-]{22}$`));
    await card.getByTestId("copy-link").click();
    await card.getByRole("button", { name: "Copied", exact: true }).waitFor({ timeout: 5_000 });
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
    await maybeScreenshot(page, "achievement-shared-link");

    const visitor = await page.context().browser()!.newContext();
    try {
      const visitorPage = await visitor.newPage();
      const response = await visitorPage.goto(link);
      assert.equal(response?.status(), 200);
      assert.equal(await visitorPage.getByTestId("shared-title").textContent(), "First steps");
      assert.match(
        await visitorPage.getByTestId("shared-earned-by").textContent() ?? "",
        new RegExp(`Earned by ${username} on \\d{1,2} \\w+ \\d{4}`),
      );
      const badge = visitorPage.locator(".shared-achievement-badge");
      await badge.waitFor();
      assert.ok(
        await badge.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0),
        "the badge image loads",
      );
      assert.equal(
        await visitorPage.locator('meta[property="og:url"]').getAttribute("content"),
        link,
      );
      await maybeScreenshot(visitorPage, "achievement-shared-page");

      const assertionUrl = await visitorPage.getByTestId("assertion-link").getAttribute("href");
      const assertion = await fetch(assertionUrl!);
      assert.equal(assertion.status, 200);
      assert.match(assertion.headers.get("content-type") ?? "", /^application\/ld\+json/);
      const body = await assertion.json();
      assert.equal(body.type, "Assertion");
      assert.equal(body.id, assertionUrl);
      assert.equal(body.evidence.id, link);

      await card.getByTestId("make-private").click();
      await card.getByTestId("make-public").waitFor({ timeout: 5_000 });
      const gone = await visitorPage.goto(link);
      assert.equal(gone?.status(), 404);
      const revoked = await fetch(assertionUrl!);
      assert.equal(revoked.status, 410);
      assert.equal((await revoked.json()).revoked, true);
    } finally {
      await visitor.close();
    }
    assert.deepEqual(errors, []);
  });
});
