import assert from "node:assert/strict";
import { type TestApp, withTestApp } from "../../../tests/support/test_app.ts";
import { videoCompleted as videoEvent } from "../../../tests/support/event_fixtures.ts";

async function seedCatalog(app: TestApp, system: string, userId: string) {
  const put = async (path: string, body: unknown, expected = 201) => {
    const response = await app.request(path, { method: "PUT", token: system, json: body });
    assert.equal(response.status, expected, `${path}: ${await response.clone().text()}`);
    return response.json();
  };
  await put("/api/progress-sync/activities/video456", { title: "Promises", activityType: "video" });
  await put("/api/progress-sync/activities/quiz1", {
    title: "Promises quiz",
    activityType: "quiz",
  });
  await put("/api/progress-sync/paths/js-path", {
    title: "JavaScript",
    steps: [{ stepId: "s1", activityId: "video456" }, { stepId: "s2", activityId: "quiz1" }],
  });
  await put("/api/progress-sync/items/todo-1", {
    userId,
    system: "todo_manager",
    kind: "todo",
    title: "Watch the promises video",
    activityIds: ["video456"],
    dueDate: "2026-11-02T18:00:00Z",
  });
  await put("/api/progress-sync/items/cal-1", {
    userId,
    system: "calendar_service",
    kind: "schedule",
    title: "Study block",
    activityIds: ["video456", "quiz1"],
    scheduledStart: "2026-11-01T09:00:00Z",
    scheduledEnd: "2026-11-01T11:00:00Z",
  });
}

const videoCompleted = {
  id: "event123",
  eventType: "video_completed",
  sourceSystem: "video_player",
  eventData: {
    activityId: "video456",
    activityType: "video",
    completionStatus: "completed",
    timeSpent: 10,
    videoProgress: {
      videoId: "video456",
      youtubeId: "abc123",
      percentageWatched: 100,
      timeWatched: 600,
    },
  },
  timestamp: "2026-11-01T10:00:00Z",
};

Deno.test("a completed video syncs todo_manager, calendar_service and ai_journey (seed 000)", async () => {
  await withTestApp(async (app) => {
    const { userId, token } = await app.student();
    const system = await app.adminOwnedToken(["system"]);
    await seedCatalog(app, system, userId);
    const response = await app.request("/api/progress-sync/events?wait=true", {
      method: "POST",
      token,
      json: videoCompleted,
    });
    assert.equal(response.status, 200);
    const [result] = (await response.json()).results;
    assert.deepEqual(result.syncedSystems, ["ai_journey", "calendar_service", "todo_manager"]);

    const items = (await (await app.request("/api/progress-sync/items", { token })).json()).items;
    const todo = items.find((i: { itemId: string }) => i.itemId === "todo-1");
    const calendar = items.find((i: { itemId: string }) => i.itemId === "cal-1");
    assert.equal(todo.state.status, "completed");
    assert.equal(todo.state.completedAt, "2026-11-01T10:00:00.000Z");
    assert.equal(todo.state.lastEventId, "event123");
    assert.equal(todo.state.timing, "on_time");
    assert.equal(calendar.state.status, "in_progress");
    assert.equal(calendar.state.actualStart, "2026-11-01T10:00:00.000Z");

    const summary = await (await app.request("/api/progress-sync/summary", { token })).json();
    const [path] = summary.learningPaths;
    assert.equal(path.pathId, "js-path");
    assert.equal(path.completedSteps, 1);
    assert.equal(path.totalSteps, 2);
    assert.equal(path.percentage, 50);
    assert.deepEqual(path.steps.map((s: { status: string }) => s.status), [
      "completed",
      "not_started",
    ]);
    assert.deepEqual(summary.upcomingActivities.map((i: { itemId: string }) => i.itemId), [
      "cal-1",
    ]);
  });
});

Deno.test("a todo completion counts toward the activities its item tracks (bi-directional)", async () => {
  await withTestApp(async (app) => {
    const { userId, token } = await app.student();
    const system = await app.adminOwnedToken(["system"]);
    await seedCatalog(app, system, userId);
    const response = await app.request("/api/progress-sync/events?wait=true", {
      method: "POST",
      token,
      json: {
        id: "calendar-done",
        eventType: "schedule_completed",
        sourceSystem: "calendar_service",
        eventData: {
          activityType: "practice",
          completionStatus: "completed",
          timeSpent: 90,
          scheduleProgress: { scheduleId: "cal-1", actualEndTime: "2026-11-01T10:45:00Z" },
        },
        timestamp: "2026-11-01T10:45:00Z",
      },
    });
    const [result] = (await response.json()).results;
    assert.deepEqual(result.syncedSystems, ["ai_journey", "calendar_service", "todo_manager"]);
    const summary = await (await app.request("/api/progress-sync/summary", { token })).json();
    assert.equal(summary.overallProgress.completedActivities, 2);
    assert.equal(
      summary.overallProgress.totalTimeSpent,
      90,
      "time counts once, on the event's own activity",
    );
    assert.equal(summary.learningPaths[0].percentage, 100);
    const items =
      (await (await app.request("/api/progress-sync/items?kind=todo", { token })).json()).items;
    assert.equal(items.length, 1);
    assert.equal(items[0].state.status, "completed");
  });
});

Deno.test("an item created after its activity was completed starts completed", async () => {
  await withTestApp(async (app) => {
    const { userId, token } = await app.student();
    const system = await app.adminOwnedToken(["system"]);
    await app.request("/api/progress-sync/activities/video456", {
      method: "PUT",
      token: system,
      json: { title: "Promises", activityType: "video" },
    });
    await app.request("/api/progress-sync/events?wait=true", {
      method: "POST",
      token,
      json: videoCompleted,
    });
    const response = await app.request("/api/progress-sync/items/todo-late", {
      method: "PUT",
      token,
      json: {
        system: "todo_manager",
        kind: "todo",
        title: "Late todo",
        activityIds: ["video456"],
        userId,
      },
    });
    assert.equal(response.status, 201);
    assert.equal((await response.json()).state.status, "completed");
  });
});

Deno.test("catalog and items reject bad input, unknown activities, other students and moves", async () => {
  await withTestApp(async (app) => {
    const alice = await app.student("alice");
    const bob = await app.student("bob");
    const system = await app.adminOwnedToken(["system"]);
    await seedCatalog(app, system, alice.userId);
    const cases: [string, string, unknown, number, RegExp][] = [
      [
        "/api/progress-sync/activities/x",
        system,
        { title: "", activityType: "video" },
        400,
        /title/,
      ],
      [
        "/api/progress-sync/activities/x",
        alice.token,
        { title: "X", activityType: "video" },
        403,
        /scope/,
      ],
      [
        "/api/progress-sync/paths/p",
        system,
        { title: "P", steps: [{ stepId: "a", activityId: "nope" }] },
        400,
        /Unknown activity/,
      ],
      [
        "/api/progress-sync/paths/p",
        system,
        {
          title: "P",
          steps: [{ stepId: "a", activityId: "quiz1" }, { stepId: "a", activityId: "video456" }],
        },
        400,
        /unique/,
      ],
      [
        "/api/progress-sync/items/t2",
        alice.token,
        { system: "calendar_service", kind: "todo", title: "T", activityIds: ["quiz1"] },
        400,
        /todo belongs to todo_manager/,
      ],
      [
        "/api/progress-sync/items/t2",
        alice.token,
        { system: "todo_manager", kind: "todo", title: "T", activityIds: ["ghost"] },
        400,
        /Unknown activity/,
      ],
      [
        "/api/progress-sync/items/t2",
        alice.token,
        {
          system: "todo_manager",
          kind: "todo",
          title: "T",
          activityIds: ["quiz1"],
          userId: bob.userId,
        },
        403,
        /another student/,
      ],
      [
        "/api/progress-sync/items/todo-1",
        bob.token,
        { system: "todo_manager", kind: "todo", title: "Mine now", activityIds: ["quiz1"] },
        404,
        /not found/,
      ],
      [
        "/api/progress-sync/items/todo-1",
        system,
        {
          system: "todo_manager",
          kind: "todo",
          title: "Move",
          activityIds: ["quiz1"],
          userId: bob.userId,
        },
        409,
        /cannot move/,
      ],
    ];
    for (const [path, token, body, status, message] of cases) {
      const response = await app.request(path, { method: "PUT", token, json: body });
      assert.equal(response.status, status, `${path} ${JSON.stringify(body)}`);
      assert.match((await response.json()).error, message);
    }
    const bobsView = await (await app.request("/api/progress-sync/items", { token: bob.token }))
      .json();
    assert.deepEqual(bobsView.items, []);
    const deleteOther = await app.request("/api/progress-sync/items/todo-1", {
      method: "DELETE",
      token: bob.token,
    });
    assert.equal(deleteOther.status, 404);
    await deleteOther.body?.cancel();
    const deleted = await app.request("/api/progress-sync/items/todo-1", {
      method: "DELETE",
      token: alice.token,
    });
    assert.equal(deleted.status, 204);
    const left = await (await app.request("/api/progress-sync/items", { token: alice.token }))
      .json();
    assert.deepEqual(left.items.map((i: { itemId: string }) => i.itemId), ["cal-1"]);
  });
});

Deno.test("items and paths created after a student's first events still sync their later events", async () => {
  await withTestApp(async (app) => {
    const { userId, token } = await app.student();
    const system = await app.adminOwnedToken(["system"]);
    const put = async (path: string, body: unknown) => {
      const response = await app.request(path, { method: "PUT", token: system, json: body });
      assert.ok(response.ok, `${path}: ${response.status}`);
    };
    const complete = async (id: string, activityId: string) => {
      const response = await app.request("/api/progress-sync/events?wait=true", {
        method: "POST",
        token,
        json: videoEvent(activityId, { id, timestamp: "2026-11-01T10:00:00Z" }),
      });
      assert.equal(response.status, 200);
      return (await response.json()).results[0];
    };
    await put("/api/progress-sync/activities/v1", { title: "One", activityType: "video" });
    await put("/api/progress-sync/activities/v2", { title: "Two", activityType: "video" });
    assert.deepEqual((await complete("e1", "v1")).syncedSystems, []);

    await put("/api/progress-sync/items/todo-2", {
      userId,
      system: "todo_manager",
      kind: "todo",
      title: "Watch two",
      activityIds: ["v2"],
    });
    await put("/api/progress-sync/paths/p", {
      title: "Path",
      steps: [{ stepId: "s1", activityId: "v1" }, { stepId: "s2", activityId: "v2" }],
    });
    assert.deepEqual((await complete("e2", "v2")).syncedSystems, ["ai_journey", "todo_manager"]);
    const items = (await (await app.request("/api/progress-sync/items", { token })).json()).items;
    assert.equal(items[0].state.status, "completed");
  });
});
