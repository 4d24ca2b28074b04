import assert from "node:assert/strict";
import { createSession } from "../../../../lib/auth/account_store.ts";
import { putActivity } from "../../../../lib/catalog/catalog_store.ts";
import type { StoredEvent } from "../../../../lib/core/event_schema.ts";
import type { LearningProgressEvent } from "../../../../lib/core/learning_events.ts";
import { derivedResetId } from "../../../../lib/learning/shared_log.ts";
import { activityStateKey } from "../../../../lib/kv_keys.ts";
import type { ActivityState } from "../../../../lib/core/activity_state.ts";
import { type TestApp, withTestApp } from "../../../../tests/support/test_app.ts";

const PATH = "/api/v1/learning/progress";

function content(
  eventId: string,
  contentId: string,
  status: "not_started" | "in_progress" | "completed" | "passed",
  occurredAt = "2026-03-02T10:00:00.000Z",
  extra: Record<string, unknown> = {},
): LearningProgressEvent {
  return {
    eventId,
    occurredAt,
    clientId: "client-1",
    type: "content.progressed",
    payload: { contentId, status, ...extra },
  } as LearningProgressEvent;
}

function put(app: TestApp, token: string, events: unknown[], extra: Record<string, unknown> = {}) {
  return app.request(PATH, {
    method: "PUT",
    token,
    json: { clientUpdatedAt: "2026-03-02T10:00:05.000Z", events, ...extra },
  });
}

async function get(app: TestApp, token: string, query = "") {
  const response = await app.request(`${PATH}${query}`, { token });
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /json/);
  return await response.json();
}

async function sharedLog(app: TestApp, token: string): Promise<StoredEvent[]> {
  const response = await app.request("/api/progress-sync/events?limit=1000", { token });
  assert.equal(response.status, 200);
  return (await response.json()).events;
}

Deno.test("PUT stores events and answers exactly { ok: true }; GET returns them with the snapshot and a cursor", async () => {
  await withTestApp(async (app) => {
    const { token } = await app.student();
    const events = [
      content("e1", "html-basics", "in_progress"),
      content("e2", "html-basics", "completed", "2026-03-02T10:05:00.000Z"),
      {
        eventId: "e3",
        occurredAt: "2026-03-02T09:00:00.000+01:00",
        clientId: "client-1",
        type: "onboarding.completed",
        payload: { pathId: "web-foundations" },
      },
    ];
    const response = await put(app, token, events);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /json/);
    assert.deepEqual(await response.json(), { ok: true });
    assert.equal(response.headers.get("progress-sync-accepted"), "3");

    const body = await get(app, token);
    assert.equal(body.ok, true);
    assert.deepEqual(body.data.events, events);
    assert.equal(typeof body.data.cursor, "string");
    assert.equal(body.data.hasMore, false);
    const { snapshot } = body.data;
    assert.equal(snapshot.content["html-basics"].status, "completed");
    assert.equal(snapshot.content["html-basics"].completedAt, "2026-03-02T10:05:00.000Z");
    assert.deepEqual(snapshot.onboarding, {
      completed: true,
      pathId: "web-foundations",
      updatedAt: "2026-03-02T09:00:00.000+01:00",
    });
    assert.equal(snapshot.lastUpdated, "2026-03-02T10:05:00.000Z");

    const after = await get(app, token, `?since=${body.data.cursor}`);
    assert.deepEqual(after.data.events, []);
    assert.equal(after.data.cursor, body.data.cursor);
    assert.equal(after.data.snapshot.content["html-basics"].status, "completed");
  });
});

Deno.test("the same eventId twice is ignored: stored once, in both logs", async () => {
  await withTestApp(async (app) => {
    const { token } = await app.student();
    const events = [content("e1", "a", "in_progress"), content("e2", "a", "completed")];
    assert.equal((await put(app, token, events)).status, 200);
    const again = await put(app, token, [...events, events[0]]);
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), { ok: true });
    assert.equal(again.headers.get("progress-sync-accepted"), "0");
    assert.equal(again.headers.get("progress-sync-duplicates"), "3");
    assert.deepEqual(
      (await get(app, token)).data.events.map((e: { eventId: string }) => e.eventId),
      [
        "e1",
        "e2",
      ],
    );
    await app.processor.idle();
    assert.deepEqual((await sharedLog(app, token)).map((e) => e.id), ["e1", "e2"]);
  });
});

Deno.test("an id reused with different content still gets { ok: true }, is ignored and reported in a header", async () => {
  await withTestApp(async (app) => {
    const { token } = await app.student();
    await put(app, token, [content("e1", "a", "in_progress")]);
    const reused = await put(app, token, [content("e1", "a", "passed", undefined, { score: 100 })]);
    assert.equal(reused.status, 200);
    assert.deepEqual(await reused.json(), { ok: true });
    assert.equal(reused.headers.get("progress-sync-ignored"), "e1");
    const { data } = await get(app, token);
    assert.equal(data.events.length, 1);
    assert.equal(data.events[0].payload.status, "in_progress");
    assert.equal(data.snapshot.content.a.status, "in_progress");
  });
});

Deno.test("a bad event is a 400 naming each bad field, and nothing of the request is stored", async () => {
  await withTestApp(async (app) => {
    const { token } = await app.student();
    const response = await put(app, token, [
      content("ok-1", "a", "completed"),
      content("bad-1", "a", "finished" as "completed"),
      { eventId: "bad id!", occurredAt: "yesterday", clientId: "c", type: "progress.reset" },
      { eventId: "bad-3", occurredAt: "2026-03-02T10:00:00Z", clientId: "c", type: "lesson.done" },
      content("bad-4", "a", "passed", undefined, { score: 101 }),
    ]);
    assert.equal(response.status, 400);
    const body = await response.json();
    const paths = body.issues.map((i: { path: string }) => i.path).sort();
    assert.deepEqual(paths, [
      "events[1].payload.status",
      "events[2].eventId",
      "events[2].occurredAt",
      "events[3].type",
      "events[4].payload.score",
    ]);
    assert.deepEqual((await get(app, token)).data.events, []);

    const noDate = await app.request(PATH, { method: "PUT", token, json: { events: [] } });
    assert.equal(noDate.status, 400);
    assert.equal((await noDate.json()).issues[0].path, "clientUpdatedAt");
    const tooMany = await put(
      app,
      token,
      Array.from({ length: 101 }, (_, i) => content(`m${i}`, "a", "in_progress")),
    );
    assert.equal(tooMany.status, 400);
    const huge = await put(app, token, [
      content("big", "a", "in_progress", undefined, {
        contentVersion: "v1",
        interaction: { interactionId: "i", state: { kind: "note", text: "x".repeat(3000) } },
      }),
    ]);
    assert.equal(huge.status, 400);
    const overLimit = await app.request(PATH, {
      method: "PUT",
      token,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        clientUpdatedAt: "2026-03-02T10:00:00Z",
        events: [],
        pad: "x".repeat(1_100_000),
      }),
    });
    assert.equal(overLimit.status, 413);
    const badCursor = await app.request(`${PATH}?since=nope`, { token });
    assert.equal(badCursor.status, 400);
  });
});

Deno.test("auth: 401 without credentials, 403 without the scope, 403 for a cookie write from another origin", async () => {
  await withTestApp(async (app) => {
    assert.equal((await app.request(PATH)).status, 401);
    assert.equal((await put(app, "", [])).status, 401);
    const reader = await app.student("reader", ["progress:read"]);
    assert.equal((await put(app, reader.token, [])).status, 403);
    assert.equal((await app.request(PATH, { token: reader.token })).status, 200);
    const writer = await app.student("writer", ["events:write"]);
    assert.equal((await app.request(PATH, { token: writer.token })).status, 403);
    assert.equal((await put(app, writer.token, [content("w1", "a", "completed")])).status, 200);

    const secret = await createSession(app.kv, writer.userId);
    const cookie = `ps_session=${secret}`;
    const body = JSON.stringify({
      clientUpdatedAt: "2026-03-02T10:00:00Z",
      events: [content("w2", "a", "completed")],
    });
    const headers = { cookie, "content-type": "application/json" };
    const foreign = await app.request(PATH, {
      method: "PUT",
      body,
      headers: { ...headers, origin: "http://evil.example" },
    });
    assert.equal(foreign.status, 403);
    const same = await app.request(PATH, {
      method: "PUT",
      body,
      headers: { ...headers, origin: "http://localhost" },
    });
    assert.equal(same.status, 200);
    const read = await app.request(PATH, { headers: { cookie } });
    assert.equal((await read.json()).data.events.length, 2);
    // Another student sees none of it.
    assert.deepEqual((await get(app, reader.token)).data.events, []);
  });
});

Deno.test("content.progressed joins the shared log as an activity_progressed browser event and reaches the projections", async () => {
  await withTestApp(async (app) => {
    const { token, userId } = await app.student();
    await putActivity(app.kv, "html-quiz", { title: "HTML quiz", activityType: "quiz" });
    const quiz = content("q1", "html-quiz", "passed", "2026-03-02T10:00:00.000+01:00", {
      score: 90,
      interaction: {
        interactionId: "html-quiz:q1",
        state: { kind: "quiz", selectedOptionId: "b" },
      },
    });
    const video = content("v1", "unknown-video", "in_progress", "2026-03-02T10:01:00.000Z", {
      interaction: {
        interactionId: "unknown-video:playback",
        state: {
          kind: "video",
          percent: 40,
          positionSeconds: 24,
          durationSeconds: 60,
          watchedSeconds: 30,
        },
      },
    });
    const opened = content("n1", "flexbox-practice", "not_started", "2026-03-02T10:02:00.000Z");
    assert.equal((await put(app, token, [quiz, video, opened])).status, 200);
    await app.processor.idle();
    const log = await sharedLog(app, token);
    assert.deepEqual(log.map((e) => e.id), ["q1", "v1", "n1"]);
    const [q, v, n] = log as [StoredEvent, StoredEvent, StoredEvent];
    assert.equal(q.eventType, "activity_progressed");
    assert.equal(q.sourceSystem, "browser");
    assert.equal(q.timestamp, "2026-03-02T09:00:00.000Z");
    assert.deepEqual(q.eventData, {
      activityId: "html-quiz",
      activityType: "quiz",
      completionStatus: "completed",
      score: 90,
    });
    assert.deepEqual(q.clientEvent, quiz);
    assert.deepEqual(v.eventData, {
      activityId: "unknown-video",
      activityType: "video",
      completionStatus: "in_progress",
      videoProgress: { videoId: "unknown-video", percentageWatched: 40, timeWatched: 24 },
      timeSpent: 0.5,
    });
    assert.equal(n.eventData.completionStatus, "started");
    assert.equal(n.eventData.activityType, "practice");

    const state = (await app.kv.get<ActivityState>(activityStateKey(userId, "html-quiz"))).value!;
    assert.equal(state.status, "completed");
    assert.equal(state.bestScore, 90);
    assert.deepEqual(state.sourceSystems, ["browser"]);
    const summary = await (await app.request("/api/progress-sync/summary", { token })).json();
    assert.equal(summary.overallProgress.completedActivities, 1);
  });
});

Deno.test("onboarding and active-path events are stored and returned, but stay out of the shared log", async () => {
  await withTestApp(async (app) => {
    const { token } = await app.student();
    const events = [
      {
        eventId: "o1",
        occurredAt: "2026-03-02T10:00:00Z",
        clientId: "c",
        type: "onboarding.completed",
        payload: { pathId: "p" },
      },
      {
        eventId: "o2",
        occurredAt: "2026-03-02T10:01:00Z",
        clientId: "c",
        type: "activePath.set",
        payload: { pathId: null },
      },
      {
        eventId: "o3",
        occurredAt: "2026-03-02T10:02:00Z",
        clientId: "c",
        type: "onboarding.reset",
      },
    ];
    assert.equal((await put(app, token, events)).status, 200);
    const { data } = await get(app, token);
    assert.deepEqual(data.events, events);
    assert.equal(data.snapshot.onboarding.completed, false);
    assert.deepEqual(await sharedLog(app, token), []);
  });
});

Deno.test("progress.reset appends one progress_reset per worked-on activity, idempotently, and resets the projections", async () => {
  await withTestApp(async (app) => {
    const { token, userId } = await app.student();
    // Another system's event counts too.
    const posted = await app.request("/api/progress-sync/events", {
      method: "POST",
      token,
      json: {
        id: "vp-1",
        eventType: "video_completed",
        sourceSystem: "video_player",
        eventData: {
          activityId: "css-layout",
          activityType: "video",
          completionStatus: "completed",
        },
        timestamp: "2026-03-02T08:00:00Z",
      },
    });
    assert.equal(posted.status, 202);
    await put(app, token, [content("c1", "html-basics", "completed", "2026-03-02T09:00:00Z")]);
    await app.processor.idle();
    const reset = {
      eventId: "reset-1",
      occurredAt: "2026-03-02T11:00:00Z",
      clientId: "c",
      type: "progress.reset",
    };
    const later = content("c2", "js-intro", "in_progress", "2026-03-02T12:00:00Z");
    assert.equal((await put(app, token, [reset, later])).status, 200);
    await app.processor.idle();
    const resets = (await sharedLog(app, token)).filter((e) => e.eventType === "progress_reset");
    assert.deepEqual(
      resets.map((e) => e.id).sort(),
      [
        await derivedResetId("reset-1", "css-layout"),
        await derivedResetId("reset-1", "html-basics"),
      ]
        .sort(),
    );
    assert.ok(resets.every((e) => e.timestamp === "2026-03-02T11:00:00.000Z"));
    assert.deepEqual(resets[0]!.clientEvent, reset);
    for (const activityId of ["css-layout", "html-basics"]) {
      const state = (await app.kv.get<ActivityState>(activityStateKey(userId, activityId))).value!;
      assert.equal(state.status, "not_started");
    }
    assert.equal(
      (await app.kv.get<ActivityState>(activityStateKey(userId, "js-intro"))).value!.status,
      "in_progress",
    );
    const before = (await sharedLog(app, token)).length;
    assert.equal((await put(app, token, [reset])).status, 200);
    assert.equal((await sharedLog(app, token)).length, before);

    // A completion made offline before the reset, arriving after it, is reset too.
    const late = content("c0", "dom-practice", "completed", "2026-03-02T10:30:00Z");
    assert.equal((await put(app, token, [late])).status, 200);
    await app.processor.idle();
    assert.equal(
      (await app.kv.get<ActivityState>(activityStateKey(userId, "dom-practice"))).value!.status,
      "not_started",
    );
    const { data } = await get(app, token);
    assert.deepEqual(Object.keys(data.snapshot.content), ["js-intro"]);
    assert.equal(data.events.length, 4);
  });
});

Deno.test("GET pages with limit and since: no event skipped or repeated", async () => {
  await withTestApp(async (app) => {
    const { token } = await app.student();
    for (let batch = 0; batch < 3; batch++) {
      await put(
        app,
        token,
        Array.from({ length: 4 }, (_, i) => content(`e${batch}-${i}`, `c${i}`, "in_progress")),
      );
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let guard = 0; guard < 10; guard++) {
      const page = await get(app, token, `?limit=5${cursor ? `&since=${cursor}` : ""}`);
      seen.push(...page.data.events.map((e: { eventId: string }) => e.eventId));
      cursor = page.data.cursor;
      if (!page.data.hasMore) break;
    }
    assert.equal(seen.length, 12);
    assert.equal(new Set(seen).size, 12);
  });
});

Deno.test("a system token reads and writes a named student's learning progress", async () => {
  await withTestApp(async (app) => {
    const { userId } = await app.student();
    const system = await app.adminOwnedToken(["system"]);
    const response = await app.request(`${PATH}?userId=${userId}`, {
      method: "PUT",
      token: system,
      json: { clientUpdatedAt: "2026-03-02T10:00:00Z", events: [content("s1", "a", "completed")] },
    });
    assert.equal(response.status, 200);
    const body = await get(app, system, `?userId=${userId}`);
    assert.equal(body.data.events.length, 1);
    assert.equal((await app.request(PATH, { token: system })).status, 400);
  });
});

Deno.test("an eventId another system already used in the event log is reported, not overwritten", async () => {
  await withTestApp(async (app) => {
    const { token } = await app.student();
    const posted = await app.request("/api/progress-sync/events", {
      method: "POST",
      token,
      json: {
        id: "shared-id",
        eventType: "video_completed",
        sourceSystem: "video_player",
        eventData: { activityId: "v", activityType: "video", completionStatus: "completed" },
        timestamp: "2026-03-02T09:00:00Z",
      },
    });
    assert.equal(posted.status, 202);
    const response = await put(app, token, [content("shared-id", "a", "in_progress")]);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { ok: true });
    assert.equal(response.headers.get("progress-sync-ignored"), "shared-id");
    await app.processor.idle();
    const log = await sharedLog(app, token);
    assert.equal(log.length, 1);
    assert.equal(log[0]!.sourceSystem, "video_player");
  });
});

Deno.test("a scoped progress.reset resets only the lessons it names, on the server and in the snapshot", async () => {
  await withTestApp(async (app) => {
    const { token, userId } = await app.student();
    await put(app, token, [
      content("c1", "path-lesson", "completed", "2026-03-02T09:00:00Z"),
      content("c2", "other-lesson", "completed", "2026-03-02T09:05:00Z"),
    ]);
    await app.processor.idle();
    const reset = {
      eventId: "reset-path",
      occurredAt: "2026-03-02T11:00:00Z",
      clientId: "c",
      type: "progress.reset",
      payload: { contentIds: ["path-lesson"] },
    };
    assert.equal((await put(app, token, [reset])).status, 200);
    // Done offline before the reset, arriving after it: only a named lesson is reset.
    await put(app, token, [
      content("c3", "path-lesson-2", "completed", "2026-03-02T10:00:00Z"),
      content("c4", "other-2", "completed", "2026-03-02T10:00:00Z"),
    ]);
    await app.processor.idle();
    const status = async (id: string) =>
      (await app.kv.get<ActivityState>(activityStateKey(userId, id))).value!.status;
    assert.equal(await status("path-lesson"), "not_started");
    assert.equal(await status("other-lesson"), "completed");
    assert.equal(await status("other-2"), "completed");
    const { data } = await get(app, token);
    assert.deepEqual(Object.keys(data.snapshot.content).sort(), [
      "other-2",
      "other-lesson",
      "path-lesson-2",
    ]);
    const bad = await put(app, token, [{ ...reset, eventId: "r2", payload: { contentIds: [] } }]);
    assert.equal(bad.status, 400);
  });
});
