import assert from "node:assert/strict";
import {
  api,
  maybeScreenshot,
  registerViaApi,
  scriptToken,
  signInAs,
  uniqueUsername,
  waitForLive,
  waitForTestIdText,
  withDashboard,
} from "./harness.ts";

const DAY = 86_400_000;

Deno.test("the dashboard and achievements page show the streak freeze and per-type streaks", async () => {
  await withDashboard(async (server, page, errors) => {
    const student = await registerViaApi(server, uniqueUsername("streak"), "correct horse battery");
    const token = await scriptToken(server, student);
    const now = Date.now();
    const event = (daysAgo: number, activityType: string) => ({
      id: `${activityType}-${daysAgo}`,
      eventType: "activity_progressed",
      sourceSystem: "browser",
      eventData: {
        activityId: `${activityType}-${daysAgo}`,
        activityType,
        completionStatus: "completed",
        timeSpent: 5,
      },
      timestamp: new Date(now - daysAgo * DAY).toISOString(),
    });
    // Seven days of videos earn a freeze; the day 3 days ago is missed and bridged by it.
    const events = [10, 9, 8, 7, 6, 5, 4, 2, 1, 0].map((d) => event(d, "video"));
    events.push(...[2, 1, 0].map((d) => event(d, "quiz")));
    const posted = await api(server, "/api/progress-sync/events?wait=true", {
      token: token,
      json: { events },
    });
    assert.equal(posted.status, 200);
    await posted.body?.cancel();
    const missed = new Date(now - 3 * DAY).toISOString().slice(0, 10);

    await signInAs(page, server, student);
    await page.goto("/dashboard");
    await waitForLive(page);
    await waitForTestIdText(page, "stat-streak", "10 days");
    await waitForTestIdText(page, "stat-streak-freeze", ` · freeze used on ${missed}`);
    await maybeScreenshot(page, "dashboard-streak-freeze");

    await page.goto("/achievements");
    await waitForTestIdText(page, "streak-current", "10 days");
    await waitForTestIdText(page, "streak-freeze", new RegExp(`Freeze used on ${missed}`));
    await waitForTestIdText(page, "type-streak-video", "3 days");
    await waitForTestIdText(page, "type-streak-quiz", "3 days");
    await waitForTestIdText(page, "type-streak-project", "0 days");
    await maybeScreenshot(page, "achievements-streaks");
    assert.deepEqual(errors, []);
  });
});
