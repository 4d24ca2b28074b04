import assert from "node:assert/strict";
import { TEST_ADMIN_TOKEN, withTestApp } from "../../tests/support/test_app.ts";

Deno.test("API responses carry Date, X-Response-Time and X-Last-Updated-At, and pinned bodies keep their shape", async () => {
  await withTestApp(async (app) => {
    const { token } = await app.student();
    const posted = await app.request("/api/progress-sync/events?wait=true", {
      method: "POST",
      token,
      json: {
        id: "e1",
        eventType: "video_completed",
        sourceSystem: "video_player",
        eventData: { activityId: "v1", activityType: "video", completionStatus: "completed" },
      },
    });
    assert.equal(posted.status, 200);
    assert.match(posted.headers.get("x-response-time") ?? "", /^\d+(\.\d)?ms$/);
    assert.ok(Date.parse(posted.headers.get("date") ?? "") > 0);
    assert.deepEqual(Object.keys(await posted.json()), ["results"]);

    const summary = await app.request("/api/progress-sync/summary", { token });
    const body = await summary.json();
    assert.equal(summary.headers.get("x-last-updated-at"), body.lastSyncTime);
    assert.equal("meta" in body, false);

    const event = await app.request("/api/progress-sync/events/e1", { token });
    assert.ok(Date.parse(event.headers.get("x-last-updated-at") ?? "") > 0);

    const audit = await (await app.request("/api/audit", { token: TEST_ADMIN_TOKEN })).json();
    assert.ok(Date.parse(audit.meta.timestamp) > 0, "unpinned responses carry meta.timestamp");
  });
});
