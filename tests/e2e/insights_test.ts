import assert from "node:assert/strict";
import {
  api,
  maybeScreenshot,
  registerViaApi,
  signInAs,
  uniqueUsername,
  withDashboard,
} from "./harness.ts";

const DAY_MS = 86_400_000;

/** Midnight UTC `days` ago plus `hours`, as ISO. */
function at(days: number, hours: number): string {
  const now = new Date();
  return new Date(
    Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - days * DAY_MS +
      hours * 3_600_000,
  ).toISOString();
}

Deno.test("the insights page draws charts from events a script posted", async () => {
  await withDashboard(async (server, page, errors) => {
    const put = async (path: string, json: unknown) => {
      const r = await api(server, path, { method: "PUT", token: server.adminToken, json });
      assert.ok(r.status < 300, `${path}: ${r.status} ${await r.text()}`);
    };
    await put("/api/progress-sync/activities/intro-video", {
      title: "Intro video",
      activityType: "video",
      skills: ["basics"],
      expectedMinutes: 15,
    });
    await put("/api/progress-sync/activities/intro-quiz", {
      title: "Intro quiz",
      activityType: "quiz",
      skills: ["basics"],
      expectedMinutes: 10,
    });
    await put("/api/progress-sync/activities/regex-kata", {
      title: "Regex kata",
      activityType: "practice",
      skills: ["regex"],
      expectedMinutes: 30,
    });
    await put("/api/progress-sync/paths/starter", {
      title: "Starter path",
      steps: [
        { stepId: "s1", activityId: "intro-video" },
        { stepId: "s2", activityId: "intro-quiz" },
        { stepId: "s3", activityId: "regex-kata" },
      ],
    });

    const student = await registerViaApi(server, uniqueUsername("ins"), "correct horse battery");
    const token = (await (await api(server, "/api/tokens", {
      cookie: student.cookie,
      json: { name: "script", scopes: ["events:write", "progress:read"] },
    })).json()).token;
    const step = (stepId: string, stepIndex: number) => ({
      pathId: "starter",
      stepId,
      stepIndex,
      totalSteps: 3,
    });
    const events = [
      {
        id: "ins-1",
        eventType: "video_completed",
        sourceSystem: "video_player",
        eventData: {
          activityId: "intro-video",
          activityType: "video",
          completionStatus: "completed",
          timeSpent: 14,
          pathProgress: step("s1", 0),
        },
        timestamp: at(3, 18),
      },
      {
        id: "ins-2",
        eventType: "skill_assessed",
        sourceSystem: "quiz_engine",
        eventData: {
          activityId: "intro-quiz",
          activityType: "quiz",
          completionStatus: "completed",
          timeSpent: 9,
          score: 85,
          pathProgress: step("s2", 1),
        },
        timestamp: at(2, 19),
      },
      {
        id: "ins-3",
        eventType: "activity_progressed",
        sourceSystem: "chat_system",
        eventData: {
          activityId: "regex-kata",
          activityType: "practice",
          completionStatus: "failed",
          timeSpent: 25,
        },
        timestamp: at(1, 20),
      },
    ];
    const posted = await api(server, "/api/progress-sync/events?wait=true", {
      token,
      json: { events },
    });
    assert.equal(posted.status, 200, await posted.clone().text());
    await posted.body?.cancel();

    await signInAs(page, server, student);
    await page.goto("/insights");
    assert.equal(await page.getByTestId("insight-total").textContent(), "48 min");
    assert.equal(await page.getByTestId("insight-active-days").textContent(), "3 of 30");

    // The daily chart: an accessible image with 30 bars, three of them with time.
    const daily = page.locator('[data-testid="chart-daily"] svg[role="img"]');
    assert.equal(await daily.getAttribute("data-bars"), "30");
    assert.equal(await page.locator("#chart-daily-title").textContent(), "Time spent per day");
    assert.match(await page.locator("#chart-daily-desc").textContent() ?? "", /48 min in total/);
    const values = await page.locator('[data-testid="chart-daily"] rect.chart-bar')
      .evaluateAll((bars) => bars.map((b) => Number(b.getAttribute("data-value"))));
    assert.deepEqual(values.filter((v) => v > 0).sort((a, b) => a - b), [9, 14, 25]);
    const barHeight = await page.locator('[data-testid="chart-daily"] rect[data-value="25"]')
      .evaluate((b) => b.getBoundingClientRect().height);
    assert.ok(barHeight > 20, `the 25-minute bar is drawn (${barHeight} px high)`);

    // Its text alternative: the same figures as a table.
    await page.locator('[data-testid="chart-daily"] summary').click();
    const rows = page.getByTestId("chart-daily-table").locator("tbody tr");
    assert.equal(await rows.count(), 30);

    // Skills, patterns and the path estimate.
    assert.equal(await page.getByTestId("strongest-skills").textContent(), "basics");
    assert.equal(await page.getByTestId("weakest-skills").textContent(), "regex");
    assert.match(await page.getByTestId("preferred-time").textContent() ?? "", /evening/);
    assert.match(await page.getByTestId("preferred-type").textContent() ?? "", /practice/);
    assert.equal(
      await page.locator('[data-testid="chart-hours"] svg').getAttribute("data-bars"),
      "24",
    );
    assert.match(
      await page.locator('[data-path-id="starter"] [data-testid="path-estimate"]').textContent() ??
        "",
      /finished around/,
    );
    await maybeScreenshot(page, "insights");

    // The nav links the page, and the dashboard shows milestones, weighted progress and streaks.
    assert.equal(
      await page.locator('.site-nav a[href="/insights"]').getAttribute("aria-current"),
      "page",
    );
    await page.goto("/dashboard");
    assert.equal(
      await page.locator('[data-milestone-id="path:starter:50"]').getAttribute("data-reached"),
      "true",
    );
    assert.match(await page.getByTestId("goal-progress-value").textContent() ?? "", /%$/);
    assert.equal(await page.getByTestId("stat-longest-streak").textContent(), "3 days");
    assert.deepEqual(errors, []);
  });
});
