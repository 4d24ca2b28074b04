import assert from "node:assert/strict";
import type { ProgressConflict } from "../../../lib/core/conflict.ts";
import { planConflicts } from "../../../lib/conflicts/conflict_step.ts";
import { getStoredEvents } from "../../../lib/events/log_store.ts";
import { activityStateKey, notificationsPrefix } from "../../../lib/kv_keys.ts";
import { listNotificationsAfter } from "../../../lib/live/notification_store.ts";
import type { ActivityState } from "../../../lib/core/activity_state.ts";
import { type TestApp, withTestApp } from "../../../tests/support/test_app.ts";

const at = (hhmm: string) => `2024-01-15T${hhmm}:00.000Z`;

function report(
  id: string,
  hhmm: string,
  options: {
    system?: string;
    eventType?: string;
    status?: string;
    activityId?: string;
    timeSpent?: number;
    score?: number;
  } = {},
) {
  return {
    id,
    eventType: options.eventType ?? "activity_progressed",
    sourceSystem: options.system ?? "video_player",
    eventData: {
      activityId: options.activityId ?? "todo123",
      activityType: "quiz",
      completionStatus: options.status ?? "completed",
      ...(options.timeSpent === undefined ? {} : { timeSpent: options.timeSpent }),
      ...(options.score === undefined ? {} : { score: options.score }),
    },
    timestamp: at(hhmm),
  };
}

async function post(app: TestApp, token: string, body: unknown) {
  const response = await app.request("/api/progress-sync/events?wait=true", {
    method: "POST",
    token,
    json: body,
  });
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()).results;
}

async function state(app: TestApp, userId: string, activityId = "todo123") {
  return (await app.kv.get<ActivityState>(activityStateKey(userId, activityId))).value!;
}

async function conflicts(app: TestApp, token: string, query = "") {
  const response = await app.request(`/api/progress-sync/conflicts${query}`, { token });
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()).conflicts as ProgressConflict[];
}

Deno.test("seed 000: a timestamp mismatch is detected, listed in the result and resolved automatically with use_latest", async () => {
  await withTestApp(async (app) => {
    const { userId, token } = await app.student();
    await post(
      app,
      token,
      report("todo-done", "10:00", { system: "todo_manager", eventType: "todo_completed" }),
    );
    const [result] = await post(
      app,
      token,
      report("schedule-done", "10:30", {
        system: "calendar_service",
        eventType: "schedule_completed",
      }),
    );
    assert.equal(result.conflicts.length, 1);
    const [conflict] = result.conflicts as ProgressConflict[];
    assert.equal(conflict!.conflictType, "timestamp_mismatch");
    assert.equal(conflict!.suggestedResolution.resolutionType, "use_latest");
    assert.equal(conflict!.status, "resolved");
    assert.equal(conflict!.resolution?.resolvedBy, "auto");
    assert.equal(conflict!.resolution?.eventId, `schedule-done@${conflict!.id}`);
    assert.equal((await state(app, userId)).completedAt, at("10:30"));

    // The correction is an event of the log like any other, processed with its own result.
    const log = await (await app.request("/api/progress-sync/events", { token })).json();
    assert.deepEqual(log.events.map((e: { id: string }) => e.id), [
      "todo-done",
      "schedule-done",
      `schedule-done@${conflict!.id}`,
    ]);
    const fix = await (await app.request(
      `/api/progress-sync/events/${encodeURIComponent(`schedule-done@${conflict!.id}`)}`,
      { token },
    )).json();
    assert.equal(fix.processed, true);
    assert.equal(fix.event.eventType, "conflict_resolved");
    assert.equal(fix.event.sourceSystem, "progress_sync");

    assert.deepEqual(await conflicts(app, token), [], "nothing waits for the student");
    const all = await conflicts(app, token, "?status=all");
    assert.deepEqual(all.map((c) => c.id), [conflict!.id]);
    const summary = await (await app.request("/api/progress-sync/summary", { token })).json();
    assert.equal(summary.dataConsistencyScore, 1);
  });
});

Deno.test("a conflict waits for the student, who resolves it through a new event; the answer explains it", async () => {
  await withTestApp(async (app) => {
    const { userId, token } = await app.student();
    await post(app, token, report("done", "10:00", { score: 80 }));
    const [result] = await post(
      app,
      token,
      report("failed", "10:20", { system: "quiz_engine", status: "failed", score: 40 }),
    );
    const [raised] = result.conflicts as ProgressConflict[];
    assert.equal(raised!.conflictType, "completion_status_conflict");
    assert.equal(raised!.requiresUserInput, true);
    assert.equal(raised!.status, "unresolved");
    assert.equal(
      (await state(app, userId)).status,
      "completed",
      "until decided, the lattice stands",
    );

    const open = await conflicts(app, token);
    assert.deepEqual(open.map((c) => c.id), [raised!.id]);
    assert.deepEqual(await conflicts(app, token, "?impact=low"), []);
    assert.deepEqual(await conflicts(app, token, "?conflictType=duplicate_event"), []);
    assert.equal(
      (await conflicts(app, token, "?impact=high&conflictType=completion_status_conflict")).length,
      1,
    );
    const summary = await (await app.request("/api/progress-sync/summary", { token })).json();
    assert.ok(summary.dataConsistencyScore < 1, "an open conflict lowers the consistency score");

    const live = await listNotificationsAfter(app.kv, userId, null);
    const message = live.find((n) => n.message.event === "conflict_detected");
    assert.equal((message?.message.data as ProgressConflict).id, raised!.id);

    const response = await app.request(`/api/progress-sync/conflicts/${raised!.id}/resolve`, {
      method: "POST",
      token,
      json: { resolutionType: "use_latest" },
    });
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.processed, true);
    assert.equal(body.conflict.status, "resolved");
    assert.equal(body.conflict.resolution.resolvedBy, "student");
    assert.equal(body.event.id, `failed@${raised!.id}`);
    assert.equal(body.activity.before.status, "completed");
    assert.equal(body.activity.after.status, "failed");
    assert.deepEqual(body.changes.map((c: { field: string }) => c.field), [
      "status",
      "completedAt",
      "percentComplete",
    ]);
    assert.match(
      body.explanation,
      /^Used the latest report, quiz engine's: failed.*Now status: completed → failed/,
    );
    const after = await state(app, userId);
    assert.equal(after.status, "failed");
    assert.equal(after.bestScore, 80, "only what the conflict is about changes");

    assert.deepEqual(await conflicts(app, token), []);
    assert.equal((await conflicts(app, token, "?status=resolved")).length, 1);
    const again = await app.request(`/api/progress-sync/conflicts/${raised!.id}/resolve`, {
      method: "POST",
      token,
      json: { resolutionType: "use_most_complete" },
    });
    assert.equal(again.status, 409);
    const summaryAfter = await (await app.request("/api/progress-sync/summary", { token })).json();
    assert.equal(summaryAfter.dataConsistencyScore, 1);

    // The decision counts from when it was made: a report dated before it does not undo it, a
    // later one applies on top as always.
    await post(app, token, report("backdated", "12:00", { system: "quiz_engine", score: 90 }));
    assert.equal((await state(app, userId)).status, "failed");
    await post(app, token, {
      ...report("retake", "12:00", { system: "quiz_engine", score: 95 }),
      timestamp: new Date(Date.now() + 60_000).toISOString(),
    });
    assert.equal((await state(app, userId)).status, "completed");
  });
});

Deno.test("another student's conflict is a 404; a system token reads and resolves with ?userId=", async () => {
  await withTestApp(async (app) => {
    const alice = await app.student("alice");
    const bob = await app.student("bob");
    await post(app, alice.token, report("a1", "10:00"));
    const [result] = await post(
      app,
      alice.token,
      report("a2", "10:10", { system: "quiz_engine", status: "failed" }),
    );
    const id = result.conflicts[0].id;
    assert.equal(
      (await app.request(`/api/progress-sync/conflicts/${id}`, { token: bob.token })).status,
      404,
    );
    const steal = await app.request(`/api/progress-sync/conflicts/${id}/resolve`, {
      method: "POST",
      token: bob.token,
      json: { resolutionType: "use_latest" },
    });
    assert.equal(steal.status, 404);
    assert.equal(
      (await app.request(`/api/progress-sync/conflicts?userId=${alice.userId}`, {
        token: bob.token,
      }))
        .status,
      404,
    );
    const system = await app.adminOwnedToken(["system"]);
    const listed = await conflicts(app, system, `?userId=${alice.userId}`);
    assert.deepEqual(listed.map((c) => c.id), [id]);
    const bad = await app.request(
      `/api/progress-sync/conflicts/${id}/resolve?userId=${alice.userId}`,
      {
        method: "POST",
        token: system,
        json: { resolutionType: "manual_review", userData: { eventId: "nope" } },
      },
    );
    assert.equal(bad.status, 400);
    const custom = await app.request(
      `/api/progress-sync/conflicts/${id}/resolve?userId=${alice.userId}`,
      {
        method: "POST",
        token: system,
        json: {
          resolutionType: "manual_review",
          userData: { status: "in_progress", percentComplete: 50 },
        },
      },
    );
    assert.equal(custom.status, 200);
    const body = await custom.json();
    assert.equal(body.conflict.resolution.resolvedBy, "system");
    assert.equal(body.activity.after.status, "in_progress");
    assert.equal(body.activity.after.percentComplete, 50);
    const unknownField = await app.request(`/api/progress-sync/conflicts/${id}/resolve`, {
      method: "POST",
      token: alice.token,
      json: { resolutionType: "sideways" },
    });
    assert.equal(unknownField.status, 400);
  });
});

Deno.test("redelivery and reprocessing never raise a conflict twice", async () => {
  await withTestApp(async (app) => {
    const { userId, token } = await app.student();
    const a = report("a", "10:00", { timeSpent: 6 });
    const b = report("b", "10:02", {
      system: "todo_manager",
      eventType: "todo_completed",
      timeSpent: 6,
    });
    await post(app, token, { events: [a, b] });
    const again = await post(app, token, { events: [b, a] });
    assert.deepEqual(again.map((r: { conflicts: unknown[] }) => r.conflicts.length), [1, 0]);
    const response = await app.request("/api/progress-sync/events", {
      method: "POST",
      token,
      json: { events: [a, b] },
    });
    assert.deepEqual((await response.json()).results.map((r: { status: string }) => r.status), [
      "duplicate",
      "duplicate",
    ]);
    await app.processor.idle();
    const all = await conflicts(app, token, "?status=all");
    assert.equal(all.length, 1);
    assert.equal(all[0]!.conflictType, "duplicate_event");
    assert.equal(
      (await state(app, userId)).timeSpentMinutes,
      6,
      "the double-counted 6 min are gone",
    );
    // Reprocessing the same events (as a repair would) finds only conflicts that already exist.
    const events = (await getStoredEvents(app.kv, [[userId, "a"], [userId, "b"]])) as never[];
    const plan = await planConflicts(
      app.kv,
      userId,
      new Date().toISOString(),
      events,
      new Map(),
      new Map(),
    );
    assert.deepEqual(plan.detected, []);
    assert.deepEqual(plan.corrections, []);
    const messages = [];
    for await (const entry of app.kv.list({ prefix: notificationsPrefix(userId) })) {
      messages.push(entry);
    }
    assert.ok(messages.length > 0);
  });
});

Deno.test("clients cannot post the service's own event type or source system", async () => {
  await withTestApp(async (app) => {
    const { token } = await app.student();
    const response = await app.request("/api/progress-sync/events", {
      method: "POST",
      token,
      json: {
        ...report("x", "10:00"),
        eventType: "conflict_resolved",
        sourceSystem: "progress_sync",
      },
    });
    assert.equal(response.status, 400);
    const { issues } = await response.json();
    assert.deepEqual(issues.map((i: { path: string }) => i.path).sort(), [
      "eventType",
      "sourceSystem",
    ]);
  });
});

Deno.test("an event raising a hundred conflicts is processed: its result lists the first ones and says how many more", async () => {
  await withTestApp(async (app) => {
    const system = await app.adminOwnedToken(["system"]);
    const { userId, token } = await app.student();
    const ids = Array.from({ length: 50 }, (_, i) => `video-${i}`);
    for (const id of ids) {
      const put = await app.request(`/api/progress-sync/activities/${id}`, {
        method: "PUT",
        token: system,
        json: { title: id, activityType: "video" },
      });
      await put.body?.cancel();
    }
    const item = await app.request("/api/progress-sync/items/all-videos", {
      method: "PUT",
      token,
      json: { userId, system: "todo_manager", kind: "todo", title: "Watch all", activityIds: ids },
    });
    assert.equal(item.status, 201);
    const at10 = (minute: string) => `2026-01-05T10:${minute}:00Z`;
    await post(app, token, {
      events: ids.map((id, i) => ({
        id: `watch-${i}`,
        eventType: "activity_progressed",
        sourceSystem: "video_player",
        eventData: {
          activityId: id,
          activityType: "video",
          completionStatus: "in_progress",
          videoProgress: { videoId: id, percentageWatched: 30 },
        },
        timestamp: at10("00"),
      })),
    });
    await post(app, token, {
      events: ids.map((id, i) => ({
        ...report(`fail-${i}`, "10:05", {
          system: "quiz_engine",
          status: "failed",
          activityId: id,
        }),
        timestamp: at10("05"),
      })),
    });
    const [ticked] = await post(app, token, {
      id: "tick",
      eventType: "todo_completed",
      sourceSystem: "todo_manager",
      eventData: {
        activityType: "video",
        completionStatus: "completed",
        todoProgress: { todoId: "all-videos" },
      },
      timestamp: at10("10"),
    });
    assert.ok(ticked.conflicts.length > 0 && ticked.conflicts.length < 100);
    assert.equal(ticked.errors[0].code, "conflicts_truncated");
    assert.match(ticked.errors[0].message, new RegExp(`^${100 - ticked.conflicts.length} more`));
    assert.equal((await conflicts(app, token, "?limit=1000")).length, 100);
    const live = await listNotificationsAfter(app.kv, userId, null);
    assert.equal(live.filter((n) => n.message.event === "conflict_detected").length, 20);
  });
});
