import assert from "node:assert/strict";
import {
  api,
  assertSameDocument,
  markDocument,
  maybeScreenshot,
  registerViaApi,
  scriptToken,
  signInAs,
  uniqueUsername,
  waitForLive,
  waitForTestIdText,
  withDashboard,
} from "./harness.ts";
import { videoCompleted } from "../support/event_fixtures.ts";

Deno.test("an achievement toast arrives live when a script posts the qualifying event", async () => {
  await withDashboard(async (server, page, errors) => {
    const student = await registerViaApi(server, uniqueUsername("ach"), "correct horse battery");
    const token = await scriptToken(server, student);
    await signInAs(page, server, student);
    await page.goto("/dashboard");
    await waitForLive(page);

    const posted = await api(server, "/api/progress-sync/events", {
      token: token,
      json: videoCompleted("intro", { timeSpent: 9 }),
    });
    assert.equal(posted.status, 202);
    await posted.body?.cancel();

    const toast = page.locator('[data-toast-id="achievement-first-completion"]');
    await toast.waitFor({ timeout: 5_000 });
    assert.match(await toast.textContent() ?? "", /Achievement unlocked: First steps/);
    await maybeScreenshot(page, "achievement-toast");

    await page.goto("/achievements");
    const earned = page.locator(
      '[data-testid="earned-achievements"] [data-achievement-id="first-completion"]',
    );
    await earned.waitFor({ timeout: 5_000 });
    const locked = page.locator(
      '[data-testid="locked-achievements"] [data-achievement-id="ten-completions"]',
    );
    assert.match(await locked.textContent() ?? "", /1 of 10/);
    assert.deepEqual(errors, []);
  });
});

Deno.test("on any signed-in page, an achievement toast and the conflicts badge arrive live", async () => {
  await withDashboard(async (server, page, errors) => {
    const student = await registerViaApi(server, uniqueUsername("nav"), "correct horse battery");
    const token = await scriptToken(server, student);
    await signInAs(page, server, student);
    await page.goto("/insights");
    await markDocument(page);
    assert.equal(await page.getByTestId("nav-conflicts-count").count(), 0);

    // The quiz engine passes the quiz; the tutor chat fails it 20 minutes later.
    const at = (minutes: number) => new Date(Date.now() - (60 - minutes) * 60_000).toISOString();
    const report = (id: string, system: string, status: string, minutes: number) => ({
      id,
      eventType: "activity_progressed",
      sourceSystem: system,
      eventData: { activityId: "quiz-nav", activityType: "quiz", completionStatus: status },
      timestamp: at(minutes),
    });
    const posted = await api(server, "/api/progress-sync/events", {
      token: token,
      json: {
        events: [
          report("nav-pass", "quiz_engine", "completed", 0),
          report("nav-fail", "chat_system", "failed", 20),
        ],
      },
    });
    assert.equal(posted.status, 202);
    await posted.body?.cancel();

    const toast = page.locator('[data-toast-id="achievement-first-completion"]');
    await toast.waitFor({ timeout: 10_000 });
    const badge = page.getByTestId("nav-conflicts-count");
    await badge.waitFor({ timeout: 10_000 });
    assert.match(await badge.textContent() ?? "", /^1/);
    await assertSameDocument(page);
    await maybeScreenshot(page, "live-nav");
    assert.deepEqual(errors, []);
  });
});

Deno.test("on the achievements page the count and the badge change live; the toast links to it and can be dismissed", async () => {
  await withDashboard(async (server, page, errors) => {
    const student = await registerViaApi(
      server,
      uniqueUsername("achlive"),
      "correct horse battery",
    );
    const token = await scriptToken(server, student);
    await signInAs(page, server, student);
    await page.goto("/achievements");
    await page.locator('[data-island="live_parts"][data-island-hydrated]').waitFor({
      state: "attached",
    });
    await waitForLive(page);
    await markDocument(page);
    const summary = page.getByTestId("achievements-summary");
    const before = await summary.textContent() ?? "";
    assert.match(before, /^0 of \d+ earned/);
    const total = /of (\d+)/.exec(before)![1];

    const posted = await api(server, "/api/progress-sync/events", {
      token,
      json: videoCompleted("intro", { timeSpent: 9 }),
    });
    assert.equal(posted.status, 202);
    await posted.body?.cancel();

    await waitForTestIdText(page, "achievements-summary", new RegExp(`^1 of ${total} earned`));
    await page.locator(
      '[data-testid="earned-achievements"] [data-achievement-id="first-completion"][data-earned="true"]',
    ).waitFor({ timeout: 5_000 });
    assert.equal(
      await page.locator(
        '[data-testid="locked-achievements"] [data-achievement-id="first-completion"]',
      )
        .count(),
      0,
      "the badge left the locked list",
    );
    await assertSameDocument(page);

    const toast = page.locator('[data-toast-id="achievement-first-completion"]');
    await toast.waitFor();
    assert.equal(
      await toast.getByRole("link").getAttribute("href"),
      "/achievements#achievement-first-completion",
    );
    await toast.getByTestId("toast-dismiss").click();
    await toast.waitFor({ state: "detached", timeout: 2_000 });
    assert.deepEqual(errors, []);
  });
});
