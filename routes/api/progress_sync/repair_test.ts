import assert from "node:assert/strict";
import type { OutboxEntry } from "../../../lib/events/log_store.ts";
import {
  activityStateKey,
  eventsByActivityPrefix,
  outboxKey,
  outboxPrefix,
  summaryKey,
} from "../../../lib/kv_keys.ts";
import type { ActivityState } from "../../../lib/core/activity_state.ts";
import type { ProgressSummary } from "../../../lib/core/summary.ts";
import { TEST_ADMIN_TOKEN, type TestApp, withTestApp } from "../../../tests/support/test_app.ts";

function event(id: string, activityId: string, status: string, minutes: number) {
  return {
    id,
    eventType: "activity_progressed",
    sourceSystem: "quiz_engine",
    eventData: { activityId, activityType: "quiz", completionStatus: status, timeSpent: minutes },
    timestamp: `2026-11-20T10:0${id.slice(-1)}:00Z`,
  };
}

async function seed(app: TestApp) {
  const student = await app.student();
  const response = await app.request("/api/progress-sync/events?wait=true", {
    method: "POST",
    token: student.token,
    json: {
      events: [
        event("e1", "quiz-a", "started", 5),
        event("e2", "quiz-a", "completed", 10),
        event("e3", "quiz-b", "in_progress", 7),
      ],
    },
  });
  assert.equal(response.status, 200);
  return student;
}

function repair(app: TestApp, body: Record<string, unknown>, token = TEST_ADMIN_TOKEN) {
  return app.request("/api/progress-sync/repair", { method: "POST", token, json: body });
}

interface Report {
  dryRun: boolean;
  checkedUsers: number;
  checkedEvents: number;
  counts: Record<string, number>;
  repaired: number;
  inconsistencies: {
    type: string;
    kind: string;
    activityId?: string;
    eventId?: string;
    fields?: string[];
    repaired: boolean;
  }[];
}

Deno.test("a consistent store reports nothing to repair", async () => {
  await withTestApp(async (app) => {
    await seed(app);
    const response = await repair(app, { inconsistencyTypes: ["all"], dryRun: true });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /json/);
    const report = await response.json() as Report;
    assert.equal(report.checkedUsers, 1);
    assert.equal(report.checkedEvents, 3);
    assert.deepEqual(report.inconsistencies, []);
    assert.deepEqual(report.counts, {
      activity_state_mismatch: 0,
      summary_totals_mismatch: 0,
      stale_outbox: 0,
    });
  });
});

Deno.test("repair finds a corrupted projection, leaves it on a dry run and fixes it otherwise", async () => {
  await withTestApp(async (app) => {
    const { userId, token } = await seed(app);
    const { kv } = app;
    const stateKey = activityStateKey(userId, "quiz-a");
    const good = (await kv.get<ActivityState>(stateKey)).value!;
    await kv.set(stateKey, { ...good, status: "in_progress", timeSpentMinutes: 99 });
    await kv.delete(activityStateKey(userId, "quiz-b"));
    await kv.set(activityStateKey(userId, "ghost"), { ...good, activityId: "ghost" });
    const summary = (await kv.get<ProgressSummary>(summaryKey(userId))).value!;
    await kv.set(summaryKey(userId), {
      ...summary,
      totals: { ...summary.totals, completed: 5 },
      eventCount: 2,
    });
    await kv.delete([...eventsByActivityPrefix(userId, "quiz-b"), "e3"]);

    const dry = await (await repair(app, { inconsistencyTypes: ["all"], dryRun: true, userId }))
      .json() as Report;
    const kinds = dry.inconsistencies.map((i) => `${i.kind}:${i.activityId ?? ""}`).sort();
    assert.deepEqual(kinds, [
      "event_count_differs:",
      "index_missing:quiz-b",
      "state_differs:quiz-a",
      "state_missing:quiz-b",
      "state_orphaned:ghost",
      "totals_differ:",
    ]);
    assert.deepEqual(
      dry.inconsistencies.find((i) => i.kind === "state_differs")!.fields,
      ["status", "timeSpentMinutes"],
    );
    assert.equal(dry.repaired, 0);
    assert.equal((await kv.get<ActivityState>(stateKey)).value!.status, "in_progress");

    const fixed = await (await repair(app, { inconsistencyTypes: ["all"], userId }))
      .json() as Report;
    assert.equal(fixed.repaired, 6);
    assert.ok(fixed.inconsistencies.every((i) => i.repaired));
    assert.deepEqual((await kv.get<ActivityState>(stateKey)).value, good);
    assert.equal((await kv.get(activityStateKey(userId, "ghost"))).value, null);
    const view = await (await app.request("/api/progress-sync/summary", { token })).json();
    assert.equal(view.overallProgress.completedActivities, 1);
    assert.equal(view.overallProgress.totalActivities, 2);

    const after = await (await repair(app, { inconsistencyTypes: ["all"], dryRun: true }))
      .json() as Report;
    assert.deepEqual(after.inconsistencies, []);
    const audit = await (await app.request("/api/audit?action=repair.run", {
      token: TEST_ADMIN_TOKEN,
    })).json();
    assert.equal(audit.entries.length, 3);
  });
});

Deno.test("only the asked-for inconsistency types are checked, and autoRepair false only reports", async () => {
  await withTestApp(async (app) => {
    const { userId } = await seed(app);
    const summary = (await app.kv.get<ProgressSummary>(summaryKey(userId))).value!;
    await app.kv.set(summaryKey(userId), { ...summary, eventCount: 40 });
    await app.kv.delete(activityStateKey(userId, "quiz-b"));
    const report = await (await repair(app, {
      inconsistencyTypes: ["summary_totals_mismatch"],
      autoRepair: false,
    })).json() as Report;
    assert.deepEqual(report.inconsistencies.map((i) => i.kind), ["event_count_differs"]);
    assert.equal(report.repaired, 0);
    assert.equal((await app.kv.get<ProgressSummary>(summaryKey(userId))).value!.eventCount, 40);
  });
});

Deno.test("stale outbox entries are removed and an event that was never queued is processed", async () => {
  await withTestApp(async (app) => {
    const { userId, token } = await seed(app);
    const { kv } = app;
    // An accepted event whose outbox entry was lost: stored, but never processed.
    const posted = await app.request("/api/progress-sync/events", {
      method: "POST",
      token,
      json: event("e4", "quiz-c", "completed", 3),
    });
    assert.equal(posted.status, 202);
    await app.processor.idle();
    const summary = (await kv.get<ProgressSummary>(summaryKey(userId))).value!;
    // Undo its processing by hand: the result, the state and the summary go back.
    await kv.delete(["results", userId, "e4"]);
    await kv.delete(activityStateKey(userId, "quiz-c"));
    await kv.delete([...eventsByActivityPrefix(userId, "quiz-c"), "e4"]);
    await kv.set(summaryKey(userId), {
      ...summary,
      eventCount: 3,
      totals: { activities: 2, completed: 1, inProgress: 1, timeSpentMinutes: 22 },
    });

    const old = new Date(Date.now() - 3_600_000).toISOString();
    await kv.set(
      outboxKey(userId, "01AAAAAAAAAAAAAAAAAAAAAAA1"),
      {
        eventId: "e1",
        acceptedAt: old,
      } satisfies OutboxEntry,
    );
    await kv.set(
      outboxKey(userId, "01AAAAAAAAAAAAAAAAAAAAAAA2"),
      {
        eventId: "nope",
        acceptedAt: old,
      } satisfies OutboxEntry,
    );
    const report = await (await repair(app, { inconsistencyTypes: ["stale_outbox"] }))
      .json() as Report;
    assert.deepEqual(report.inconsistencies.map((i) => `${i.kind}:${i.eventId}`).sort(), [
      "already_processed:e1",
      "event_missing:nope",
      "not_queued:e4",
    ]);
    await app.processor.idle();
    const left: string[] = [];
    for await (const entry of kv.list<OutboxEntry>({ prefix: outboxPrefix(userId) })) {
      left.push(entry.value.eventId);
    }
    assert.deepEqual(left, []);
    const view = await (await app.request("/api/progress-sync/summary", { token })).json();
    assert.equal(view.overallProgress.totalActivities, 3);
    assert.equal(view.overallProgress.completedActivities, 2);
  });
});

Deno.test("repair is admin only and validates its input", async () => {
  await withTestApp(async (app) => {
    const { token } = await app.student();
    const system = await app.adminOwnedToken(["system"]);
    assert.equal((await repair(app, { inconsistencyTypes: ["all"] }, token)).status, 403);
    assert.equal((await repair(app, { inconsistencyTypes: ["all"] }, system)).status, 403);
    const anonymous = await app.request("/api/progress-sync/repair", { method: "POST", json: {} });
    assert.equal(anonymous.status, 401);
    const bad = await repair(app, { inconsistencyTypes: ["everything"] });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).issues[0].path, "inconsistencyTypes[0]");
    assert.equal((await repair(app, { inconsistencyTypes: ["all"], userId: "ghost" })).status, 404);
  });
});
