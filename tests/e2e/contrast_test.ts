import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { type ContrastIssue, contrastIssues } from "./contrast.ts";
import {
  api,
  launchBrowser,
  registerViaApi,
  scriptToken,
  type ServerProcess,
  signInAs,
  startServer,
  STUDENT_PAGES,
  uniqueUsername,
} from "./harness.ts";
import { videoCompleted } from "../support/event_fixtures.ts";

async function seed(server: ServerProcess) {
  const student = await registerViaApi(server, uniqueUsername("aa"), "correct horse battery");
  const token = await scriptToken(server, student);
  const at = (minutes: number) => new Date(Date.now() - (60 - minutes) * 60_000).toISOString();
  const report = (id: string, system: string, status: string, minutes: number) => ({
    id,
    eventType: "activity_progressed",
    sourceSystem: system,
    eventData: { activityId: "quiz-aa", activityType: "quiz", completionStatus: status },
    timestamp: at(minutes),
  });
  const posted = await api(server, "/api/progress-sync/events?wait=true", {
    token,
    json: {
      events: [
        videoCompleted("video-aa", { timeSpent: 12 }),
        report("aa-pass", "quiz_engine", "completed", 0),
        report("aa-fail", "chat_system", "failed", 20),
      ],
    },
  });
  assert.equal(posted.status, 200);
  await posted.body?.cancel();
  return student;
}

async function checkScheme(
  browser: Browser,
  server: ServerProcess,
  student: { sessionSecret: string },
  colorScheme: "light" | "dark",
): Promise<string[]> {
  const failures: string[] = [];
  const context = await browser.newContext({ baseURL: server.origin, colorScheme });
  try {
    const page = await context.newPage();
    const report = (path: string, issues: ContrastIssue[]) => {
      for (const i of issues) {
        failures.push(
          `${colorScheme} ${path}: "${i.text}" ${i.selector} ${i.ratio}:1 < ${i.required}:1 (${i.color} on ${i.background})`,
        );
      }
    };
    await page.goto("/signin");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator("#username-error").waitFor();
    report("/signin (errors)", await contrastIssues(page));
    await page.goto("/admin");
    await page.fill("#admin-token", server.adminToken);
    await page.click("form[action='/admin/signin'] button[type=submit]");
    await page.getByTestId("systems").waitFor();
    report("/admin", await contrastIssues(page));
    await signInAs(page, server, student);
    for (const path of STUDENT_PAGES) {
      await page.goto(path);
      report(path, await contrastIssues(page));
    }
  } finally {
    await context.close();
  }
  return failures;
}

Deno.test("every page's text meets WCAG AA contrast in the light and the dark scheme", async () => {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const student = await seed(server);
    const failures = [
      ...await checkScheme(browser, server, student, "light"),
      ...await checkScheme(browser, server, student, "dark"),
    ];
    assert.deepEqual(failures, [], `Text below WCAG AA contrast:\n${failures.join("\n")}`);
  } finally {
    await browser.close();
    await server.stop();
  }
});
