import assert from "node:assert/strict";
import { progressEvent, sendSigned } from "../../tests/support/signed_inbound.ts";
import { TEST_ADMIN_TOKEN, type TestApp, withTestApp } from "../../tests/support/test_app.ts";

async function setSecret(app: TestApp, system: string): Promise<string> {
  const response = await app.request(`/api/webhooks/inbound/${system}/secret`, {
    method: "PUT",
    token: TEST_ADMIN_TOKEN,
  });
  assert.equal(response.status, 201);
  const body = await response.json();
  assert.equal(body.system, system);
  assert.match(body.secret, /^whsec_/);
  return body.secret;
}

Deno.test("a signed inbound webhook joins the event log and is processed like a posted event", async () => {
  await withTestApp(async (app) => {
    const { userId } = await app.student();
    const secret = await setSecret(app, "todo_manager");
    const response = await sendSigned(app, "todo_manager", secret, progressEvent(userId), {
      id: "msg_first",
    });
    assert.equal(response.status, 202);
    const { results } = await response.json();
    assert.equal(results[0].status, "accepted");
    await app.processor.idle();
    const system = await app.adminOwnedToken(["system"]);
    const event = await (await app.request(
      `/api/progress-sync/events/${results[0].id}?userId=${userId}`,
      { token: system },
    )).json();
    assert.equal(event.processed, true);
    assert.equal(event.event.sourceSystem, "todo_manager");
    assert.equal(event.event.userId, userId);
  });
});

Deno.test("a replayed webhook-id is acknowledged as a duplicate and stored once", async () => {
  await withTestApp(async (app) => {
    const { userId, token } = await app.student();
    const secret = await setSecret(app, "todo_manager");
    const first = await sendSigned(app, "todo_manager", secret, progressEvent(userId), {
      id: "msg_again",
    });
    assert.equal(first.status, 202);
    const again = await sendSigned(app, "todo_manager", secret, progressEvent(userId), {
      id: "msg_again",
    });
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), { duplicate: true });
    await app.processor.idle();
    const log = await (await app.request("/api/progress-sync/events", { token })).json();
    assert.equal(log.events.length, 1);
  });
});

Deno.test("bad signatures, stale or future timestamps and unknown secrets are refused with 401", async () => {
  await withTestApp(async (app) => {
    const { userId, token } = await app.student();
    const secret = await setSecret(app, "todo_manager");
    const payload = progressEvent(userId);
    const sixMinutes = 6 * 60 * 1000;
    const cases: [string, Promise<Response>, RegExp][] = [
      [
        "tampered",
        sendSigned(app, "todo_manager", secret, payload, { tamper: true }),
        /no matching signature/,
      ],
      [
        "wrong secret",
        sendSigned(app, "todo_manager", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", payload),
        /no matching signature/,
      ],
      [
        "stale",
        sendSigned(app, "todo_manager", secret, payload, { at: new Date(Date.now() - sixMinutes) }),
        /too old/,
      ],
      [
        "future",
        sendSigned(app, "todo_manager", secret, payload, { at: new Date(Date.now() + sixMinutes) }),
        /too new/,
      ],
      [
        "no secret for system",
        sendSigned(app, "calendar_service", secret, payload),
        /no inbound secret/,
      ],
    ];
    for (const [name, pending, message] of cases) {
      const response = await pending;
      assert.equal(response.status, 401, name);
      assert.match((await response.json()).error, message, name);
    }
    const unsigned = await app.request("/api/webhooks/inbound/todo_manager", {
      method: "POST",
      json: payload,
    });
    assert.equal(unsigned.status, 401);
    const log = await (await app.request("/api/progress-sync/events", { token })).json();
    assert.deepEqual(log.events, []);
  });
});

Deno.test("inbound payloads go through the same validation as posted events", async () => {
  await withTestApp(async (app) => {
    const { userId } = await app.student();
    const secret = await setSecret(app, "todo_manager");
    const invalid = await sendSigned(
      app,
      "todo_manager",
      secret,
      progressEvent(userId, {
        eventData: { activityType: "video", completionStatus: "finished" },
      }),
    );
    assert.equal(invalid.status, 400);
    const issues = (await invalid.json()).issues.map((i: { path: string }) => i.path);
    assert.ok(issues.includes("eventData.completionStatus"), issues.join());
    const otherSystem = await sendSigned(
      app,
      "todo_manager",
      secret,
      progressEvent(userId, {
        sourceSystem: "video_player",
      }),
    );
    assert.equal(otherSystem.status, 403);
    const unknownUser = await sendSigned(app, "todo_manager", secret, progressEvent("ghost"));
    assert.equal(unknownUser.status, 400);
    const wrongType = await sendSigned(app, "todo_manager", secret, { type: "hello", data: {} });
    assert.equal(wrongType.status, 400);
    const unknownSystem = await sendSigned(app, "fax_machine", secret, progressEvent(userId));
    assert.equal(unknownSystem.status, 404);
  });
});

Deno.test("a new inbound secret is shown once; the previous one keeps working during the rotation window", async () => {
  await withTestApp(async (app) => {
    const { userId } = await app.student();
    const first = await setSecret(app, "quiz_engine");
    const second = await setSecret(app, "quiz_engine");
    assert.notEqual(first, second);
    for (const [n, secret] of [first, second].entries()) {
      const response = await sendSigned(
        app,
        "quiz_engine",
        secret,
        progressEvent(userId, {
          id: `quiz-${n}`,
        }),
      );
      assert.equal(response.status, 202);
    }
    const listed = await (await app.request("/api/webhooks/inbound", {
      token: TEST_ADMIN_TOKEN,
    })).text();
    assert.ok(listed.includes("quiz_engine"));
    assert.ok(!listed.includes("whsec_"));
  });
});

Deno.test("a webhook-id longer than 256 characters is a 400, not a KV error", async () => {
  await withTestApp(async (app) => {
    const { userId } = await app.student();
    const secret = await setSecret(app, "todo_manager");
    const response = await sendSigned(app, "todo_manager", secret, progressEvent(userId), {
      id: "x".repeat(5000),
    });
    assert.equal(response.status, 400);
    assert.match((await response.json()).error, /webhook-id must be at most 256 characters/);
  });
});

Deno.test("refused inbound webhooks are counted with rate-limited writes and leave the system healthy", async () => {
  await withTestApp(async (app) => {
    await setSecret(app, "todo_manager");
    for (let i = 0; i < 20; i++) {
      const refused = await app.request("/api/webhooks/inbound/todo_manager", {
        method: "POST",
        headers: { "webhook-id": `msg_${i}`, "content-type": "application/json" },
        body: "{}",
      });
      assert.equal(refused.status, 401);
      await refused.body?.cancel();
    }
    const health = await (await app.request("/api/progress-sync/health", {
      token: TEST_ADMIN_TOKEN,
    })).json();
    const todo = health.systems.find((s: { system: string }) => s.system === "todo_manager");
    assert.equal(todo.status, "healthy");
    assert.ok(todo.inbound.rejected >= 1 && todo.inbound.rejected < 20, todo.inbound.rejected);
    assert.equal(health.alerts.some((a: { code: string }) => a.code.startsWith("system_")), false);
  });
});

Deno.test("a signed inbound schedule_completed counts toward every activity its calendar entry tracks", async () => {
  await withTestApp(async (app) => {
    const { userId, token } = await app.student();
    const system = await app.adminOwnedToken(["system"]);
    for (const [id, activityType] of [["lesson-a", "video"], ["lesson-b", "quiz"]]) {
      const put = await app.request(`/api/progress-sync/activities/${id}`, {
        method: "PUT",
        token: system,
        json: { title: `Lesson ${id}`, activityType },
      });
      assert.equal(put.status, 201);
    }
    const item = await app.request("/api/progress-sync/items/cal-two", {
      method: "PUT",
      token: system,
      json: {
        userId,
        system: "calendar_service",
        kind: "schedule",
        title: "Study block",
        activityIds: ["lesson-a", "lesson-b"],
      },
    });
    assert.equal(item.status, 201);
    const secret = await setSecret(app, "calendar_service");
    const response = await sendSigned(app, "calendar_service", secret, {
      type: "progress_event",
      data: {
        userId,
        eventType: "schedule_completed",
        eventData: {
          activityType: "practice",
          completionStatus: "completed",
          scheduleProgress: { scheduleId: "cal-two" },
        },
      },
    });
    assert.equal(response.status, 202);
    await app.processor.idle();
    const summary = await (await app.request("/api/progress-sync/summary", { token })).json();
    assert.equal(summary.overallProgress.completedActivities, 2);
    const states = await (await app.request("/api/progress-sync/events", { token })).json();
    assert.deepEqual(states.events[0].activityIds, ["lesson-a", "lesson-b"]);
  });
});
