import assert from "node:assert/strict";
import { createSession } from "../lib/auth/account_store.ts";
import { putActivity, putPath } from "../lib/catalog/catalog_store.ts";
import { withTestApp } from "../tests/support/test_app.ts";

async function seedPath(kv: Deno.Kv): Promise<void> {
  await putActivity(kv, "intro-video", {
    title: "Intro video",
    activityType: "video",
    expectedMinutes: 5,
  });
  await putActivity(kv, "intro-quiz", { title: "Intro quiz", activityType: "quiz" });
  await putActivity(kv, "intro-task", { title: "Intro task", activityType: "practice" });
  await putPath(kv, "intro", {
    title: "Intro path",
    steps: [
      { stepId: "s1", activityId: "intro-video" },
      { stepId: "s2", activityId: "intro-quiz" },
      { stepId: "s3", activityId: "intro-task" },
    ],
  });
}

Deno.test("/learn renders a path's lessons for a guest, with the learn island and a sign-in hint", async () => {
  await withTestApp(async (app) => {
    await seedPath(app.kv);
    const response = await app.request("/learn");
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /text\/html/);
    const html = await response.text();
    assert.match(html, /<title>Learn · Progress Sync<\/title>/);
    assert.match(html, /data-island="learn_path"/);
    assert.match(html, /href="\/learn" aria-current="page">Learn</);
    assert.match(html, /Intro path/);
    for (const id of ["intro-video", "intro-quiz", "intro-task"]) {
      assert.match(html, new RegExp(`data-testid="step-${id}"`));
    }
    assert.match(html, /Saved on this device/);
    assert.match(html, /href="\/signin\?next=\/learn"/);
    assert.match(html, /&quot;userId&quot;:null|"userId":null/);
  });
});

Deno.test("/learn shows a signed-in student their server snapshot and their active path", async () => {
  await withTestApp(async (app) => {
    await seedPath(app.kv);
    await putActivity(app.kv, "other", { title: "Other", activityType: "video" });
    await putPath(app.kv, "another", {
      title: "Another path",
      steps: [{ stepId: "s", activityId: "other" }],
    });
    const { userId, token } = await app.student();
    await app.request("/api/v1/learning/progress", {
      method: "PUT",
      token,
      json: {
        clientUpdatedAt: "2026-03-02T10:00:00Z",
        events: [
          {
            eventId: "p1",
            occurredAt: "2026-03-02T10:00:00Z",
            clientId: "c",
            type: "activePath.set",
            payload: { pathId: "intro" },
          },
          {
            eventId: "c1",
            occurredAt: "2026-03-02T10:01:00Z",
            clientId: "c",
            type: "content.progressed",
            payload: { contentId: "intro-task", status: "completed" },
          },
        ],
      },
    });
    const cookie = `ps_session=${await createSession(app.kv, userId)}`;
    const html = await (await app.request("/learn", { headers: { cookie } })).text();
    assert.match(html, /<h2 id="path-heading">Intro path<\/h2>/);
    assert.match(html, /data-testid="step-intro-task" data-status="completed"/);
    assert.match(html, /1 of 3 done/);
    const other = await (await app.request("/learn?path=another", { headers: { cookie } })).text();
    assert.match(other, /<h2 id="path-heading">Another path<\/h2>/);
  });
});

Deno.test("/learn without any path says so", async () => {
  await withTestApp(async (app) => {
    const html = await (await app.request("/learn")).text();
    assert.match(html, /No learning paths yet/);
  });
});

Deno.test("/learn notes lessons another system reports done", async () => {
  await withTestApp(async (app) => {
    await seedPath(app.kv);
    const { userId, token } = await app.student();
    const posted = await app.request("/api/progress-sync/events", {
      method: "POST",
      token,
      json: {
        id: "vp-1",
        eventType: "video_completed",
        sourceSystem: "video_player",
        eventData: {
          activityId: "intro-video",
          activityType: "video",
          completionStatus: "completed",
        },
      },
    });
    assert.equal(posted.status, 202);
    await app.processor.idle();
    const cookie = `ps_session=${await createSession(app.kv, userId)}`;
    const html = await (await app.request("/learn", { headers: { cookie } })).text();
    assert.match(html, /data-testid="elsewhere-intro-video">[^<]*done in video player/);
    assert.doesNotMatch(html, /elsewhere-intro-quiz/);
    // The server's state is the truth: the lesson shows done, and the path count is the dashboard's.
    assert.match(html, /data-testid="step-intro-video" data-status="completed"/);
    assert.match(html, /data-testid="path-done">1 of 3 done</);
    const dashboard = await (await app.request("/dashboard", { headers: { cookie } })).text();
    assert.match(dashboard, /data-testid="path-percent">1 of 3 steps/);
    assert.match(html, /data-testid="learn-headline">Overall 1 of 3 done · 33.3 %</);
    assert.match(dashboard, /data-testid="headline">1 of 3 done · 33.3 %/);
    const insights = await (await app.request("/insights", { headers: { cookie } })).text();
    assert.match(insights, /data-testid="insights-headline">Overall 1 of 3 done · 33.3 %/);
  });
});

Deno.test("the dashboard's Continue opens the next lesson on /learn, and ?lesson= picks its path", async () => {
  await withTestApp(async (app) => {
    await seedPath(app.kv);
    await putActivity(app.kv, "other", { title: "Other", activityType: "video" });
    await putPath(app.kv, "another", {
      title: "Another path",
      steps: [{ stepId: "s", activityId: "other" }],
    });
    const { userId, token } = await app.student();
    const posted = await app.request("/api/progress-sync/events?wait=true", {
      method: "POST",
      token,
      json: {
        eventType: "video_completed",
        sourceSystem: "video_player",
        eventData: {
          activityId: "intro-video",
          activityType: "video",
          completionStatus: "completed",
        },
      },
    });
    assert.equal(posted.status, 200);
    const cookie = `ps_session=${await createSession(app.kv, userId)}`;
    const dashboard = await (await app.request("/dashboard", { headers: { cookie } })).text();
    assert.match(
      dashboard,
      /<a class="button" href="\/learn\?path=intro&amp;lesson=intro-quiz" data-testid="continue">Continue: Intro quiz<\/a>/,
    );
    assert.match(dashboard, /<a href="\/learn\?path=intro&amp;lesson=intro-task">Intro task<\/a>/);
    const other = await (await app.request("/learn?lesson=other", { headers: { cookie } })).text();
    assert.match(other, /<h2 id="path-heading">Another path<\/h2>/);
  });
});
