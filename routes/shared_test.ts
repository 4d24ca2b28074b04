import assert from "node:assert/strict";
import { createSession } from "../lib/auth/account_store.ts";
import { studentWithFirstCompletion } from "../tests/support/earned_achievement.ts";
import { type TestApp, withTestApp } from "../tests/support/test_app.ts";

/** A signed-in student (session cookie) who earned `first-completion` from a named activity. */
async function signedInStudent(app: TestApp, name: string) {
  const student = await studentWithFirstCompletion(app, name, "private-activity-x");
  const timeZone = await app.request("/api/profile", {
    method: "PUT",
    token: student.token,
    json: { timeZone: "Pacific/Auckland" },
  });
  await timeZone.body?.cancel();
  return { ...student, cookie: `ps_session=${await createSession(app.kv, student.userId)}` };
}

/** Submits the achievements page's sharing form as the browser would. */
function submitSharing(
  app: TestApp,
  cookie: string,
  fields: { public: string },
  origin: string | null = "http://localhost",
): Promise<Response> {
  return app.request("/achievements/first-completion/sharing", {
    method: "POST",
    headers: { cookie, accept: "text/html", ...(origin === null ? {} : { origin }) },
    body: new URLSearchParams(fields),
    redirect: "manual",
  });
}

async function achievementsPage(app: TestApp, cookie: string): Promise<string> {
  const response = await app.request("/achievements", { headers: { cookie } });
  assert.equal(response.status, 200);
  return await response.text();
}

function shareLinkOf(html: string): string {
  const href = /<a[^>]*href="(http:\/\/localhost\/shared\/[^"]+)"[^>]*data-testid="open-share"/
    .exec(html)?.[1];
  assert.ok(href, "the achievements page shows the public link");
  return href;
}

Deno.test("the achievements page makes an achievement public and shows its link, and private again", async () => {
  await withTestApp(async (app) => {
    const ada = await signedInStudent(app, "ada");
    const before = await achievementsPage(app, ada.cookie);
    assert.match(before, /data-testid="make-public"/);
    assert.doesNotMatch(before, /data-testid="open-share"/);

    const made = await submitSharing(app, ada.cookie, { public: "true" });
    assert.equal(made.status, 303);
    assert.equal(made.headers.get("location"), "/achievements#achievement-first-completion");
    const link = shareLinkOf(await achievementsPage(app, ada.cookie));
    assert.match(link, /^http:\/\/localhost\/shared\/[A-Za-z0-9_-]{22}$/);

    const visitor = await app.request(new URL(link).pathname);
    assert.equal(visitor.status, 200);
    await visitor.body?.cancel();

    const hidden = await submitSharing(app, ada.cookie, { public: "false" });
    assert.equal(hidden.status, 303);
    assert.match(await achievementsPage(app, ada.cookie), /data-testid="make-public"/);
    const gone = await app.request(new URL(link).pathname, { headers: { accept: "text/html" } });
    assert.equal(gone.status, 404);
    await gone.body?.cancel();
  });
});

Deno.test("the sharing form refuses cross-site posts, bad values, signed-out visitors and unearned achievements", async () => {
  await withTestApp(async (app) => {
    const ada = await signedInStudent(app, "ada");
    const crossSite = await submitSharing(
      app,
      ada.cookie,
      { public: "true" },
      "https://evil.example",
    );
    assert.equal(crossSite.status, 403);
    await crossSite.body?.cancel();
    const noOrigin = await submitSharing(app, ada.cookie, { public: "true" }, null);
    assert.equal(noOrigin.status, 403);
    await noOrigin.body?.cancel();
    const bad = await submitSharing(app, ada.cookie, { public: "yes" });
    assert.equal(bad.status, 400);
    await bad.body?.cancel();
    const signedOut = await submitSharing(app, "", { public: "true" });
    assert.equal(signedOut.status, 303);
    assert.equal(signedOut.headers.get("location"), "/signin?next=%2Fachievements");
    const unearned = await app.request("/achievements/streak-7/sharing", {
      method: "POST",
      headers: { cookie: ada.cookie, origin: "http://localhost" },
      body: new URLSearchParams({ public: "true" }),
    });
    assert.equal(unearned.status, 404);
    await unearned.body?.cancel();
    assert.match(await achievementsPage(app, ada.cookie), /data-testid="make-public"/);
  });
});

Deno.test("the public page shows the achievement to a signed-out visitor with Open Graph tags and leaks nothing else", async () => {
  await withTestApp(async (app) => {
    const ada = await signedInStudent(app, "ada");
    await submitSharing(app, ada.cookie, { public: "true" });
    const link = shareLinkOf(await achievementsPage(app, ada.cookie));
    const response = await app.request(new URL(link).pathname);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
    const html = await response.text();

    assert.match(html, /<h1 data-testid="shared-title">First steps<\/h1>/);
    assert.match(html, /Complete your first activity\./);
    assert.match(
      html,
      /Earned by <strong>ada<\/strong> on <time datetime="2026-11-01T10:00:00.000Z">1 November 2026<\/time>/,
    );
    assert.match(
      html,
      /<img[^>]*src="http:\/\/localhost\/openbadges\/badges\/first-completion\/image.svg"/,
    );
    assert.match(html, /data-testid="copy-link"/);
    assert.match(html, new RegExp(`<meta property="og:url" content="${link}">`));
    assert.match(html, /<meta property="og:title" content="ada earned “First steps”">/);
    assert.match(
      html,
      /<meta property="og:image" content="http:\/\/localhost\/openbadges\/badges\/first-completion\/image.png">/,
    );
    assert.match(html, /<meta property="og:image:type" content="image\/png">/);
    const preview = await app.request("/openbadges/badges/first-completion/image.png");
    assert.equal(preview.status, 200);
    assert.equal(preview.headers.get("content-type"), "image/png");
    const png = new Uint8Array(await preview.arrayBuffer());
    assert.deepEqual([...png.slice(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.match(html, /<meta property="og:description" content="Complete your first activity\./);
    assert.match(html, /<meta name="twitter:card" content="summary">/);
    assert.match(html, /href="http:\/\/localhost\/openbadges\/assertions\/[A-Za-z0-9_-]{22}"/);

    for (
      const secret of [ada.userId, "private-activity-x", "ada-e1", "Pacific/Auckland", "Auckland"]
    ) {
      assert.ok(!html.includes(secret), `the public page does not contain ${secret}`);
    }
    assert.doesNotMatch(html, /Sign out|\/dashboard"/, "a visitor sees no one's account");
  });
});
