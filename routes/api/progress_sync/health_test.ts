import assert from "node:assert/strict";
import { Webhook } from "standardwebhooks";
import { DEFAULT_THRESHOLDS, systemStatusOf } from "../../../lib/health/health_rules.ts";
import { emptySyncStats, type SyncStats } from "../../../lib/processing/sync_stats.ts";
import { appendEvents } from "../../../lib/events/log_store.ts";
import { TEST_ADMIN_TOKEN, withTestApp } from "../../../tests/support/test_app.ts";

const none: SyncStats = emptySyncStats();

Deno.test("systemStatusOf: delayed, then conflict, else healthy; refused webhooks change nothing", () => {
  const now = 10_000_000;
  const t = DEFAULT_THRESHOLDS;
  assert.equal(systemStatusOf(none, undefined, now, t).status, "healthy");
  assert.equal(
    systemStatusOf({ ...none, last_conflict_at: now - 1000 }, undefined, now, t).status,
    "conflict",
  );
  assert.equal(
    systemStatusOf(none, { pending: 1, oldest: now - 61_000 }, now, t).status,
    "delayed",
  );
  assert.equal(
    systemStatusOf(
      { ...none, last_inbound_rejected_at: now - 1000 },
      {
        pending: 1,
        oldest: now - 61_000,
      },
      now,
      t,
    ).status,
    "delayed",
  );
  assert.equal(
    systemStatusOf({ ...none, last_inbound_rejected_at: now - 1000 }, undefined, now, t).status,
    "healthy",
    "an anonymous refused webhook does not degrade the system",
  );
});

Deno.test("the health report shows processing, per-system status and raises alerts past thresholds", async () => {
  await withTestApp(async (app) => {
    const { token, userId } = await app.student();
    const posted = await app.request("/api/progress-sync/events?wait=true", {
      method: "POST",
      token,
      json: {
        eventType: "video_completed",
        sourceSystem: "video_player",
        eventData: { activityId: "v1", activityType: "video", completionStatus: "completed" },
      },
    });
    assert.equal(posted.status, 200);
    // An event accepted two minutes ago that nobody processed: the calendar is delayed.
    const old = new Date(Date.now() - 120_000).toISOString();
    await appendEvents(app.kv, [{
      id: "stuck",
      userId,
      eventType: "schedule_completed",
      sourceSystem: "calendar_service",
      eventData: { activityId: "s1", activityType: "practice", completionStatus: "completed" },
      timestamp: old,
      receivedAt: old,
      contentHash: "h",
    }]);
    // A refused inbound webhook (anyone can send one): counted, the todo manager stays healthy.
    await app.request("/api/webhooks/inbound/todo_manager/secret", {
      method: "PUT",
      token: TEST_ADMIN_TOKEN,
    });
    const body = "{}";
    const refused = await app.request("/api/webhooks/inbound/todo_manager", {
      method: "POST",
      headers: {
        "webhook-id": "msg_1",
        "webhook-timestamp": String(Math.floor(Date.now() / 1000)),
        "webhook-signature": new Webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").sign(
          "msg_1",
          new Date(),
          body,
        ),
      },
      body,
    });
    assert.equal(refused.status, 401);

    const response = await app.request("/api/progress-sync/health", { token: TEST_ADMIN_TOKEN });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /json/);
    const health = await response.json();
    assert.equal(health.outbox.depth, 1);
    assert.ok(health.outbox.oldestPendingAgeMs >= 120_000);
    assert.equal(health.processing.processedEvents, 1);
    const status = Object.fromEntries(
      health.systems.map((s: { system: string; status: string }) => [s.system, s.status]),
    );
    assert.equal(status.video_player, "healthy");
    assert.equal(status.calendar_service, "delayed");
    assert.equal(status.todo_manager, "healthy");
    const todo = health.systems.find((s: { system: string }) => s.system === "todo_manager");
    assert.equal(todo.inbound.rejected, 1);
    const codes = health.alerts.map((a: { code: string }) => a.code).sort();
    assert.deepEqual(codes, ["data_consistency", "outbox_lag", "system_delayed"]);
    assert.ok(health.dataConsistencyScore < 1);
    assert.equal(health.thresholds.oldestPendingWarnMs, 30_000);
    assert.equal(typeof health.meta.timestamp, "string");
  });
});

Deno.test("health is admin only", async () => {
  await withTestApp(async (app) => {
    const { token } = await app.student();
    assert.equal((await app.request("/api/progress-sync/health", { token })).status, 403);
    assert.equal((await app.request("/api/progress-sync/health")).status, 401);
  });
});
