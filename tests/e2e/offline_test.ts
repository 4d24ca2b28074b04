/**
 * The offline-first learn page end to end, in Chromium: lessons completed offline, two tabs,
 * a guest signing in, and the server going away mid-sync.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import {
  api,
  assertSameDocument,
  launchBrowser,
  markDocument,
  maybeScreenshot,
  registerViaApi,
  type ServerProcess,
  startServer,
  uniqueUsername,
  waitForTestIdText,
} from "./harness.ts";
import { videoCompleted } from "../support/event_fixtures.ts";

const PASSWORD = "correct horse battery";
const PATH_ID = "e2e-path";

/** A three-lesson path: a short video, a one-question quiz, a three-task practice. */
async function seedCatalog(server: ServerProcess): Promise<void> {
  const token = server.adminToken;
  const activities = [
    ["e2e-video", { title: "Intro video", activityType: "video", expectedMinutes: 1 }],
    ["e2e-quiz", { title: "Intro quiz", activityType: "quiz" }],
    ["e2e-task", { title: "Intro task", activityType: "practice" }],
  ] as const;
  for (const [id, body] of activities) {
    const response = await api(server, `/api/progress-sync/activities/${id}`, {
      method: "PUT",
      token,
      json: body,
    });
    assert.ok(response.ok, `catalog activity ${id}: ${response.status}`);
    await response.body?.cancel();
  }
  const path = await api(server, `/api/progress-sync/paths/${PATH_ID}`, {
    method: "PUT",
    token,
    json: {
      title: "E2E path",
      steps: activities.map(([id], i) => ({ stepId: `s${i}`, activityId: id })),
    },
  });
  assert.ok(path.ok, `path: ${path.status}`);
  await path.body?.cancel();
}

interface Session {
  userId: string;
  cookie: string;
  sessionSecret: string;
}

async function signedInContext(
  browser: Browser,
  server: ServerProcess,
  session: Session,
): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: server.origin });
  await context.addCookies([{
    name: "ps_session",
    value: session.sessionSecret,
    url: server.origin,
  }]);
  return context;
}

function watchErrors(page: Page, errors: string[]): void {
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    // A refused fetch while the server is down is expected and logged by Chromium itself.
    if (message.type() === "error" && !/Failed to load resource|ERR_/.test(message.text())) {
      errors.push(`console: ${message.text()}`);
    }
  });
}

/** Opens /learn and waits until the island is hydrated and its first sync is done. */
async function openLearn(page: Page, expectedState = "All changes synced"): Promise<void> {
  await page.goto("/learn");
  await page.locator('[data-island="learn_path"][data-island-hydrated]').waitFor({
    timeout: 10_000,
  });
  await waitForTestIdText(page, "sync-state", expectedState, 15_000);
}

async function stepStatus(page: Page, activityId: string): Promise<string | null> {
  return await page.getByTestId(`step-${activityId}`).getAttribute("data-status");
}

async function waitForStep(page: Page, activityId: string, status: string): Promise<void> {
  await page.locator(`[data-testid="step-${activityId}"][data-status="${status}"]`).waitFor({
    timeout: 10_000,
  });
}

/** Every row of the sync log, as event id and status. */
function syncRows(page: Page): Promise<{ id: string; status: string }[]> {
  return page.getByTestId("event-row").evaluateAll((rows) =>
    rows.map((row) => ({
      id: row.getAttribute("data-event-id") ?? "",
      status: row.getAttribute("data-status") ?? "",
    }))
  );
}

async function waitForRows(page: Page, status: string, atLeast: number): Promise<string[]> {
  const deadline = Date.now() + 20_000;
  let rows: { id: string; status: string }[] = [];
  while (Date.now() < deadline) {
    rows = await syncRows(page);
    if (rows.length >= atLeast && rows.every((r) => r.status === status)) {
      return rows.map((r) => r.id);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Sync log rows did not all become ${status}: ${JSON.stringify(rows)}`);
}

/** The event ids in this browser's local log for `userId` (or the guest's). */
function localEventIds(page: Page, userId: string | null): Promise<string[]> {
  const key = userId === null ? "learning_progress_events" : `learning_progress_events:${userId}`;
  return page.evaluate(
    (k) =>
      (JSON.parse(localStorage.getItem(k) ?? "[]") as { eventId: string }[]).map((e) => e.eventId),
    key,
  );
}

/** The student's browser events in the shared log, by id. */
async function serverBrowserEvents(server: ServerProcess, cookie: string) {
  const response = await api(server, "/api/progress-sync/events?limit=1000", { cookie });
  assert.equal(response.status, 200);
  const { events } = await response.json() as {
    events: { id: string; sourceSystem: string; eventType: string }[];
  };
  return events.filter((e) => e.sourceSystem === "browser");
}

async function completeQuiz(page: Page): Promise<void> {
  await page.getByTestId("step-e2e-quiz").click();
  await page.getByTestId("option-q1-a").check();
  await page.getByTestId("quiz-submit").click();
  await waitForTestIdText(page, "quiz-result", /scored 100%/);
}

async function completeTasks(page: Page, tasks = ["t1", "t2", "t3"]): Promise<void> {
  await page.getByTestId("step-e2e-task").click();
  for (const task of tasks) await page.getByTestId(`task-${task}`).check();
}

async function watchVideo(page: Page): Promise<void> {
  await page.getByTestId("step-e2e-video").click();
  await page.getByTestId("video-speed-4").click();
  await page.getByTestId("video-play").click();
  await waitForTestIdText(page, "lesson-status", /Completed/, 10_000);
}

async function withLearnServer(
  fn: (server: ServerProcess, browser: Browser) => Promise<void>,
  options: { kvPath?: string } = {},
): Promise<void> {
  const server = await startServer(options.kvPath ? { kvPath: options.kvPath } : {});
  let browser: Browser | null = null;
  try {
    await seedCatalog(server);
    browser = await launchBrowser();
    await fn(server, browser);
  } catch (error) {
    throw new Error(
      `${error instanceof Error ? error.message : error}\nServer output:\n${server.output()}`,
      { cause: error },
    );
  } finally {
    await browser?.close();
    await server.stop();
  }
}

Deno.test("a lesson completed offline stays local and shows; back online every event syncs and the server has each once", async () => {
  await withLearnServer(async (server, browser) => {
    const session = await registerViaApi(server, uniqueUsername("offline"), PASSWORD);
    const context = await signedInContext(browser, server, session);
    const page = await context.newPage();
    const errors: string[] = [];
    watchErrors(page, errors);
    await openLearn(page);

    await context.setOffline(true);
    await waitForTestIdText(page, "sync-state", "Offline — saved on this device");
    await completeQuiz(page);
    await completeTasks(page);
    await watchVideo(page);

    // Progress shows at once, from the local log only.
    assert.equal(await stepStatus(page, "e2e-quiz"), "passed");
    assert.equal(await stepStatus(page, "e2e-task"), "completed");
    assert.equal(await stepStatus(page, "e2e-video"), "completed");
    assert.equal(await page.getByTestId("path-done").textContent(), "3 of 3 done");
    const local = await waitForRows(page, "local", 5);
    assert.equal(await page.getByTestId("sync-pending").textContent(), String(local.length));
    assert.deepEqual((await localEventIds(page, session.userId)).sort(), [...local].sort());
    assert.deepEqual(
      await serverBrowserEvents(server, session.cookie),
      [],
      "nothing left the device",
    );
    await maybeScreenshot(page, "offline-local");

    await context.setOffline(false);
    await waitForTestIdText(page, "sync-state", "All changes synced", 15_000);
    const synced = await waitForRows(page, "synced", local.length);
    assert.deepEqual([...synced].sort(), [...local].sort());
    assert.equal(await page.getByTestId("sync-pending").textContent(), "0");
    const stored = await serverBrowserEvents(server, session.cookie);
    assert.deepEqual(stored.map((e) => e.id).sort(), [...local].sort(), "each event exactly once");
    const learning =
      await (await api(server, "/api/v1/learning/progress", { cookie: session.cookie }))
        .json();
    assert.equal(learning.data.events.length, local.length);
    assert.equal(learning.data.snapshot.content["e2e-quiz"].status, "passed");
    await maybeScreenshot(page, "offline-synced");

    // The offline lesson reached the projections like any event: the dashboard shows it.
    await page.goto("/dashboard");
    await waitForTestIdText(page, "stat-completed", "3", 10_000);
    assert.deepEqual(errors, []);
  });
});

Deno.test("two tabs of the same student stay in step without reloading", async () => {
  await withLearnServer(async (server, browser) => {
    const session = await registerViaApi(server, uniqueUsername("tabs"), PASSWORD);
    const context = await signedInContext(browser, server, session);
    const tabA = await context.newPage();
    const tabB = await context.newPage();
    const errors: string[] = [];
    watchErrors(tabA, errors);
    watchErrors(tabB, errors);
    await openLearn(tabA);
    await openLearn(tabB);

    await completeTasks(tabA);
    await waitForStep(tabB, "e2e-task", "completed");
    await completeQuiz(tabB);
    await waitForStep(tabA, "e2e-quiz", "passed");
    assert.equal(await tabA.getByTestId("path-done").textContent(), "2 of 3 done");
    assert.equal(await tabB.getByTestId("path-done").textContent(), "2 of 3 done");

    const idsA = await waitForRows(tabA, "synced", 5);
    const idsB = await waitForRows(tabB, "synced", 5);
    assert.deepEqual([...idsA].sort(), [...idsB].sort());
    const stored = await serverBrowserEvents(server, session.cookie);
    assert.deepEqual(stored.map((e) => e.id).sort(), [...idsA].sort());
    assert.deepEqual(errors, []);
  });
});

Deno.test("a lesson the video player completes shows as done there on the open learn page, live", async () => {
  await withLearnServer(async (server, browser) => {
    const session = await registerViaApi(server, uniqueUsername("elsewhere"), PASSWORD);
    const context = await signedInContext(browser, server, session);
    const page = await context.newPage();
    const errors: string[] = [];
    watchErrors(page, errors);
    await openLearn(page);
    await markDocument(page);
    assert.equal(await page.getByTestId("elsewhere-e2e-video").count(), 0);

    const posted = await api(server, "/api/progress-sync/events", {
      cookie: session.cookie,
      json: videoCompleted("e2e-video"),
    });
    assert.equal(posted.status, 202);
    await posted.body?.cancel();
    await waitForTestIdText(page, "elsewhere-e2e-video", /done in video player/, 10_000);
    // The server's state is the truth: done in the video player shows done here, without a reload.
    await waitForStep(page, "e2e-video", "completed");
    assert.equal(await page.getByTestId("path-done").textContent(), "1 of 3 done");
    await assertSameDocument(page);
    assert.deepEqual(errors, []);
  });
});

Deno.test("a guest's progress is merged into the account on sign-in", async () => {
  await withLearnServer(async (server, browser) => {
    const username = uniqueUsername("guest");
    const response = await api(server, "/api/auth/register", {
      json: { username, password: PASSWORD },
    });
    assert.equal(response.status, 201);
    const { userId } = await response.json();

    const context = await browser.newContext({ baseURL: server.origin });
    const page = await context.newPage();
    const errors: string[] = [];
    watchErrors(page, errors);
    await openLearn(page, "Saved on this device");
    await completeQuiz(page);
    await completeTasks(page, ["t1"]);
    const guestIds = await waitForRows(page, "local", 3);
    assert.deepEqual((await localEventIds(page, null)).sort(), [...guestIds].sort());

    await page.getByTestId("sync-status").getByRole("link", { name: "Sign in" }).click();
    await page.waitForURL("**/signin?next=**");
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password").fill(PASSWORD);
    await Promise.all([
      page.waitForURL("**/learn"),
      page.getByRole("button", { name: "Sign in" }).click(),
    ]);
    await waitForTestIdText(page, "sync-state", "All changes synced", 15_000);
    assert.equal(await stepStatus(page, "e2e-quiz"), "passed", "guest progress visible at once");
    assert.equal(await stepStatus(page, "e2e-task"), "in_progress");
    const synced = await waitForRows(page, "synced", guestIds.length);
    assert.deepEqual([...synced].sort(), [...guestIds].sort());
    assert.deepEqual(await localEventIds(page, null), [], "guest storage cleared after the sync");
    assert.deepEqual((await localEventIds(page, userId)).sort(), [...guestIds].sort());
    const cookies = await context.cookies();
    const cookie = `ps_session=${cookies.find((c) => c.name === "ps_session")!.value}`;
    const stored = await serverBrowserEvents(server, cookie);
    assert.deepEqual(stored.map((e) => e.id).sort(), [...guestIds].sort());
    assert.deepEqual(errors, []);
  });
});

Deno.test("the server stopped and restarted mid-sync: nothing lost, nothing doubled", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "progress_sync_e2e_restart_" });
  const kvPath = join(dataDir, "progress.sqlite");
  let restarted: ServerProcess | null = null;
  try {
    await withLearnServer(async (server, browser) => {
      const session = await registerViaApi(server, uniqueUsername("restart"), PASSWORD);
      const context = await signedInContext(browser, server, session);
      const page = await context.newPage();
      const errors: string[] = [];
      watchErrors(page, errors);
      await openLearn(page);
      await completeTasks(page, ["t1"]);
      await waitForRows(page, "synced", 1);

      // The next PUT reaches the server and is stored, then the server dies before answering.
      let cut = false;
      await page.route("**/api/v1/learning/progress", async (route) => {
        if (cut || route.request().method() !== "PUT") return await route.continue();
        cut = true;
        const response = await route.fetch();
        assert.equal(response.status(), 200);
        await server.stop({ signal: "SIGKILL" });
        await route.abort("connectionreset");
      });
      await watchVideo(page);
      await waitForTestIdText(page, "sync-state", "Sync failed", 15_000);
      assert.ok(cut);

      // More learning while the server is down: kept locally, retried with backoff.
      await completeTasks(page, ["t2", "t3"]);
      await completeQuiz(page);
      await waitForStep(page, "e2e-task", "completed");
      const pending = Number(await page.getByTestId("sync-pending").textContent());
      assert.ok(pending >= 3, `changes wait to be synced (${pending})`);
      await maybeScreenshot(page, "restart-error");

      restarted = await startServer({ port: server.port, kvPath, adminToken: server.adminToken });
      // The client's own backoff may retry first; if it has not yet, the student asks for it.
      const retry = page.getByTestId("sync-retry");
      if (await retry.isVisible()) await retry.click({ timeout: 5_000 }).catch(() => {});
      await waitForTestIdText(page, "sync-state", "All changes synced", 20_000);
      const ids = await waitForRows(page, "synced", pending);
      const stored = await serverBrowserEvents(restarted, session.cookie);
      assert.deepEqual(stored.map((e) => e.id).sort(), [...ids].sort(), "each event once");

      // The video's watch time was stored by the lost request and again by the retry: counted once.
      let summary:
        | { overallProgress: { completedActivities: number; totalTimeSpent: number } }
        | null = null;
      for (let i = 0; i < 100; i++) {
        summary =
          await (await api(restarted, "/api/progress-sync/summary", { cookie: session.cookie }))
            .json();
        if (summary!.overallProgress.completedActivities === 3) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.equal(summary!.overallProgress.completedActivities, 3);
      assert.equal(summary!.overallProgress.totalTimeSpent, 1, "one minute of video, not two");
      assert.deepEqual(errors, []);
    }, { kvPath });
  } finally {
    await (restarted as ServerProcess | null)?.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("a failed quiz is 'not passed yet', a pass is done; the dashboard and /learn count the path alike and Continue opens the next lesson", async () => {
  await withLearnServer(async (server, browser) => {
    const session = await registerViaApi(server, uniqueUsername("truth"), PASSWORD);
    const context = await signedInContext(browser, server, session);
    const page = await context.newPage();
    const errors: string[] = [];
    watchErrors(page, errors);
    await openLearn(page);
    await page.getByTestId("step-e2e-quiz").click();
    await page.getByTestId("option-q1-b").check();
    await page.getByTestId("quiz-submit").click();
    await waitForTestIdText(page, "quiz-result", /scored 0%.*try again/);
    await waitForStep(page, "e2e-quiz", "not_passed");
    await waitForTestIdText(page, "lesson-status", /Not passed yet · best 0%/);
    assert.equal(await page.getByTestId("path-done").textContent(), "0 of 3 done");
    await waitForTestIdText(page, "sync-state", "All changes synced", 15_000);

    await page.getByTestId("option-q1-a").check();
    await page.getByTestId("quiz-submit").click();
    await waitForStep(page, "e2e-quiz", "passed");
    await waitForTestIdText(page, "path-done", "1 of 3 done");
    await waitForTestIdText(page, "sync-state", "All changes synced", 15_000);
    await waitForTestIdText(page, "learn-headline", /Overall 1 of 3 done · 33.3 %/, 10_000);

    const dashboard = await context.newPage();
    await dashboard.goto("/dashboard");
    assert.equal(await dashboard.getByTestId("path-percent").textContent(), "1 of 3 steps · 33.3%");
    assert.match(
      await dashboard.getByTestId("headline").textContent() ?? "",
      /^1 of 3 done · 33.3 %/,
    );
    assert.equal(await dashboard.getByTestId("continue").textContent(), "Continue: Intro video");
    await dashboard.getByTestId("continue").click();
    await dashboard.waitForURL(/\/learn\?path=e2e-path&lesson=e2e-video/);
    await dashboard.locator('[data-testid="lesson"][data-activity-id="e2e-video"]').waitFor({
      timeout: 10_000,
    });
    await maybeScreenshot(dashboard, "continue-opens-lesson");
    assert.deepEqual(errors, []);
  });
});
