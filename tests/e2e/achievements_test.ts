import assert from "node:assert/strict";
import {
  api,
  maybeScreenshot,
  registerViaApi,
  uniqueUsername,
  waitForLive,
  withDashboard,
} from "./harness.ts";

Deno.test("an achievement toast arrives live when a script posts the qualifying event", async () => {
  await withDashboard(async (server, page, errors) => {
    const student = await registerViaApi(server, uniqueUsername("ach"), "correct horse battery");
    const token = await (await api(server, "/api/tokens", {
      cookie: student.cookie,
      json: { name: "script", scopes: ["events:write", "progress:read"] },
    })).json();
    await page.context().addCookies([{
      name: "ps_session",
      value: student.sessionSecret,
      url: server.origin,
    }]);
    await page.goto("/dashboard");
    await waitForLive(page);

    const posted = await api(server, "/api/progress-sync/events", {
      token: token.token,
      json: {
        eventType: "video_completed",
        sourceSystem: "video_player",
        eventData: {
          activityId: "intro",
          activityType: "video",
          completionStatus: "completed",
          timeSpent: 9,
        },
      },
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
