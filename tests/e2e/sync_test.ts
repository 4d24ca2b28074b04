import assert from "node:assert/strict";
import {
  api,
  assertSameDocument,
  markDocument,
  maybeScreenshot,
  registerViaApi,
  signInAs,
  uniqueUsername,
  waitForLive,
  withDashboard,
} from "./harness.ts";

const PASSWORD = "correct horse battery";

Deno.test("a script completes a video and the student's todo and calendar entry turn done live", async () => {
  await withDashboard(async (server, page, errors) => {
    const username = uniqueUsername("sync");
    const student = await registerViaApi(server, username, PASSWORD);
    const systemToken = await (await api(server, "/api/tokens", {
      token: server.adminToken,
      json: { name: "integrations", scopes: ["system"] },
    })).json();
    const put = async (path: string, body: unknown) => {
      const response = await api(server, path, {
        method: "PUT",
        token: systemToken.token,
        json: body,
      });
      assert.ok(response.status === 201 || response.status === 200, `${path}: ${response.status}`);
      await response.body?.cancel();
    };
    await put("/api/progress-sync/activities/promises-video", {
      title: "Promises explained",
      activityType: "video",
    });
    await put("/api/progress-sync/activities/promises-quiz", {
      title: "Promises quiz",
      activityType: "quiz",
    });
    await put("/api/progress-sync/paths/async-js", {
      title: "Async JavaScript",
      steps: [
        { stepId: "s1", activityId: "promises-video" },
        { stepId: "s2", activityId: "promises-quiz" },
      ],
    });
    await put("/api/progress-sync/items/todo-promises", {
      userId: student.userId,
      system: "todo_manager",
      kind: "todo",
      title: "Watch the promises video",
      activityIds: ["promises-video"],
    });
    await put("/api/progress-sync/items/cal-promises", {
      userId: student.userId,
      system: "calendar_service",
      kind: "schedule",
      title: "Study block: promises",
      activityIds: ["promises-video"],
      scheduledStart: new Date(Date.now() - 3_600_000).toISOString(),
      scheduledEnd: new Date(Date.now() + 3_600_000).toISOString(),
    });
    // The path shows once the student has progress in it: start the quiz first.
    const started = await api(server, "/api/progress-sync/events?wait=true", {
      token: systemToken.token,
      json: {
        id: "quiz-start",
        userId: student.userId,
        eventType: "activity_progressed",
        sourceSystem: "quiz_engine",
        eventData: {
          activityId: "promises-quiz",
          activityType: "quiz",
          completionStatus: "started",
        },
      },
    });
    assert.equal(started.status, 200);
    await started.body?.cancel();

    await signInAs(page, server, student);
    await page.goto("/dashboard");
    await waitForLive(page);
    await markDocument(page);
    const todo = page.locator('[data-item-id="todo-promises"]');
    const calendar = page.locator('[data-item-id="cal-promises"]');
    assert.equal(await todo.getAttribute("data-status"), "open");
    assert.equal(await calendar.getAttribute("data-status"), "open");

    const posted = await api(server, "/api/progress-sync/events?wait=true", {
      token: systemToken.token,
      json: {
        id: "video-done",
        userId: student.userId,
        eventType: "video_completed",
        sourceSystem: "video_player",
        eventData: {
          activityId: "promises-video",
          activityType: "video",
          completionStatus: "completed",
          timeSpent: 14,
          videoProgress: { videoId: "promises-video", percentageWatched: 100 },
        },
      },
    });
    const [result] = (await posted.json()).results;
    assert.deepEqual(result.syncedSystems, ["ai_journey", "calendar_service", "todo_manager"]);

    await page.locator('[data-item-id="todo-promises"][data-status="completed"]').waitFor({
      timeout: 5_000,
    });
    await page.locator('[data-item-id="cal-promises"][data-status="completed"]').waitFor({
      timeout: 5_000,
    });
    await page.getByText("1 of 2 steps · 50%").waitFor({ timeout: 5_000 });
    assert.match(await calendar.textContent() ?? "", /on time/);
    await assertSameDocument(page);
    await maybeScreenshot(page, "sync-items-done");
    assert.deepEqual(errors, []);
  });
});
