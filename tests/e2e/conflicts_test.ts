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
import { videoCompleted } from "../support/event_fixtures.ts";

const PASSWORD = "correct horse battery";

Deno.test("a conflicting report raises a conflict the student sees live and resolves in the UI", async () => {
  await withDashboard(async (server, page, errors) => {
    const student = await registerViaApi(server, uniqueUsername("conflict"), PASSWORD);
    const catalog = await api(server, "/api/progress-sync/activities/async-video", {
      method: "PUT",
      token: server.adminToken,
      json: { title: "Async JavaScript", activityType: "video" },
    });
    assert.equal(catalog.status, 201);
    await catalog.body?.cancel();
    // The student's script: a token, and a todo in their todo manager tracking the video.
    const { token } = await (await api(server, "/api/tokens", {
      cookie: student.cookie,
      json: { name: "my tools", scopes: ["events:write", "progress:read"] },
    })).json();
    const item = await api(server, "/api/progress-sync/items/todo-async", {
      method: "PUT",
      token,
      json: {
        userId: student.userId,
        system: "todo_manager",
        kind: "todo",
        title: "Watch the async video",
        activityIds: ["async-video"],
      },
    });
    assert.equal(item.status, 201);
    await item.body?.cancel();

    await signInAs(page, server, student);
    await page.goto("/dashboard");
    await waitForLive(page);
    await markDocument(page);
    assert.equal(await page.locator('[data-testid="conflict-notice"] .notice').count(), 0);

    // Two reports that disagree: the video player says 30% watched, then the todo is ticked off.
    const now = Date.now();
    const posted = await api(server, "/api/progress-sync/events?wait=true", {
      token,
      json: {
        events: [
          {
            id: "watch-30",
            eventType: "activity_progressed",
            sourceSystem: "video_player",
            eventData: {
              activityId: "async-video",
              activityType: "video",
              completionStatus: "in_progress",
              timeSpent: 6,
              videoProgress: { videoId: "async-video", percentageWatched: 30 },
            },
            timestamp: new Date(now - 120_000).toISOString(),
          },
          {
            id: "todo-ticked",
            eventType: "todo_completed",
            sourceSystem: "todo_manager",
            eventData: {
              activityType: "video",
              completionStatus: "completed",
              todoProgress: { todoId: "todo-async" },
            },
            timestamp: new Date(now - 60_000).toISOString(),
          },
        ],
      },
    });
    assert.equal(posted.status, 200);
    const [, ticked] = (await posted.json()).results;
    assert.equal(ticked.conflicts.length, 1);
    const conflictId: string = ticked.conflicts[0].id;
    assert.equal(ticked.conflicts[0].conflictType, "data_inconsistency");

    // The dashboard hears about it live, without a reload.
    const notice = page.locator('[data-testid="conflict-notice"] .notice');
    await notice.waitFor({ timeout: 5_000 });
    assert.match(await notice.textContent() ?? "", /1 conflict needs your decision/);
    assert.match(
      await notice.textContent() ?? "",
      /video player and todo manager disagree about Async JavaScript/,
    );
    await page.locator('[data-item-id="todo-async"][data-status="completed"]').waitFor({
      timeout: 5_000,
    });
    await assertSameDocument(page);
    await maybeScreenshot(page, "conflict-notice");

    await Promise.all([
      page.waitForURL("**/conflicts"),
      page.getByTestId("conflict-notice-link").click(),
    ]);
    const card = page.locator(`[data-conflict-id="${conflictId}"]`);
    await card.waitFor();
    assert.match(await card.textContent() ?? "", /Async JavaScript/);
    const sides = card.getByTestId("conflict-side");
    assert.equal(await sides.count(), 2);
    const video = card.locator('[data-event-id="watch-30"]');
    const todo = card.locator('[data-event-id="todo-ticked"]');
    assert.equal(await video.getByTestId("side-status").textContent(), "in progress");
    assert.equal(await video.getByTestId("side-progress").textContent(), "30%");
    assert.equal(await todo.getByTestId("side-status").textContent(), "completed");
    assert.match(await page.locator(".nav-badge").textContent() ?? "", /^1/);
    await maybeScreenshot(page, "conflicts-page");

    // The student trusts the video player: the todo was ticked too early.
    await Promise.all([
      page.waitForURL(`**/conflicts?resolved=${conflictId}`),
      video.getByRole("button", { name: "Use video player's report" }).click(),
    ]);
    const outcome = page.getByTestId("resolution-result");
    await outcome.waitFor();
    assert.match(await outcome.textContent() ?? "", /Chose video player's report: in progress/);
    await page.getByTestId("no-conflicts").waitFor();
    assert.equal(await page.locator(".nav-badge").count(), 0);
    assert.match(
      await page.getByTestId("resolved-conflicts").textContent() ?? "",
      /By you: Chose video player's report/,
    );
    await maybeScreenshot(page, "conflict-resolved");

    // The derived state follows the decision: the video is 30% watched and the todo is open again.
    const items = await (await api(server, "/api/progress-sync/items", { token })).json();
    const todoState = items.items.find((i: { itemId: string }) => i.itemId === "todo-async").state;
    assert.equal(todoState.status, "in_progress");
    assert.equal(todoState.completedAt, null);
    const summary = await (await api(server, "/api/progress-sync/summary", { token })).json();
    assert.equal(summary.overallProgress.completedActivities, 0);
    assert.equal(summary.openConflicts, 0);
    const log = await (await api(server, "/api/progress-sync/events", { token })).json();
    const resolution = log.events.at(-1);
    assert.equal(resolution.id, `todo-ticked@${conflictId}`);
    assert.equal(resolution.eventType, "conflict_resolved");
    assert.equal(resolution.eventData.resolution.status, "in_progress");

    await page.goto("/dashboard");
    await waitForLive(page);
    assert.equal(await page.locator('[data-testid="conflict-notice"] .notice').count(), 0);
    assert.equal(
      await page.locator('[data-item-id="todo-async"]').getAttribute("data-status"),
      "in_progress",
    );
    assert.deepEqual(errors, []);
  });
});

Deno.test("a system repeating a report is merged quietly: kept in the records, not listed for the student", async () => {
  await withDashboard(async (server, page, errors) => {
    const student = await registerViaApi(server, uniqueUsername("repeat"), PASSWORD);
    const { token } = await (await api(server, "/api/tokens", {
      cookie: student.cookie,
      json: { name: "player", scopes: ["events:write", "progress:read"] },
    })).json();
    const timestamp = new Date(Date.now() - 60_000).toISOString();
    for (const id of ["repeat-1", "repeat-2"]) {
      const posted = await api(server, "/api/progress-sync/events?wait=true", {
        token,
        json: videoCompleted("repeat-video", { id, timestamp, timeSpent: 5 }),
      });
      assert.equal(posted.status, 200);
      await posted.body?.cancel();
    }
    const recorded = await (await api(server, "/api/progress-sync/conflicts?status=all", {
      token,
    })).json();
    assert.equal(recorded.conflicts.length, 1, "the merge is on record");
    assert.equal(recorded.conflicts[0].conflictType, "duplicate_event");
    assert.equal(recorded.conflicts[0].resolution.resolvedBy, "auto");

    await signInAs(page, server, student);
    await page.goto("/conflicts");
    assert.equal(await page.getByTestId("resolved-conflicts").count(), 0, "no row for it");
    assert.match(
      await page.getByTestId("merged-count").textContent() ?? "",
      /1 repeated report was merged on their own/,
    );
    assert.equal(await page.getByTestId("no-history").textContent(), "Nothing here needed you.");
    assert.deepEqual(errors, []);
  });
});
