import assert from "node:assert/strict";
import { putActivity, putPath } from "../../../lib/catalog/catalog_store.ts";
import { MAX_PATH_STEPS } from "../../../lib/catalog/catalog_schema.ts";
import { achievementFactsKey, outboxPrefix } from "../../../lib/kv_keys.ts";
import { withTestApp } from "../../../tests/support/test_app.ts";
import { videoCompleted } from "../../../tests/support/event_fixtures.ts";

function completed(id: string, activityId: string, timestamp: string, minutes = 10) {
  return videoCompleted(activityId, { id, timestamp, timeSpent: minutes });
}

Deno.test("the first completion earns an achievement once, reported on its event and listed with filters", async () => {
  await withTestApp(async (app) => {
    const { token } = await app.student();
    const first = await app.request("/api/progress-sync/events?wait=true", {
      method: "POST",
      token,
      json: completed("e1", "v1", "2026-11-01T10:00:00Z"),
    });
    const [result] = (await first.json()).results;
    assert.deepEqual(result.achievements.map((a: { achievementId: string }) => a.achievementId), [
      "first-completion",
    ]);
    const again = await app.request("/api/progress-sync/events?wait=true", {
      method: "POST",
      token,
      json: {
        events: [
          completed("e1", "v1", "2026-11-01T10:00:00Z"),
          completed("e2", "v2", "2026-11-01T11:00:00Z"),
        ],
      },
    });
    const results = (await again.json()).results;
    // A duplicate returns its original result (with the achievement it earned); nothing new is earned.
    assert.deepEqual(results.map((r: { achievements: unknown[] }) => r.achievements.length), [
      1,
      0,
    ]);

    const list = await (await app.request("/api/progress-sync/achievements", { token })).json();
    assert.deepEqual(list.achievements.map((a: { achievementId: string }) => a.achievementId), [
      "first-completion",
    ]);
    assert.equal(list.achievements[0].triggerEventId, "e1");
    assert.equal(list.achievements[0].type, "completion");
    const none = await (await app.request("/api/progress-sync/achievements?type=streak", { token }))
      .json();
    assert.deepEqual(none.achievements, []);
    const before =
      await (await app.request("/api/progress-sync/achievements?endDate=2026-10-31", { token }))
        .json();
    assert.deepEqual(before.achievements, []);
    const bad = await app.request("/api/progress-sync/achievements?type=bogus", { token });
    assert.equal(bad.status, 400);
    await bad.body?.cancel();
  });
});

Deno.test("a student can make an achievement public, and others see it only with includePublic", async () => {
  await withTestApp(async (app) => {
    const alice = await app.student("alice");
    const bob = await app.student("bob");
    await app.request("/api/progress-sync/events?wait=true", {
      method: "POST",
      token: alice.token,
      json: completed("a1", "v1", "2026-11-01T10:00:00Z"),
    });
    const share = await app.request("/api/progress-sync/achievements/first-completion/public", {
      method: "PUT",
      token: alice.token,
      json: { public: true },
    });
    assert.equal(share.status, 200);
    assert.equal((await share.json()).public, true);
    const notEarned = await app.request("/api/progress-sync/achievements/streak-7/public", {
      method: "PUT",
      token: alice.token,
      json: { public: true },
    });
    assert.equal(notEarned.status, 404);
    await notEarned.body?.cancel();
    const bobs = await (await app.request("/api/progress-sync/achievements", { token: bob.token }))
      .json();
    assert.deepEqual(bobs, { achievements: [] });
    const withPublic =
      await (await app.request("/api/progress-sync/achievements?includePublic=true", {
        token: bob.token,
      })).json();
    assert.equal(withPublic.public.length, 1);
    const [shared] = withPublic.public;
    assert.equal(shared.username, "alice");
    assert.match(shared.shareUrl, /\/shared\/[A-Za-z0-9_-]{22}$/);
    assert.equal(shared.achievementId, "first-completion");
    const text = JSON.stringify(withPublic.public);
    assert.ok(!text.includes(alice.userId), "no owner id");
    // Quoted: the share URL's random token may contain the two characters.
    assert.ok(!text.includes('"a1"'), "no id of the owner's events");
  });
});

Deno.test("a three-day streak in the student's time zone earns streak-3, and a late event filling the gap counts", async () => {
  await withTestApp(async (app) => {
    const { token } = await app.student();
    const tz = await app.request("/api/profile", {
      method: "PUT",
      token,
      json: { timeZone: "Asia/Tokyo" },
    });
    assert.equal(tz.status, 200);
    await tz.body?.cancel();
    // 16:00 UTC is 01:00 the next day in Tokyo.
    for (
      const [id, at] of [["d1", "2026-11-01T16:00:00Z"], ["d3", "2026-11-03T16:00:00Z"], [
        "d2",
        "2026-11-02T16:00:00Z",
      ]]
    ) {
      const r = await app.request("/api/progress-sync/events?wait=true", {
        method: "POST",
        token,
        json: completed(id!, `v-${id}`, at!),
      });
      await r.body?.cancel();
    }
    const list = await (await app.request("/api/progress-sync/achievements?type=streak", { token }))
      .json();
    assert.deepEqual(
      list.achievements.map((
        a: { achievementId: string; triggerEventId: string },
      ) => [a.achievementId, a.triggerEventId]),
      [["streak-3", "d3"]],
    );
    const badTz = await app.request("/api/profile", {
      method: "PUT",
      token,
      json: { timeZone: "Mars/Base" },
    });
    assert.equal(badTz.status, 400);
    await badTz.body?.cancel();
  });
});

Deno.test("the summary and live updates carry the current streak up to today", async () => {
  await withTestApp(async (app) => {
    const { token } = await app.student();
    const day = 86_400_000;
    const now = Date.now();
    for (const [id, at] of [["y", now - day], ["t", now]] as const) {
      const r = await app.request("/api/progress-sync/events?wait=true", {
        method: "POST",
        token,
        json: completed(id, `v-${id}`, new Date(at).toISOString()),
      });
      await r.body?.cancel();
    }
    const summary = await (await app.request("/api/progress-sync/summary", { token })).json();
    assert.equal(summary.overallProgress.currentStreak, 2);
  });
});

Deno.test("a student completing 1,200 path steps keeps small facts and completes every path (processing never stalls)", async () => {
  await withTestApp(async (app) => {
    const { userId, token } = await app.student();
    const ids = Array.from(
      { length: 1200 },
      (_, i) => `step-activity-${String(i).padStart(4, "0")}`,
    );
    for (const id of ids) await putActivity(app.kv, id, { title: id, activityType: "video" });
    for (let p = 0; p < ids.length / MAX_PATH_STEPS; p++) {
      const steps = ids.slice(p * MAX_PATH_STEPS, (p + 1) * MAX_PATH_STEPS);
      await putPath(app.kv, `long-path-${p}`, {
        title: `Path ${p}`,
        steps: steps.map((activityId) => ({ stepId: activityId, activityId })),
      });
    }
    for (let b = 0; b < ids.length; b += 100) {
      const response = await app.request("/api/progress-sync/events?wait=true", {
        method: "POST",
        token,
        json: {
          events: ids.slice(b, b + 100).map((id, i) =>
            completed(`done-${b + i}`, id, new Date(Date.UTC(2026, 10, 1, 0, b + i)).toISOString())
          ),
        },
      });
      assert.equal(response.status, 200, await response.clone().text());
    }
    await app.processor.idle();
    const facts = await app.kv.get(achievementFactsKey(userId));
    assert.ok(JSON.stringify(facts.value).length < 30_000, "facts stay far from 64 KiB");
    const pending = await Array.fromAsync(app.kv.list({ prefix: outboxPrefix(userId) }));
    assert.deepEqual(pending, []);
    const awards = await (await app.request("/api/progress-sync/achievements", { token })).json();
    const pathComplete = awards.achievements.find((a: { achievementId: string }) =>
      a.achievementId === "path-complete"
    );
    assert.ok(pathComplete, "the first path completed earns path-complete");
    assert.equal(pathComplete.triggerEventId, `done-${MAX_PATH_STEPS - 1}`);
  });
});
