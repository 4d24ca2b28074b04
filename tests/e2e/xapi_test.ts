import assert from "node:assert/strict";
import {
  api,
  assertSameDocument,
  markDocument,
  maybeScreenshot,
  registerViaApi,
  scriptToken,
  signInAs,
  uniqueUsername,
  waitForLive,
  waitForTestIdText,
  withDashboard,
} from "./harness.ts";

Deno.test("an xAPI statement about a student completing a catalog activity shows on their open dashboard live", async () => {
  await withDashboard(async (server, page, errors) => {
    const username = uniqueUsername("lrs");
    const student = await registerViaApi(server, username, "correct horse battery");
    const catalog = await api(server, "/api/progress-sync/activities/css-grid-basics", {
      method: "PUT",
      token: server.adminToken,
      json: { title: "CSS grid basics", activityType: "video", expectedMinutes: 15 },
    });
    assert.equal(catalog.status, 201);
    await signInAs(page, server, student);
    await page.goto("/dashboard");
    await waitForLive(page);
    assert.equal(await page.getByTestId("stat-completed").textContent(), "0");
    await markDocument(page);

    // A learning tool (say an H5P video) reports to the LRS with the student's token over Basic.
    const token = await scriptToken(server, student);
    const statementId = crypto.randomUUID();
    const response = await fetch(`${server.origin}/xapi/statements`, {
      method: "POST",
      headers: {
        authorization: `Basic ${btoa(`h5p:${token}`)}`,
        "content-type": "application/json",
        "x-experience-api-version": "1.0.3",
      },
      body: JSON.stringify({
        id: statementId,
        actor: {
          objectType: "Agent",
          account: { homePage: "https://h5p.example.org", name: username },
        },
        verb: { id: "http://adlnet.gov/expapi/verbs/completed", display: { "en-US": "completed" } },
        object: { objectType: "Activity", id: `${server.origin}/activities/css-grid-basics` },
        result: { completion: true, duration: "PT14M" },
      }),
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), [statementId]);

    await waitForTestIdText(page, "stat-completed", "1");
    const item = page.getByTestId("recent-activities").locator(`[data-event-id="${statementId}"]`);
    assert.equal(await item.locator(".status").textContent(), "completed");
    assert.equal(await item.locator(".badge.badge-xapi").textContent(), "xapi");
    assert.equal(await page.getByTestId("stat-time").textContent(), "14 min");
    await assertSameDocument(page);
    await maybeScreenshot(page, "dashboard-xapi-statement");
    assert.deepEqual(errors, []);
  });
});
