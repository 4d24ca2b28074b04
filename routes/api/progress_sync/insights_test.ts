import assert from "node:assert/strict";
import { type TestApp, withTestApp } from "../../../tests/support/test_app.ts";

const DAY_MS = 86_400_000;

function daysAgo(days: number, hourUtc: number): string {
  const now = new Date();
  return new Date(
    Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hourUtc) - days * DAY_MS,
  ).toISOString();
}

async function setUp(app: TestApp) {
  const system = await app.adminOwnedToken(["system"]);
  const put = async (path: string, json: unknown) => {
    const r = await app.request(path, { method: "PUT", token: system, json });
    assert.ok(r.status < 300, `${path}: ${r.status} ${await r.text()}`);
  };
  await put("/api/progress-sync/activities/html", {
    title: "HTML",
    activityType: "video",
    skills: ["html"],
    expectedMinutes: 10,
  });
  await put("/api/progress-sync/activities/css", {
    title: "CSS",
    activityType: "quiz",
    skills: ["css"],
    expectedMinutes: 20,
  });
  await put("/api/progress-sync/activities/js", {
    title: "JS",
    activityType: "practice",
    skills: ["js"],
    expectedMinutes: 30,
  });
  await put("/api/progress-sync/paths/web", {
    title: "Web",
    steps: [
      { stepId: "s1", activityId: "html" },
      { stepId: "s2", activityId: "css" },
      { stepId: "s3", activityId: "js" },
    ],
  });
  const student = await app.student();
  const events = [
    {
      id: "h1",
      eventType: "video_completed",
      sourceSystem: "video_player",
      eventData: {
        activityId: "html",
        activityType: "video",
        completionStatus: "completed",
        timeSpent: 12,
        pathProgress: { pathId: "web", stepId: "s1", stepIndex: 0, totalSteps: 3 },
      },
      timestamp: daysAgo(3, 9),
    },
    {
      id: "c1",
      eventType: "skill_assessed",
      sourceSystem: "quiz_engine",
      eventData: {
        activityId: "css",
        activityType: "quiz",
        completionStatus: "completed",
        timeSpent: 8,
        score: 75,
        pathProgress: { pathId: "web", stepId: "s2", stepIndex: 1, totalSteps: 3 },
      },
      timestamp: daysAgo(1, 19),
    },
    {
      id: "j1",
      eventType: "activity_progressed",
      sourceSystem: "chat_system",
      eventData: {
        activityId: "js",
        activityType: "practice",
        completionStatus: "in_progress",
        timeSpent: 15,
      },
      timestamp: new Date(Date.parse(daysAgo(1, 19)) + 30 * 60_000).toISOString(),
    },
    {
      id: "old",
      eventType: "video_completed",
      sourceSystem: "video_player",
      eventData: {
        activityId: "intro",
        activityType: "video",
        completionStatus: "completed",
        timeSpent: 5,
      },
      timestamp: daysAgo(100, 12),
    },
  ];
  const r = await app.request("/api/progress-sync/events?wait=true", {
    method: "POST",
    token: student.token,
    json: { events },
  });
  assert.equal(r.status, 200, await r.clone().text());
  await r.body?.cancel();
  return { ...student, system };
}

Deno.test("insights: time spent, completion rate, skills and a path estimate from the range's events", async () => {
  await withTestApp(async (app) => {
    const { token } = await setUp(app);
    const response = await app.request("/api/progress-sync/insights", { token });
    assert.equal(response.status, 200);
    assert.ok(Number(response.headers.get("x-events-scanned")) >= 4);
    const insights = await response.json();
    assert.equal(insights.timeZone, "UTC");
    assert.equal(insights.range.days, 30);
    assert.equal(insights.timeSpent.daily.length, 30);
    assert.equal(insights.timeSpent.totalMinutes, 35, "the 100-day-old event is outside");
    assert.equal(insights.timeSpent.activeDays, 2);
    assert.deepEqual(insights.activities, { worked: 3, completed: 2, failed: 0 });
    assert.equal(insights.completionRate, 66.7);
    assert.deepEqual(
      insights.strongestSkills.map((s: { skillId: string }) => s.skillId),
      ["html"],
    );
    assert.deepEqual(insights.weakestSkills.map((s: { skillId: string }) => s.skillId), ["css"]);
    const [web] = insights.paths;
    assert.equal(web.pathId, "web");
    assert.equal(web.completedInRange, 2);
    assert.equal(web.remainingSteps, 1);
    assert.equal(web.status, "estimated");
    assert.equal(web.daysLeft, 15, "2 steps in 30 days: one step takes 15 days");

    const wide = await (await app.request(
      `/api/progress-sync/insights?from=${daysAgo(120, 0).slice(0, 10)}`,
      { token },
    )).json();
    assert.equal(wide.timeSpent.totalMinutes, 40);
    assert.equal(wide.range.days, 121);
  });
});

Deno.test("insight patterns: time of day, sessions and the preferred activity type", async () => {
  await withTestApp(async (app) => {
    const { token } = await setUp(app);
    const patterns = await (await app.request("/api/progress-sync/insights/patterns", { token }))
      .json();
    assert.equal(patterns.timeOfDay.preferred, "evening");
    assert.equal(patterns.timeOfDay.hours[19].events, 2);
    assert.equal(patterns.sessions.count, 2);
    assert.equal(patterns.preferredActivityType, "practice");
    assert.equal(patterns.weekdays.length, 7);
  });
});

Deno.test("insights refuse bad and over-long ranges with a 400, and other students' data with a 404", async () => {
  await withTestApp(async (app) => {
    const { token, userId, system } = await setUp(app);
    const long = await app.request("/api/progress-sync/insights?from=2024-01-01&to=2025-01-02", {
      token,
    });
    assert.equal(long.status, 400);
    assert.match((await long.json()).error, /368 days: at most 366/);
    const inverted = await app.request(
      "/api/progress-sync/insights/patterns?from=2025-02-01&to=2025-01-01",
      { token },
    );
    assert.equal(inverted.status, 400);
    await inverted.body?.cancel();
    const malformed = await app.request("/api/progress-sync/insights?from=yesterday", { token });
    assert.equal(malformed.status, 400);
    assert.match((await malformed.json()).error, /from/);
    const instant = await app.request(
      "/api/progress-sync/insights?from=2025-01-01T10:00:00Z&to=2025-01-31T23:00:00%2B02:00",
      { token },
    );
    assert.equal((await instant.json()).range.days, 31);

    const other = await app.student();
    const theirs = await app.request(`/api/progress-sync/insights?userId=${userId}`, {
      token: other.token,
    });
    assert.equal(theirs.status, 404);
    await theirs.body?.cancel();
    const bySystem = await app.request(`/api/progress-sync/insights?userId=${userId}`, {
      token: system,
    });
    assert.equal(bySystem.status, 200);
    assert.equal((await bySystem.json()).timeSpent.totalMinutes, 35);
    const anonymous = await app.request("/api/progress-sync/insights");
    assert.equal(anonymous.status, 401);
    await anonymous.body?.cancel();
  });
});

Deno.test("the summary fills skillProgress, milestones, weighted progress and the longest streak", async () => {
  await withTestApp(async (app) => {
    const { token } = await setUp(app);
    const view = await (await app.request("/api/progress-sync/summary", { token })).json();
    assert.deepEqual(Object.keys(view.skillProgress), ["css", "html", "js"]);
    const html = view.skillProgress.html;
    assert.deepEqual(
      html.components.map((c: { id: string; value: number; weight: number }) => [
        c.id,
        c.weight,
        c.value,
      ]),
      [["practiceTime", 0.4, 100], ["mastery", 0.4, 100], ["peerReviews", 0.2, 0]],
    );
    assert.equal(html.value, 80);
    assert.equal(view.skillProgress.css.components[1].value, 75, "best quiz score");

    const web = view.weightedProgress.paths.web;
    assert.deepEqual(
      web.components.map((c: { id: string; value: number }) => [c.id, c.value]),
      [["tasks", 66.7], ["time", 55], ["milestones", 50], ["interactions", 33.3]],
    );
    assert.equal(view.weightedProgress.goal.components[2].detail, "1 completed outside your paths");

    const ids = view.milestones.map((m: { id: string }) => m.id);
    assert.deepEqual(ids, [
      "path:web:25",
      "path:web:50",
      "path:web:75",
      "path:web:100",
      "activities:5",
      "time:1h",
    ]);
    const half = view.milestones[1];
    assert.equal(half.reached, true);
    assert.equal(half.reachedAt, daysAgo(1, 19));
    assert.equal(view.milestones[4].current, 3);

    assert.equal(view.overallProgress.currentStreak, 1);
    assert.equal(view.overallProgress.longestStreak, 1);
  });
});
