import assert from "node:assert/strict";
import { withTestApp } from "../../../tests/support/test_app.ts";

const video = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
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
  ...extra,
});

Deno.test("posting one event returns 202 accepted, then duplicate for the same content", async () => {
  await withTestApp(async (app) => {
    const { token } = await app.student();
    const first = await app.request("/api/progress-sync/events", {
      method: "POST",
      token,
      json: video("e1"),
    });
    assert.equal(first.status, 202);
    assert.match(first.headers.get("content-type") ?? "", /json/);
    assert.deepEqual(await first.json(), { results: [{ id: "e1", status: "accepted" }] });
    const again = await app.request("/api/progress-sync/events", {
      method: "POST",
      token,
      json: video("e1"),
    });
    assert.equal(again.status, 202);
    assert.deepEqual(await again.json(), { results: [{ id: "e1", status: "duplicate" }] });
  });
});

Deno.test("the same id with different content is a 409 for one event and `conflict` in a batch", async () => {
  await withTestApp(async (app) => {
    const { token } = await app.student();
    await app.request("/api/progress-sync/events", { method: "POST", token, json: video("e1") });
    const single = await app.request("/api/progress-sync/events", {
      method: "POST",
      token,
      json: video("e1", { timestamp: "2026-11-01T11:00:00Z" }),
    });
    assert.equal(single.status, 409);
    assert.match(
      (await single.json()).error,
      /Cannot accept event "e1": id already used with different content/,
    );
    const batch = await app.request("/api/progress-sync/events", {
      method: "POST",
      token,
      json: { events: [video("e2"), video("e1", { sourceSystem: "chat_system" }), video("e1")] },
    });
    assert.equal(batch.status, 202);
    assert.deepEqual((await batch.json()).results, [
      { id: "e2", status: "accepted" },
      { id: "e1", status: "conflict" },
      { id: "e1", status: "duplicate" },
    ]);
  });
});

Deno.test("a schema error anywhere rejects the whole batch with each bad field and stores nothing", async () => {
  await withTestApp(async (app) => {
    const { token } = await app.student();
    const bad = video("e3", { eventType: "video_exploded" });
    (bad.eventData as Record<string, unknown>).completionStatus = 7;
    const response = await app.request("/api/progress-sync/events", {
      method: "POST",
      token,
      json: { events: [video("e1"), bad] },
    });
    assert.equal(response.status, 400);
    const body = await response.json();
    const paths = body.issues.map((i: { path: string }) => i.path).sort();
    assert.deepEqual(paths, ["events[1].eventData.completionStatus", "events[1].eventType"]);
    const list = await app.request("/api/progress-sync/events", { token });
    assert.deepEqual((await list.json()).events, []);
  });
});

Deno.test("bad input gets a clear 4xx, never a 5xx", async () => {
  await withTestApp(async (app) => {
    const { token } = await app.student();
    const cases: [BodyInit, number, RegExp][] = [
      ["{not json", 400, /Malformed JSON/],
      ["", 400, /empty/],
      [JSON.stringify({ events: [] }), 400, /at least one/],
      [
        JSON.stringify({ events: Array.from({ length: 101 }, (_, i) => video(`x${i}`)) }),
        400,
        /at most 100/,
      ],
      [JSON.stringify(video("a".repeat(3000))), 400, /at most 128/],
      [JSON.stringify(video("ok", { timestamp: "yesterday" })), 400, /timestamp/],
      [JSON.stringify([video("arr")]), 400, /Invalid event/],
      ["x".repeat(1024 * 1024 + 10), 413, /too large/],
    ];
    for (const [body, status, message] of cases) {
      const response = await app.request("/api/progress-sync/events", {
        method: "POST",
        body,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      });
      assert.equal(response.status, status, `status for ${String(body).slice(0, 40)}`);
      assert.match((await response.json()).error, message);
    }
  });
});

Deno.test("missing, malformed or wrong credentials are 401; a token without the scope is 403", async () => {
  await withTestApp(async (app) => {
    const reader = await app.student(undefined, ["progress:read"]);
    const none = await app.request("/api/progress-sync/events", {
      method: "POST",
      json: video("e1"),
    });
    assert.equal(none.status, 401);
    const wrong = await app.request("/api/progress-sync/events", {
      method: "POST",
      token: "nope",
      json: video("e1"),
    });
    assert.equal(wrong.status, 401);
    const basic = await app.request("/api/progress-sync/summary", {
      headers: { authorization: "Basic abc" },
    });
    assert.equal(basic.status, 401);
    const scoped = await app.request("/api/progress-sync/events", {
      method: "POST",
      token: reader.token,
      json: video("e1"),
    });
    assert.equal(scoped.status, 403);
  });
});

Deno.test("a student cannot post for or read another student; a system token can", async () => {
  await withTestApp(async (app) => {
    const alice = await app.student("alice");
    const bob = await app.student("bob");
    const forBob = await app.request("/api/progress-sync/events", {
      method: "POST",
      token: alice.token,
      json: video("e1", { userId: bob.userId }),
    });
    assert.equal(forBob.status, 403);
    const peek = await app.request(`/api/progress-sync/summary?userId=${bob.userId}`, {
      token: alice.token,
    });
    assert.equal(peek.status, 404);
    const system = await app.adminOwnedToken(["system"]);
    const posted = await app.request("/api/progress-sync/events?wait=true", {
      method: "POST",
      token: system,
      json: video("e1", { userId: bob.userId }),
    });
    assert.equal(posted.status, 200);
    const noUser = await app.request("/api/progress-sync/events", {
      method: "POST",
      token: system,
      json: video("e2"),
    });
    assert.equal(noUser.status, 400);
    const unknown = await app.request("/api/progress-sync/events", {
      method: "POST",
      token: system,
      json: video("e3", { userId: "ghost" }),
    });
    assert.equal(unknown.status, 400);
    const bobsEvent = await app.request("/api/progress-sync/events/e1", { token: alice.token });
    assert.equal(bobsEvent.status, 404);
    const summary = await app.request(`/api/progress-sync/summary?userId=${bob.userId}`, {
      token: system,
    });
    assert.equal((await summary.json()).overallProgress.completedActivities, 1);
  });
});

Deno.test("?wait=true returns one ProgressSyncResult per event once processed", async () => {
  await withTestApp(async (app) => {
    const { token } = await app.student();
    const response = await app.request("/api/progress-sync/events?wait=true", {
      method: "POST",
      token,
      json: { events: [video("e1"), video("e2", { timestamp: "2026-11-01T09:00:00Z" })] },
    });
    assert.equal(response.status, 200);
    const { results } = await response.json();
    assert.deepEqual(results.map((r: { eventId: string }) => r.eventId), ["e1", "e2"]);
    for (const result of results) {
      assert.deepEqual(Object.keys(result).sort(), [
        "achievements",
        "conflicts",
        "errors",
        "eventId",
        "milestonesReached",
        "syncedSystems",
        "totalProcessingTime",
      ]);
    }
    const one = await app.request("/api/progress-sync/events/e2", { token });
    const body = await one.json();
    assert.equal(body.processed, true);
    assert.equal(body.event.id, "e2");
    assert.equal(body.result.eventId, "e2");
    assert.equal(body.event.contentHash, undefined);
  });
});

Deno.test("paging the log with the cursor never skips or repeats an event", async () => {
  await withTestApp(async (app) => {
    const { token } = await app.student();
    const ids: string[] = [];
    for (let batch = 0; batch < 4; batch++) {
      const events = Array.from(
        { length: 7 },
        (_, i) => video(`b${batch}-${i}`, { timestamp: `2026-11-01T10:${batch}${i}:00Z` }),
      );
      ids.push(...events.map((e) => e.id));
      await app.request("/api/progress-sync/events", { method: "POST", token, json: { events } });
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const query = cursor ? `?since=${cursor}&limit=5` : "?limit=5";
      const response = await app.request(`/api/progress-sync/events${query}`, { token });
      const body = await response.json();
      if (body.events.length === 0) {
        assert.equal(body.cursor, cursor);
        break;
      }
      seen.push(...body.events.map((e: { id: string }) => e.id));
      cursor = body.cursor;
    }
    assert.deepEqual(seen, ids);
    const bad = await app.request("/api/progress-sync/events?since=garbage", { token });
    assert.equal(bad.status, 400);
  });
});

Deno.test("concurrent posts of the same id store it once", async () => {
  await withTestApp(async (app) => {
    const { token } = await app.student();
    const responses = await Promise.all(
      Array.from(
        { length: 10 },
        () =>
          app.request("/api/progress-sync/events", { method: "POST", token, json: video("same") }),
      ),
    );
    const statuses = await Promise.all(
      responses.map(async (r) => (await r.json()).results[0].status),
    );
    assert.equal(statuses.filter((s) => s === "accepted").length, 1);
    assert.equal(statuses.filter((s) => s === "duplicate").length, 9);
    await app.processor.idle();
    const summary = await (await app.request("/api/progress-sync/summary", { token })).json();
    assert.equal(summary.overallProgress.totalActivities, 1);
    assert.equal(summary.overallProgress.totalTimeSpent, 10);
  });
});
