import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  api,
  maybeScreenshot,
  registerViaApi,
  scriptToken,
  signInAs,
  STUDENT_PAGES,
  withDashboard,
} from "./harness.ts";
import { videoCompleted } from "../support/event_fixtures.ts";

async function sidewaysOverflow(page: Page): Promise<number> {
  return await page.evaluate(() =>
    document.documentElement.scrollWidth - document.documentElement.clientWidth
  );
}

Deno.test("at 360 px no page scrolls sideways with the longest names, the nav is a menu and charts open on their latest days", async () => {
  await withDashboard(async (server, page, errors) => {
    // The longest username allowed, without a break opportunity.
    const username = `m${crypto.randomUUID().replaceAll("-", "").slice(0, 8)}${"w".repeat(31)}`;
    assert.equal(username.length, 40);
    const student = await registerViaApi(server, username, "correct horse battery");
    const token = await scriptToken(server, student);
    const longName = "W".repeat(80);
    const created = await api(server, "/api/tokens", {
      cookie: student.cookie,
      json: { name: longName, scopes: ["events:write"] },
    });
    assert.equal(created.status, 201);
    await created.body?.cancel();
    const posted = await api(server, "/api/progress-sync/events?wait=true", {
      token,
      json: videoCompleted(`a-very-long-activity-id-${"x".repeat(60)}`, { timeSpent: 30 }),
    });
    assert.equal(posted.status, 200);
    await posted.body?.cancel();

    await page.setViewportSize({ width: 360, height: 740 });
    await signInAs(page, server, student);
    for (const path of STUDENT_PAGES) {
      await page.goto(path);
      assert.equal(await sidewaysOverflow(page), 0, `${path} scrolls sideways at 360 px`);
      await maybeScreenshot(page, `mobile${path.replaceAll("/", "-")}`);
    }

    await page.goto("/dashboard");
    const header = await page.locator(".site-header").boundingBox();
    assert.ok(header && header.height < 80, `the header is one row (${header?.height} px)`);
    const nav = page.getByRole("navigation", { name: "Main" });
    assert.equal(await nav.getByRole("link", { name: "Insights" }).isVisible(), false);
    await page.getByText("Menu", { exact: true }).click();
    await nav.getByRole("link", { name: "Insights" }).click();
    await page.waitForURL(/\/insights$/);

    const scroller = page.locator('[data-testid="chart-daily"] .chart-scroll');
    const [box, svg] = await Promise.all([
      scroller.boundingBox(),
      scroller.locator("svg").boundingBox(),
    ]);
    assert.ok(box && svg && svg.width > box.width, "the daily chart is wider than the screen");
    assert.ok(
      Math.abs(svg.x + svg.width - (box.x + box.width)) < 2,
      "the chart opens scrolled to its latest (right-most) day",
    );
    // Only the 404 page's own status is logged.
    assert.deepEqual(errors.filter((e) => !/status of 404/.test(e)), []);
  });
});
