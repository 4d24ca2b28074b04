import assert from "node:assert/strict";
import type { ProgressConflict } from "../lib/core/conflict.ts";
import { type TestApp, withTestApp } from "../tests/support/test_app.ts";

const ORIGIN = "http://localhost";

async function signUp(app: TestApp, username: string): Promise<string> {
  const response = await app.request("/signup", {
    method: "POST",
    headers: { origin: ORIGIN, accept: "text/html" },
    body: new URLSearchParams({ username, password: "correct horse battery" }),
    redirect: "manual",
  });
  assert.equal(response.status, 303);
  return (response.headers.get("set-cookie") ?? "").split(";")[0]!;
}

function page(app: TestApp, path: string, cookie: string): Promise<Response> {
  return app.request(path, { headers: { cookie, accept: "text/html" }, redirect: "manual" });
}

function submit(app: TestApp, path: string, cookie: string, fields: Record<string, string>) {
  return app.request(path, {
    method: "POST",
    headers: { cookie, origin: ORIGIN, accept: "text/html" },
    body: new URLSearchParams(fields),
    redirect: "manual",
  });
}

async function postEvents(app: TestApp, cookie: string, events: unknown[]) {
  const response = await app.request("/api/progress-sync/events?wait=true", {
    method: "POST",
    headers: { cookie, origin: ORIGIN },
    json: { events },
  });
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()).results;
}

const report = (id: string, system: string, status: string, timestamp: string, extra = {}) => ({
  id,
  eventType: "activity_progressed",
  sourceSystem: system,
  eventData: { activityId: "quiz-7", activityType: "quiz", completionStatus: status, ...extra },
  timestamp,
});

Deno.test("the conflicts page shows an open conflict side by side; a form resolves it and shows the outcome", async () => {
  await withTestApp(async (app) => {
    const cookie = await signUp(app, "alice");
    const empty = await page(app, "/conflicts", cookie);
    assert.equal(empty.status, 200);
    assert.match(await empty.text(), /data-testid="no-conflicts"/);

    const [, failed] = await postEvents(app, cookie, [
      report("done", "video_player", "completed", "2024-01-15T10:00:00Z", { timeSpent: 12 }),
      report("failed", "quiz_engine", "failed", "2024-01-15T10:20:00Z", { score: 35 }),
    ]);
    const conflict = failed.conflicts[0] as ProgressConflict;
    assert.equal(conflict.requiresUserInput, true);

    const dashboard = await (await page(app, "/dashboard", cookie)).text();
    assert.match(dashboard, /data-testid="nav-conflicts-count">1/);
    for (const path of ["/learn", "/achievements", "/insights", "/tokens"]) {
      const other = await (await page(app, path, cookie)).text();
      assert.match(other, /data-testid="nav-conflicts-count">1/, `the badge on ${path}`);
    }
    assert.match(dashboard, /1 conflict needs your decision/);

    const html = await (await page(app, "/conflicts", cookie)).text();
    assert.match(html, new RegExp(`data-conflict-id="${conflict.id}"`));
    assert.match(html, /Outcomes disagree/);
    assert.match(html, /high impact/);
    assert.equal([...html.matchAll(/data-testid="conflict-side"/g)].length, 2);
    assert.match(html, /Use video player&#39;s report|Use video player's report/);
    assert.match(html, /Use quiz engine&#39;s report|Use quiz engine's report/);
    assert.match(html, /2024-01-15 10:20 UTC/);
    assert.match(
      html,
      /data-testid="no-history">Nothing resolved yet: the conflicts above wait for your decision\./,
      "with one waiting, the history does not say there are none",
    );
    const confidence = conflict.suggestedResolution.confidence;
    assert.match(
      html,
      confidence >= 0.65 ? /data-testid="suggestion"/ : /data-testid="plain-choice"/,
      "a suggestion only when confident, otherwise a plain choice",
    );
    if (confidence < 0.65) assert.doesNotMatch(html, /Accept the suggestion/);
    assert.match(
      html,
      /aria-current="page"[^>]*>Conflicts|href="\/conflicts"[^>]*aria-current="page"/,
    );

    const crossSite = await app.request(`/conflicts/${conflict.id}/resolve`, {
      method: "POST",
      headers: { cookie, origin: "http://evil.example" },
      body: new URLSearchParams({ resolutionType: "manual_review", eventId: "done" }),
    });
    assert.equal(crossSite.status, 403);

    const resolved = await submit(app, `/conflicts/${conflict.id}/resolve`, cookie, {
      resolutionType: "manual_review",
      eventId: "done",
    });
    assert.equal(resolved.status, 303);
    assert.equal(resolved.headers.get("location"), `/conflicts?resolved=${conflict.id}`);
    const after = await (await page(app, resolved.headers.get("location")!, cookie)).text();
    assert.match(after, /data-testid="resolution-result"/);
    assert.match(
      after,
      /Chose video player&#39;s report: completed|Chose video player's report: completed/,
    );
    assert.match(after, /data-testid="no-conflicts"/);
    assert.match(after, /data-testid="resolved-conflicts"/);
    assert.match(after, /By you/);

    const again = await submit(app, `/conflicts/${conflict.id}/resolve`, cookie, {
      resolutionType: "manual_review",
      eventId: "failed",
    });
    assert.equal(again.status, 409);
    assert.match(await again.text(), /already resolved/);
  });
});

Deno.test("the conflicts page needs a session, and another student's conflict cannot be resolved", async () => {
  await withTestApp(async (app) => {
    const anonymous = await app.request("/conflicts", { redirect: "manual" });
    assert.equal(anonymous.status, 303);
    assert.match(anonymous.headers.get("location") ?? "", /^\/signin\?next=%2Fconflicts/);
    const alice = await signUp(app, "alice");
    const bob = await signUp(app, "bob");
    const [, failed] = await postEvents(app, alice, [
      report("done", "video_player", "completed", "2024-01-15T10:00:00Z"),
      report("failed", "quiz_engine", "failed", "2024-01-15T10:20:00Z"),
    ]);
    const id = failed.conflicts[0].id;
    const steal = await submit(app, `/conflicts/${id}/resolve`, bob, {
      resolutionType: "use_latest",
    });
    assert.equal(steal.status, 404);
    assert.doesNotMatch(await (await page(app, "/conflicts", bob)).text(), new RegExp(id));
  });
});
