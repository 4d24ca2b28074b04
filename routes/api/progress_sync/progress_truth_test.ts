import assert from "node:assert/strict";
import { listNotificationsAfter } from "../../../lib/live/notification_store.ts";
import { videoCompleted } from "../../../tests/support/event_fixtures.ts";
import { type TestApp, withTestApp } from "../../../tests/support/test_app.ts";

const STEPS = ["s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"];

async function eightStepPath(app: TestApp): Promise<string> {
  const system = await app.adminOwnedToken(["system"]);
  for (const [i, id] of STEPS.entries()) {
    const response = await app.request(`/api/progress-sync/activities/${id}`, {
      method: "PUT",
      token: system,
      json: { title: `Step ${i + 1}`, activityType: id === "s2" ? "quiz" : "video" },
    });
    assert.equal(response.status, 201);
  }
  const path = await app.request("/api/progress-sync/paths/web", {
    method: "PUT",
    token: system,
    json: { title: "Web", steps: STEPS.map((id) => ({ stepId: `step-${id}`, activityId: id })) },
  });
  assert.equal(path.status, 201);
  return system;
}

async function post(app: TestApp, token: string, body: unknown) {
  const response = await app.request("/api/progress-sync/events?wait=true", {
    method: "POST",
    token,
    json: body,
  });
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()).results[0];
}

async function summary(app: TestApp, token: string) {
  const response = await app.request("/api/progress-sync/summary", { token });
  assert.equal(response.status, 200);
  return await response.json();
}

function quiz(id: string, source: string, status: string, score: number, timestamp: string) {
  return {
    id,
    eventType: "activity_progressed",
    sourceSystem: source,
    eventData: { activityId: "s2", activityType: "quiz", completionStatus: status, score },
    timestamp,
  };
}

Deno.test("headline progress: one completed video of an 8-step path reads 1 of 8, not 100 %", async () => {
  await withTestApp(async (app) => {
    const { token, userId } = await app.student();
    await eightStepPath(app);
    await post(app, token, videoCompleted("s1", { id: "v1" }));
    const view = await summary(app, token);
    assert.equal(view.overallProgress.completedActivities, 1);
    assert.equal(view.overallProgress.totalActivities, 8);
    assert.equal(view.overallProgress.percentageComplete, 12.5);
    assert.equal(view.learningPaths[0].completedSteps, 1);
    // The live message says the same as the summary.
    const [message] = (await listNotificationsAfter(app.kv, userId, null))
      .filter((n) => n.message.event === "progress_update");
    assert.ok(message && message.message.event === "progress_update");
    assert.deepEqual(message.message.data.overallProgress, view.overallProgress);
  });
});

Deno.test("headline progress counts the activities of the student's todos and calendar entries", async () => {
  await withTestApp(async (app) => {
    const { token, userId } = await app.student();
    const system = await app.adminOwnedToken(["system"]);
    for (const id of ["ch1", "ch2"]) {
      await app.request(`/api/progress-sync/activities/${id}`, {
        method: "PUT",
        token: system,
        json: { title: `Chapter ${id}`, activityType: "practice" },
      });
    }
    const item = await app.request("/api/progress-sync/items/todo-1", {
      method: "PUT",
      token: system,
      json: {
        userId,
        system: "todo_manager",
        kind: "todo",
        title: "Read two chapters",
        activityIds: ["ch1", "ch2"],
      },
    });
    assert.equal(item.status, 201);
    await post(app, token, videoCompleted("other-video", { id: "v1" }));
    const view = await summary(app, token);
    assert.deepEqual(
      [view.overallProgress.completedActivities, view.overallProgress.totalActivities],
      [1, 3],
    );
    assert.equal(view.overallProgress.percentageComplete, 33.3);
  });
});

Deno.test("a quiz below the pass mark is not done and not synced as completed; a later pass is done with the best score", async () => {
  await withTestApp(async (app) => {
    const { token, userId } = await app.student();
    await eightStepPath(app);
    const system = await app.adminOwnedToken(["system"]);
    const todo = await app.request("/api/progress-sync/items/todo-quiz", {
      method: "PUT",
      token: system,
      json: {
        userId,
        system: "todo_manager",
        kind: "todo",
        title: "Pass the quiz",
        activityIds: ["s2"],
      },
    });
    assert.equal(todo.status, 201);
    await post(app, token, quiz("q1", "quiz_engine", "completed", 50, "2026-11-20T10:00:00Z"));
    const items = async () =>
      (await (await app.request("/api/progress-sync/items", { token })).json()).items;
    assert.notEqual((await items())[0].state.status, "completed", "not synced as completed");
    const browserAgrees = await post(
      app,
      token,
      quiz("q1b", "browser", "failed", 50, "2026-11-20T10:00:05Z"),
    );
    assert.deepEqual(browserAgrees.conflicts, [], "no conflict when both say not passed");
    let view = await summary(app, token);
    assert.equal(view.overallProgress.completedActivities, 0);
    assert.equal(view.learningPaths[0].steps[1].status, "failed");
    assert.equal(view.recentActivities[0].completionStatus, "failed");

    const passed = await post(
      app,
      token,
      quiz("q2", "quiz_engine", "completed", 90, "2026-11-20T11:00:00Z"),
    );
    assert.deepEqual(passed.syncedSystems, ["ai_journey", "todo_manager"]);
    assert.equal((await items())[0].state.status, "completed");
    const lower = await post(
      app,
      token,
      quiz("q3", "quiz_engine", "completed", 40, "2026-11-20T12:00:00Z"),
    );
    assert.deepEqual(lower.conflicts, []);
    view = await summary(app, token);
    assert.equal(view.overallProgress.completedActivities, 1);
    assert.equal(view.learningPaths[0].steps[1].status, "completed");
    assert.equal(view.learningPaths[0].steps[1].completedAt, "2026-11-20T11:00:00.000Z");
    const achievements = view.achievements.map((a: { achievementId: string }) => a.achievementId);
    assert.ok(achievements.length > 0, "the first completion earns an achievement");
  });
});

Deno.test("summary.achievements holds the earned achievements, the same as /achievements", async () => {
  await withTestApp(async (app) => {
    const { token } = await app.student();
    await post(app, token, videoCompleted("v", { id: "v1" }));
    const view = await summary(app, token);
    const listed = await (await app.request("/api/progress-sync/achievements", { token })).json();
    assert.ok(view.achievements.length > 0);
    assert.deepEqual(view.achievements, listed.achievements);
  });
});

Deno.test("skill_assessed sets the skill's level and confidence and creates no activity", async () => {
  await withTestApp(async (app) => {
    const { token } = await app.student();
    await post(app, token, videoCompleted("v", { id: "v1" }));
    const assess = (id: string, level: string, confidence: number, timestamp: string) =>
      post(app, token, {
        id,
        eventType: "skill_assessed",
        sourceSystem: "ai_journey",
        eventData: {
          activityType: "milestone",
          completionStatus: "completed",
          skillProgress: {
            skillId: "javascript",
            previousLevel: "novice",
            newLevel: level,
            confidence,
          },
        },
        timestamp,
      });
    // Out of order: the later assessment wins whatever the arrival order.
    await assess("sk2", "advanced", 0.9, "2026-11-20T12:00:00Z");
    await assess("sk1", "intermediate", 0.6, "2026-11-20T11:00:00Z");
    const view = await summary(app, token);
    assert.equal(view.overallProgress.totalActivities, 1);
    assert.equal(view.overallProgress.completedActivities, 1);
    assert.equal(view.skillProgress.javascript.level, "advanced");
    assert.equal(view.skillProgress.javascript.confidence, 0.9);
    assert.ok(
      view.recentActivities.every((a: { activityId: string }) => a.activityId !== "javascript"),
    );
  });
});

Deno.test("a late report's stated times drive completedAt, the calendar's actual times, timing and rescheduling", async () => {
  await withTestApp(async (app) => {
    const { token, userId } = await app.student();
    const system = await app.adminOwnedToken(["system"]);
    await app.request("/api/progress-sync/activities/essay", {
      method: "PUT",
      token: system,
      json: { title: "Essay", activityType: "project" },
    });
    const due = new Date(Date.now() - 3 * 3600_000).toISOString();
    const item = await app.request("/api/progress-sync/items/cal-essay", {
      method: "PUT",
      token: system,
      json: {
        userId,
        system: "calendar_service",
        kind: "schedule",
        title: "Write the essay",
        activityIds: ["essay"],
        scheduledStart: new Date(Date.now() - 5 * 3600_000).toISOString(),
        scheduledEnd: due,
      },
    });
    assert.equal(item.status, 201);
    const start = new Date(Date.now() - 5 * 3600_000).toISOString();
    const end = new Date(Date.now() - 4 * 3600_000).toISOString();
    const moved = new Date(Date.now() - 30 * 3600_000).toISOString();
    // Sent now (after the plan's end), about work done before it.
    await post(app, token, {
      id: "late-report",
      eventType: "schedule_completed",
      sourceSystem: "calendar_service",
      eventData: {
        activityType: "project",
        completionStatus: "completed",
        scheduleProgress: {
          scheduleId: "cal-essay",
          actualStartTime: start,
          actualEndTime: end,
          rescheduledFrom: moved,
        },
      },
    });
    const [view] = (await (await app.request("/api/progress-sync/items", { token })).json()).items;
    assert.equal(view.state.actualStart, start);
    assert.equal(view.state.actualEnd, end);
    assert.equal(view.state.timing, "on_time");
    assert.equal(view.state.rescheduledFrom, moved);
    const summary = await (await app.request("/api/progress-sync/summary", { token })).json();
    assert.equal(summary.learningPaths.length, 0);
    const stored = await (await app.request("/api/progress-sync/events/late-report", { token }))
      .json();
    assert.notEqual(stored.event.receivedAt, end, "the arrival time stays in the log");
  });
});
