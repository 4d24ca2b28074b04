import assert from "node:assert/strict";
import { withTestApp } from "../tests/support/test_app.ts";

async function signUp(app: Parameters<Parameters<typeof withTestApp>[0]>[0]) {
  const response = await app.request("/signup", {
    method: "POST",
    headers: { accept: "text/html", origin: "http://localhost" },
    body: new URLSearchParams([["username", "ivy"], ["password", "correct horse battery"]]),
    redirect: "manual",
  });
  assert.equal(response.status, 303);
  return (response.headers.get("set-cookie") ?? "").split(";")[0]!;
}

function page(
  app: Parameters<Parameters<typeof withTestApp>[0]>[0],
  path: string,
  cookie?: string,
) {
  return app.request(path, {
    headers: { accept: "text/html", ...(cookie ? { cookie } : {}) },
    redirect: "manual",
  });
}

Deno.test("the insights page needs a session, refuses bad ranges and draws accessible charts", async () => {
  await withTestApp(async (app) => {
    const anonymous = await page(app, "/insights");
    assert.equal(anonymous.status, 303);
    assert.equal(anonymous.headers.get("location"), "/signin?next=%2Finsights");

    const cookie = await signUp(app);
    const empty = await (await page(app, "/insights", cookie)).text();
    assert.match(empty, /data-testid="insights-empty"/);
    assert.match(empty, /aria-current="page">Insights</);

    const posted = await app.request("/api/progress-sync/events?wait=true", {
      method: "POST",
      headers: { cookie, origin: "http://localhost" },
      json: {
        eventType: "video_completed",
        sourceSystem: "video_player",
        eventData: {
          activityId: "intro",
          activityType: "video",
          completionStatus: "completed",
          timeSpent: 20,
        },
        timestamp: "2026-03-10T18:30:00Z",
      },
    });
    assert.equal(posted.status, 200);
    await posted.body?.cancel();

    const html = await (await page(app, "/insights?from=2026-03-01&to=2026-03-31", cookie)).text();
    assert.match(html, /Sun, 1 Mar 2026 – Tue, 31 Mar 2026 · 31 days/);
    assert.match(html, /data-testid="insight-total">20 min</);
    // Every chart is an image with a title and a description, and has a data table.
    const charts = [
      ...html.matchAll(/<svg[^>]*role="img"[^>]*aria-labelledby="([^" ]+) ([^"]+)"/g),
    ];
    assert.ok(charts.length >= 6, `${charts.length} charts`);
    for (const [, title, desc] of charts) {
      assert.match(html, new RegExp(`<title id="${title}">[^<]+</title>`));
      assert.match(html, new RegExp(`<desc id="${desc}">[^<]+</desc>`));
    }
    assert.match(
      html,
      /<desc id="chart-daily-desc">20 min in total per day; the most on Tue, 10 Mar 2026/,
    );
    assert.match(html, /data-testid="chart-daily-table"/);

    const tooLong = await page(app, "/insights?from=2024-01-01&to=2026-01-01", cookie);
    assert.equal(tooLong.status, 400);
    assert.match(await tooLong.text(), /at most 366/);
    const malformed = await page(app, "/insights?from=march", cookie);
    assert.equal(malformed.status, 400);
    assert.match(await malformed.text(), /Dates must look like/);
  });
});
