import assert from "node:assert/strict";
import { withTestApp } from "../../../tests/support/test_app.ts";

function progressed(
  id: string,
  activityId: string,
  timestamp: string,
  options: { activityType?: string; status?: string } = {},
) {
  return {
    id,
    eventType: "activity_progressed",
    sourceSystem: "browser",
    eventData: {
      activityId,
      activityType: options.activityType ?? "video",
      completionStatus: options.status ?? "completed",
      timeSpent: 5,
    },
    timestamp,
  };
}

const DAY = 86_400_000;

Deno.test("the summary reports streaks per activity type and the freeze that bridged a missed day", async () => {
  await withTestApp(async (app) => {
    const { token } = await app.student();
    const now = Date.now();
    const at = (daysAgo: number) => new Date(now - daysAgo * DAY).toISOString();
    // Videos on 7 days in a row (a freeze earned), a missed day, then 3 more days with quizzes too.
    const events = [10, 9, 8, 7, 6, 5, 4, 2, 1, 0].map((d) =>
      progressed(`v${d}`, `video-${d}`, at(d))
    );
    events.push(
      ...[2, 1, 0].map((d) => progressed(`q${d}`, `quiz-${d}`, at(d), { activityType: "quiz" })),
    );
    const posted = await app.request("/api/progress-sync/events?wait=true", {
      method: "POST",
      token,
      json: { events },
    });
    assert.equal(posted.status, 200);
    await posted.body?.cancel();
    const response = await app.request("/api/progress-sync/summary", { token });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /application\/json/);
    const summary = await response.json();
    const missed = at(3).slice(0, 10);
    assert.equal(summary.overallProgress.currentStreak, 10);
    assert.equal(summary.overallProgress.longestStreak, 10);
    assert.deepEqual(summary.overallProgress.streakFreeze, summary.streaks.freeze);
    assert.deepEqual(summary.streaks.freeze, {
      held: false,
      earnedOn: null,
      usedOn: missed,
      progress: 3,
      target: 7,
    });
    assert.equal(summary.streaks.current, 10);
    assert.deepEqual(summary.streaks.byActivityType.video, { current: 3, longest: 7 });
    assert.deepEqual(summary.streaks.byActivityType.quiz, { current: 3, longest: 3 });
    assert.deepEqual(summary.streaks.byActivityType.project, { current: 0, longest: 0 });

    // A late event that fills the missed day gives the freeze back.
    const late = await app.request("/api/progress-sync/events?wait=true", {
      method: "POST",
      token,
      json: progressed("late", "video-late", at(3)),
    });
    const [lateResult] = (await late.json()).results;
    assert.equal(lateResult.errors.length, 0);
    const after = await (await app.request("/api/progress-sync/summary", { token })).json();
    assert.equal(after.streaks.current, 11);
    assert.equal(after.streaks.freeze.held, true);
    assert.equal(after.streaks.freeze.usedOn, null);
    assert.deepEqual(after.streaks.byActivityType.video, { current: 11, longest: 11 });
  });
});

Deno.test("milestonesReached names the milestones an event reached, once, and is the same on redelivery", async () => {
  await withTestApp(async (app) => {
    const { token } = await app.student();
    const system = await app.adminOwnedToken(["system"]);
    const put = async (path: string, body: unknown) => {
      const r = await app.request(path, { method: "PUT", token: system, json: body });
      assert.equal(r.status, 201, await r.clone().text());
      await r.body?.cancel();
    };
    for (const id of ["p1", "p2", "p3", "p4"]) {
      await put(`/api/progress-sync/activities/${id}`, { title: id, activityType: "practice" });
    }
    await put("/api/progress-sync/paths/web", {
      title: "Web",
      steps: ["p1", "p2", "p3", "p4"].map((a) => ({ stepId: `s-${a}`, activityId: a })),
    });
    const batch = {
      events: [
        progressed("e5", "x1", "2026-11-01T10:05:00Z"),
        progressed("e1", "p1", "2026-11-01T10:01:00Z"),
        progressed("e2", "p2", "2026-11-01T10:02:00Z", { status: "in_progress" }),
        progressed("e3", "p2", "2026-11-01T10:03:00Z"),
        progressed("e4", "p3", "2026-11-01T10:04:00Z"),
        progressed("e6", "x2", "2026-11-01T10:06:00Z"),
      ],
    };
    const post = async () => {
      const r = await app.request("/api/progress-sync/events?wait=true", {
        method: "POST",
        token,
        json: batch,
      });
      assert.equal(r.status, 200);
      const { results } = await r.json();
      return Object.fromEntries(
        results.map((r: { eventId: string; milestonesReached: { id: string }[] }) => [
          r.eventId,
          r.milestonesReached.map((m) => m.id),
        ]),
      );
    };
    const expected = {
      e1: ["path:web:25"],
      e2: [],
      e3: ["path:web:50"],
      e4: ["path:web:75"],
      e5: [],
      e6: ["activities:5"],
    };
    assert.deepEqual(await post(), expected);
    assert.deepEqual(await post(), expected, "a redelivered batch returns the stored results");
    const one = await (await app.request("/api/progress-sync/events/e6", { token })).json();
    assert.equal(one.result.milestonesReached[0].reached, true);
    assert.equal(one.result.milestonesReached[0].reachedAt, "2026-11-01T10:06:00.000Z");
    const last = await app.request("/api/progress-sync/events?wait=true", {
      method: "POST",
      token,
      json: progressed("e7", "p4", "2026-11-01T10:07:00Z"),
    });
    const [result] = (await last.json()).results;
    assert.deepEqual(result.milestonesReached.map((m: { id: string }) => m.id), [
      "path:web:100",
    ]);
  });
});
