import assert from "node:assert/strict";
import {
  api,
  assertSameDocument,
  markDocument,
  maybeScreenshot,
  registerViaApi,
  signInViaApi,
  uniqueUsername,
  waitForLive,
  waitForTestIdText,
  withDashboard,
} from "./harness.ts";

const PASSWORD = "correct horse battery";

function event(
  id: string,
  activityId: string,
  options: {
    userId?: string;
    status?: "completed" | "in_progress";
    sourceSystem?: string;
    activityType?: string;
    timeSpent?: number;
  } = {},
) {
  return {
    id,
    ...(options.userId === undefined ? {} : { userId: options.userId }),
    eventType: options.status === "in_progress" ? "activity_progressed" : "video_completed",
    sourceSystem: options.sourceSystem ?? "video_player",
    eventData: {
      activityId,
      activityType: options.activityType ?? "video",
      completionStatus: options.status ?? "completed",
      timeSpent: options.timeSpent ?? 12,
    },
    timestamp: new Date().toISOString(),
  };
}

Deno.test("a student signs up, opens the dashboard and sees an event posted by a script appear live", async () => {
  await withDashboard(async (server, page, errors) => {
    const username = uniqueUsername("student");
    await page.goto("/signup");
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password").fill(PASSWORD);
    await Promise.all([
      page.waitForURL("**/dashboard"),
      page.getByRole("button", { name: "Create account" }).click(),
    ]);
    assert.equal(new URL(page.url()).pathname, "/dashboard");
    assert.match(await page.getByRole("heading", { level: 1 }).textContent() ?? "", /Hi, student_/);
    await waitForLive(page);
    assert.equal(await page.getByTestId("stat-completed").textContent(), "0");
    assert.equal(await page.getByTestId("overall-percent").textContent(), "0%");
    assert.equal(await page.getByTestId("recent-activities").count(), 0);
    await markDocument(page);

    // A script of the student's: sign in from outside the browser and make an API token.
    const { cookie } = await signInViaApi(server, username, PASSWORD);
    const tokenResponse = await api(server, "/api/tokens", {
      cookie,
      json: { name: "e2e script", scopes: ["events:write"] },
    });
    assert.equal(tokenResponse.status, 201);
    const { token } = await tokenResponse.json();

    // The catalog names the activity: the live row and the announcement use its title.
    const catalog = await api(server, "/api/progress-sync/activities/css-grid-basics", {
      method: "PUT",
      token: server.adminToken,
      json: { title: "CSS grid basics", activityType: "video" },
    });
    assert.ok(catalog.ok);
    await catalog.body?.cancel();
    const posted = await api(server, "/api/progress-sync/events", {
      token,
      json: event("e2e-1", "css-grid-basics", { timeSpent: 12 }),
    });
    assert.equal(posted.status, 202);
    assert.deepEqual(await posted.json(), { results: [{ id: "e2e-1", status: "accepted" }] });

    await waitForTestIdText(page, "stat-completed", "1");
    assert.equal(await page.getByTestId("overall-percent").textContent(), "100%");
    assert.equal(
      await page.locator(".ring-wrap").getAttribute("aria-label"),
      "100% complete: 1 of 1 done",
    );
    assert.equal(
      Number(await page.locator(".ring-value").getAttribute("stroke-dashoffset")),
      0,
      "the ring is full",
    );
    assert.equal(await page.getByTestId("stat-time").textContent(), "12 min");
    const item = page.getByTestId("recent-activities").locator('[data-event-id="e2e-1"]');
    assert.equal(await item.locator(".activity-title").textContent(), "CSS grid basics");
    assert.equal(await item.locator(".badge.badge-video_player").textContent(), "video player");
    assert.equal(await item.locator(".status").textContent(), "completed");
    assert.equal(
      await page.getByTestId("announcement").textContent(),
      "CSS grid basics: completed (from video player). Overall 1 of 1 done · 100 %.",
    );
    assert.equal(await page.getByTestId("announcement").getAttribute("aria-live"), "polite");
    assert.match(await page.getByTestId("last-synced").textContent() ?? "", /just now/);
    assert.equal(await page.getByTestId("live-status").getAttribute("data-state"), "open");
    await assertSameDocument(page);
    await maybeScreenshot(page, "dashboard-live-update");
    assert.deepEqual(errors, []);
  });
});

Deno.test("two events that arrive together in one batch both show on the open dashboard", async () => {
  await withDashboard(async (server, page, errors) => {
    const username = uniqueUsername("batch");
    const student = await registerViaApi(server, username, PASSWORD);
    await page.context().addCookies([{
      name: "ps_session",
      value: student.sessionSecret,
      url: server.origin,
      httpOnly: true,
      sameSite: "Lax",
    }]);
    await page.goto("/dashboard");
    await waitForLive(page);
    await markDocument(page);

    // An integrated system: the admin makes a `system` token, which posts for this student.
    const systemResponse = await api(server, "/api/tokens", {
      token: server.adminToken,
      json: { name: "school LMS", scopes: ["system"] },
    });
    assert.equal(systemResponse.status, 201);
    const system = (await systemResponse.json()).token;

    const batch = await api(server, "/api/progress-sync/events", {
      token: system,
      json: {
        events: [
          event("batch-1", "flexbox-quiz", {
            userId: student.userId,
            sourceSystem: "quiz_engine",
            activityType: "quiz",
            timeSpent: 20,
          }),
          event("batch-2", "grid-project", {
            userId: student.userId,
            status: "in_progress",
            sourceSystem: "todo_manager",
            activityType: "project",
            timeSpent: 40,
          }),
        ],
      },
    });
    assert.equal(batch.status, 202);
    assert.deepEqual((await batch.json()).results, [
      { id: "batch-1", status: "accepted" },
      { id: "batch-2", status: "accepted" },
    ]);

    await waitForTestIdText(page, "stat-in-progress", "1");
    await waitForTestIdText(page, "stat-completed", "1");
    assert.equal(await page.getByTestId("overall-percent").textContent(), "50%");
    assert.equal(await page.getByTestId("stat-time").textContent(), "1 h 00 min");
    const recent = page.getByTestId("recent-activities");
    await recent.locator('[data-event-id="batch-2"]').waitFor({ timeout: 5_000 });
    assert.deepEqual(
      await recent.locator("[data-event-id]").evaluateAll((items) =>
        items.map((item) => item.getAttribute("data-event-id"))
      ),
      ["batch-2", "batch-1"],
    );
    assert.equal(
      await recent.locator('[data-event-id="batch-1"] .badge').textContent(),
      "quiz engine",
    );
    assert.equal(
      await recent.locator('[data-event-id="batch-2"] .badge').textContent(),
      "todo manager",
    );

    // The stream keeps going after the batch: one more event, no repeats.
    const third = await api(server, "/api/progress-sync/events", {
      token: system,
      json: event("batch-3", "grid-project", {
        userId: student.userId,
        sourceSystem: "todo_manager",
        activityType: "project",
        timeSpent: 5,
      }),
    });
    assert.equal(third.status, 202);
    await third.body?.cancel();
    await waitForTestIdText(page, "stat-completed", "2");
    assert.equal(await page.getByTestId("stat-in-progress").textContent(), "0");
    assert.equal(await page.getByTestId("overall-percent").textContent(), "100%");
    await recent.locator('[data-event-id="batch-3"]').waitFor({ timeout: 5_000 });
    assert.equal(await recent.locator("[data-event-id]").count(), 3);
    assert.match(
      await page.getByTestId("announcement").textContent() ?? "",
      /^grid-project: completed \(from todo manager\)\. Overall 2 of 2 done · 100 %\.$/,
    );
    await assertSameDocument(page);
    assert.deepEqual(errors, []);
  });
});
