import assert from "node:assert/strict";
import { derivedViewKey } from "../../../lib/kv_keys.ts";
import { type TestApp, withTestApp } from "../../../tests/support/test_app.ts";

interface View {
  learningPaths: { pathId: string; completedSteps: number; totalSteps: number }[];
  upcomingActivities: { itemId: string }[];
  skillProgress: Record<string, unknown>;
  overallProgress: { completedActivities: number };
}

async function summaryOf(app: TestApp, token: string): Promise<View> {
  const response = await app.request("/api/progress-sync/summary", { token });
  assert.equal(response.status, 200);
  return await response.json();
}

async function put(app: TestApp, token: string, path: string, body: unknown) {
  const response = await app.request(path, { method: "PUT", token, json: body });
  assert.ok(response.ok, `${path}: ${response.status} ${await response.clone().text()}`);
}

Deno.test("the summary's derived parts are reused until progress, items or the catalog change", async () => {
  await withTestApp(async (app) => {
    const { userId, token } = await app.student();
    const system = await app.adminOwnedToken(["system"]);
    await put(app, system, "/api/progress-sync/activities/a1", {
      title: "Intro",
      activityType: "video",
      skills: ["js"],
    });
    await put(app, system, "/api/progress-sync/activities/a2", {
      title: "Quiz",
      activityType: "quiz",
    });
    await put(app, system, "/api/progress-sync/paths/p1", {
      title: "Path",
      steps: [{ stepId: "s1", activityId: "a1" }],
    });
    const posted = await app.request("/api/progress-sync/events?wait=true", {
      method: "POST",
      token,
      json: {
        eventType: "video_completed",
        sourceSystem: "video_player",
        eventData: { activityId: "a1", activityType: "video", completionStatus: "completed" },
        timestamp: "2026-11-01T10:00:00Z",
      },
    });
    assert.equal(posted.status, 200);

    const first = await summaryOf(app, token);
    assert.deepEqual(
      first.learningPaths.map((p) => [p.pathId, p.completedSteps, p.totalSteps]),
      [["p1", 1, 1]],
    );
    assert.deepEqual(Object.keys(first.skillProgress), ["js"]);
    const stored = await app.kv.get(derivedViewKey(userId));
    assert.ok(stored.value, "the derived parts are stored for the next read");
    assert.deepEqual(await summaryOf(app, token), first, "a second read reuses them unchanged");

    // A catalog change (a new step, a new skill) shows without any new event.
    await put(app, system, "/api/progress-sync/paths/p1", {
      title: "Path",
      steps: [{ stepId: "s1", activityId: "a1" }, { stepId: "s2", activityId: "a2" }],
    });
    await put(app, system, "/api/progress-sync/activities/a1", {
      title: "Intro",
      activityType: "video",
      skills: ["js", "async"],
    });
    const afterCatalog = await summaryOf(app, token);
    assert.deepEqual(afterCatalog.learningPaths.map((p) => p.totalSteps), [2]);
    assert.deepEqual(Object.keys(afterCatalog.skillProgress).sort(), ["async", "js"]);

    // A new item of the student is upcoming at once, and gone once deleted.
    await put(app, system, "/api/progress-sync/items/todo-1", {
      userId,
      system: "todo_manager",
      kind: "todo",
      title: "Take the quiz",
      activityIds: ["a2"],
    });
    assert.deepEqual((await summaryOf(app, token)).upcomingActivities.map((i) => i.itemId), [
      "todo-1",
    ]);
    const deleted = await app.request("/api/progress-sync/items/todo-1", {
      method: "DELETE",
      token: system,
    });
    assert.ok(deleted.ok);
    assert.deepEqual((await summaryOf(app, token)).upcomingActivities, []);

    // Processing a new event changes the summary, and with it the derived parts.
    const quiz = await app.request("/api/progress-sync/events?wait=true", {
      method: "POST",
      token,
      json: {
        eventType: "activity_progressed",
        sourceSystem: "quiz_engine",
        eventData: { activityId: "a2", activityType: "quiz", completionStatus: "completed" },
        timestamp: "2026-11-01T11:00:00Z",
      },
    });
    assert.equal(quiz.status, 200);
    const afterEvent = await summaryOf(app, token);
    assert.equal(afterEvent.overallProgress.completedActivities, 2);
    assert.deepEqual(afterEvent.learningPaths.map((p) => p.completedSteps), [2]);

    // Deleting catalog entries shows too: the path goes, and so do the activity's skills.
    for (const path of ["/api/progress-sync/paths/p1", "/api/progress-sync/activities/a1"]) {
      const deleted = await app.request(path, { method: "DELETE", token: system });
      assert.ok(deleted.ok, `${path}: ${deleted.status}`);
      await deleted.body?.cancel();
    }
    const afterDelete = await summaryOf(app, token);
    assert.deepEqual(afterDelete.learningPaths, []);
    assert.deepEqual(Object.keys(afterDelete.skillProgress), []);
  });
});
