import assert from "node:assert/strict";
import { type TestApp, withTestApp } from "../tests/support/test_app.ts";

const ORIGIN = "http://localhost";
const PASSWORD = "correct horse battery";

/** Posts an HTML form the way a browser on this site does (urlencoded, same-origin `Origin`). */
function submitForm(
  app: TestApp,
  path: string,
  fields: [string, string][],
  options: { cookie?: string; origin?: string | null } = {},
): Promise<Response> {
  const headers: Record<string, string> = { accept: "text/html" };
  if (options.origin !== null) headers.origin = options.origin ?? ORIGIN;
  if (options.cookie) headers.cookie = options.cookie;
  return app.request(path, {
    method: "POST",
    headers,
    body: new URLSearchParams(fields),
    redirect: "manual",
  });
}

function getPage(app: TestApp, path: string, cookie?: string): Promise<Response> {
  const headers: Record<string, string> = { accept: "text/html" };
  if (cookie) headers.cookie = cookie;
  return app.request(path, { headers, redirect: "manual" });
}

function cookieOf(response: Response): string {
  const header = response.headers.get("set-cookie") ?? "";
  assert.match(header, /^ps_session=[^;]+;.*HttpOnly/i);
  return header.split(";")[0]!;
}

async function signUp(app: TestApp, username = "alice"): Promise<string> {
  const response = await submitForm(app, "/signup", [
    ["username", username],
    ["password", PASSWORD],
  ]);
  assert.equal(response.status, 303);
  return cookieOf(response);
}

/** The text content of the first element with `data-testid="<id>"` (no nested tags). */
function testIdText(html: string, id: string): string | undefined {
  return new RegExp(`data-testid="${id}"[^>]*>([^<]*)<`).exec(html)?.[1];
}

function assertHtml(response: Response): void {
  assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
}

Deno.test("the sign-up form creates the account, sets the session cookie and redirects to the dashboard", async () => {
  await withTestApp(async (app) => {
    const form = await getPage(app, "/signup");
    assert.equal(form.status, 200);
    assertHtml(form);
    const formHtml = await form.text();
    assert.match(formHtml, /<form[^>]*method="post"[^>]*action="\/signup"/);
    assert.match(formHtml, /name="username"/);
    assert.match(
      formHtml,
      /name="password"[^>]*type="password"|type="password"[^>]*name="password"/,
    );

    const response = await submitForm(app, "/signup", [
      ["username", "alice"],
      ["password", PASSWORD],
    ]);
    assert.equal(response.status, 303);
    assert.equal(response.headers.get("location"), "/dashboard");
    const cookie = cookieOf(response);
    const dashboard = await getPage(app, "/dashboard", cookie);
    assert.equal(dashboard.status, 200);
    assertHtml(dashboard);
    assert.match(await dashboard.text(), /Hi, alice/);
    const login = await app.request("/api/auth/login", {
      method: "POST",
      json: { username: "alice", password: PASSWORD },
    });
    assert.equal(login.status, 200, "the account works with the API too");
    await login.body?.cancel();
  });
});

Deno.test("the sign-up form shows each field's error with 400 and keeps the username", async () => {
  await withTestApp(async (app) => {
    const response = await submitForm(app, "/signup", [
      ["username", "al"],
      ["password", "short"],
    ]);
    assert.equal(response.status, 400);
    assertHtml(response);
    assert.equal(response.headers.get("set-cookie"), null);
    const html = await response.text();
    assert.match(html, /role="alert"[^>]*>Please fix the fields below\./);
    assert.match(html, /id="username-error"[^>]*>Must be at least 3 characters</);
    assert.match(html, /id="password-error"[^>]*>Must be at least 8 characters</);
    assert.match(html, /aria-invalid="true"/);
    assert.match(html, /name="username"[^>]*value="al"/);
    assert.equal((await app.kv.get(["users_by_username", "al"])).value, null);
  });
});

Deno.test("the sign-up form says when the username is taken, with 409", async () => {
  await withTestApp(async (app) => {
    await signUp(app, "alice");
    const response = await submitForm(app, "/signup", [
      ["username", "Alice"],
      ["password", "another password"],
    ]);
    assert.equal(response.status, 409);
    assertHtml(response);
    assert.equal(response.headers.get("set-cookie"), null);
    assert.match(
      await response.text(),
      /role="alert"[^>]*>Username &quot;Alice&quot; is already taken/,
    );
  });
});

Deno.test("form posts from another site are refused with 403", async () => {
  await withTestApp(async (app) => {
    for (const origin of [null, "http://evil.example"]) {
      const response = await submitForm(app, "/signup", [
        ["username", "alice"],
        ["password", PASSWORD],
      ], { origin });
      assert.equal(response.status, 403, `Origin ${origin}`);
      assertHtml(response);
      await response.body?.cancel();
    }
    assert.equal((await app.kv.get(["users_by_username", "alice"])).value, null);
  });
});

Deno.test("sign-in with a wrong password re-renders the form with an error and 401", async () => {
  await withTestApp(async (app) => {
    await signUp(app, "alice");
    const response = await submitForm(app, "/signin", [
      ["username", "alice"],
      ["password", "not the password"],
      ["next", "/tokens"],
    ]);
    assert.equal(response.status, 401);
    assertHtml(response);
    assert.equal(response.headers.get("set-cookie"), null);
    const html = await response.text();
    assert.match(html, /role="alert"[^>]*>Wrong username or password</);
    assert.match(html, /name="username"[^>]*value="alice"/);
    assert.match(html, /name="next"[^>]*value="\/tokens"|value="\/tokens"[^>]*name="next"/);

    const ok = await submitForm(app, "/signin", [
      ["username", "alice"],
      ["password", PASSWORD],
      ["next", "/tokens"],
    ]);
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get("location"), "/tokens");
    cookieOf(ok);
    const offsite = await submitForm(app, "/signin", [
      ["username", "alice"],
      ["password", PASSWORD],
      ["next", "//evil.example/"],
    ]);
    assert.equal(offsite.status, 303);
    assert.equal(offsite.headers.get("location"), "/dashboard", "no open redirect");
  });
});

Deno.test("the dashboard without a session redirects 303 to sign-in and back", async () => {
  await withTestApp(async (app) => {
    const response = await getPage(app, "/dashboard");
    assert.equal(response.status, 303);
    assert.equal(response.headers.get("location"), "/signin?next=%2Fdashboard");
    const signin = await getPage(app, "/signin?next=%2Fdashboard");
    assert.equal(signin.status, 200);
    assertHtml(signin);
    assert.match(await signin.text(), /name="next"[^>]*value="\/dashboard"/);
    const tokens = await getPage(app, "/tokens");
    assert.equal(tokens.status, 303);
    assert.equal(tokens.headers.get("location"), "/signin?next=%2Ftokens");
  });
});

Deno.test("the dashboard HTML carries the server-rendered progress numbers", async () => {
  await withTestApp(async (app) => {
    const cookie = await signUp(app, "alice");
    const empty = await (await getPage(app, "/dashboard", cookie)).text();
    assert.equal(testIdText(empty, "stat-completed"), "0");
    assert.equal(testIdText(empty, "overall-percent"), "0%");
    assert.equal(testIdText(empty, "live-status"), "Connecting…");
    // A new student's empty states and the primary action lead to learning, not to API tokens.
    assert.match(empty, /<a href="\/learn">Start your first lesson<\/a>/);
    assert.match(
      empty,
      /<a class="button" href="\/learn" data-testid="continue">Start learning<\/a>/,
    );
    assert.doesNotMatch(empty, /href="\/tokens">API token/);
    assert.match(
      empty,
      /data-testid="live-status"[^>]*data-state="connecting"|data-state="connecting"[^>]*data-testid="live-status"/,
    );

    const events = [
      {
        id: "e1",
        eventType: "video_completed",
        sourceSystem: "video_player",
        eventData: {
          activityId: "css-layout",
          activityType: "video",
          completionStatus: "completed",
          timeSpent: 50,
        },
        timestamp: "2026-11-01T10:00:00Z",
      },
      {
        id: "e2",
        eventType: "activity_progressed",
        sourceSystem: "quiz_engine",
        eventData: {
          activityId: "flexbox-quiz",
          activityType: "quiz",
          completionStatus: "in_progress",
          timeSpent: 25,
        },
        timestamp: "2026-11-01T11:00:00Z",
      },
    ];
    const posted = await app.request("/api/progress-sync/events?wait=true", {
      method: "POST",
      headers: { cookie, origin: ORIGIN },
      json: { events },
    });
    assert.equal(posted.status, 200);
    await posted.body?.cancel();

    const response = await getPage(app, "/dashboard", cookie);
    assert.equal(response.status, 200);
    assertHtml(response);
    const html = await response.text();
    assert.equal(testIdText(html, "stat-completed"), "1");
    assert.equal(testIdText(html, "stat-in-progress"), "1");
    assert.equal(testIdText(html, "overall-percent"), "50%");
    assert.equal(testIdText(html, "stat-time"), "1 h 15 min");
    assert.match(html, /aria-label="50% complete: 1 of 2 done"/);
    const recent = /data-testid="recent-activities"[^>]*>([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? "";
    // No catalog titles here: a person reads the ids, not names made up from them.
    assert.ok(recent.indexOf("flexbox-quiz") < recent.indexOf("css-layout"), "newest first");
    assert.match(recent, /<a href="\/learn\?lesson=css-layout">css-layout<\/a>/);
    assert.match(recent, /class="badge badge-video_player">video player</);
    assert.match(recent, /class="badge badge-quiz_engine">quiz engine</);
    assert.match(html, /data-island="live_dashboard"/);
    assert.match(html, /<script type="module" src="\/static\/islands\/[^"]+"/);
  });
});

Deno.test("the tokens page creates a token and shows its secret only once", async () => {
  await withTestApp(async (app) => {
    const cookie = await signUp(app, "alice");
    const page = await getPage(app, "/tokens", cookie);
    assert.equal(page.status, 200);
    assertHtml(page);
    assert.match(await page.text(), /No tokens yet\./);

    const refused = await submitForm(app, "/tokens", [["name", "script"]], {
      cookie,
      origin: "http://evil.example",
    });
    assert.equal(refused.status, 403);
    await refused.body?.cancel();

    const response = await submitForm(app, "/tokens", [
      ["name", "my script"],
      ["scopes", "events:write"],
      ["scopes", "progress:read"],
    ], { cookie });
    assert.equal(response.status, 303, "post/redirect/get: a reload never posts again");
    assert.equal(response.headers.get("location"), "/tokens");
    const reveal = (response.headers.get("set-cookie") ?? "").split(";")[0]!;
    assert.match(reveal, /^ps_token_reveal=/);
    const shown = await getPage(app, "/tokens", `${cookie}; ${reveal}`);
    assert.equal(shown.status, 200);
    assertHtml(shown);
    assert.match(shown.headers.get("set-cookie") ?? "", /^ps_token_reveal=;.*Max-Age=0/i);
    const html = await shown.text();
    const secret =
      /data-testid="token-secret"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*data-testid="token-secret"/
        .exec(html)?.slice(1).find(Boolean);
    assert.ok(secret, "the new secret is on the page");
    assert.match(secret, /^ps_/);
    assert.match(html, /Token “my script” created/);
    const posted = await app.request("/api/progress-sync/events", {
      method: "POST",
      token: secret,
      json: {
        eventType: "video_completed",
        sourceSystem: "video_player",
        eventData: { activityId: "v1", activityType: "video", completionStatus: "completed" },
      },
    });
    assert.equal(posted.status, 202, "the secret works as a bearer token");
    await posted.body?.cancel();

    const bob = await signUp(app, "bob");
    const elsewhere = await (await getPage(app, "/tokens", `${bob}; ${reveal}`)).text();
    assert.ok(!elsewhere.includes(secret), "another student never sees the hand-over");

    const again = await (await getPage(app, "/tokens", cookie)).text();
    assert.ok(!again.includes(secret), "the secret is not shown again");
    assert.match(again, /<td class="token-name">my script<\/td>/);
    assert.match(
      again,
      /<li\s*class="chip">events:write<\/li><li\s*class="chip">progress:read<\/li>/,
    );
    assert.match(again, /Scripts using “my script” stop working at once\./);

    const nameless = await submitForm(app, "/tokens", [["name", " "], ["scopes", "events:write"]], {
      cookie,
    });
    assert.equal(nameless.status, 400);
    assert.match(
      await nameless.text(),
      /aria-invalid="true" aria-describedby="token-name-error"[\s\S]*Give the token a name\./,
    );

    const id = /action="\/tokens\/([^/"]+)\/delete"/.exec(again)?.[1];
    assert.ok(id, "the list has a revoke form");
    const revoked = await submitForm(app, `/tokens/${id}/delete`, [], { cookie });
    assert.equal(revoked.status, 303);
    assert.equal(revoked.headers.get("location"), "/tokens");
    const after = await app.request("/api/progress-sync/summary", { token: secret });
    assert.equal(after.status, 401);
    await after.body?.cancel();
  });
});

Deno.test("signing out ends the session", async () => {
  await withTestApp(async (app) => {
    const cookie = await signUp(app, "alice");
    const response = await submitForm(app, "/signout", [], { cookie });
    assert.equal(response.status, 303);
    assert.equal(response.headers.get("location"), "/");
    assert.match(response.headers.get("set-cookie") ?? "", /^ps_session=;.*Max-Age=0/i);
    const dashboard = await getPage(app, "/dashboard", cookie);
    assert.equal(dashboard.status, 303);
    await dashboard.body?.cancel();
  });
});

Deno.test("an unknown page renders the HTML error page for browsers and JSON for the API", async () => {
  await withTestApp(async (app) => {
    const response = await getPage(app, "/no-such-page");
    assert.equal(response.status, 404);
    assertHtml(response);
    const html = await response.text();
    assert.match(html, /^<!doctype html>/i);
    assert.match(html, /<h1>Page not found<\/h1>/);
    assert.match(html, /There is no page at this address/);
    assert.match(html, /href="\/">Back to the start</);

    const api = await getPage(app, "/api/no-such-thing");
    assert.equal(api.status, 404);
    assert.match(api.headers.get("content-type") ?? "", /application\/json/);
    assert.equal((await api.json()).status, 404);
    const script = await app.request("/no-such-page");
    assert.equal(script.status, 404);
    assert.match(script.headers.get("content-type") ?? "", /application\/json/);
    await script.body?.cancel();
  });
});

Deno.test("a signed-in student's 404 shows their navigation and a way back to the dashboard", async () => {
  await withTestApp(async (app) => {
    const cookie = await signUp(app, "alice");
    const response = await getPage(app, "/nope", cookie);
    assert.equal(response.status, 404);
    const html = await response.text();
    assert.match(html, /href="\/dashboard"[^>]*>Dashboard</);
    assert.match(html, /action="\/signout"/);
    assert.match(html, /href="\/dashboard">Back to your dashboard</);
    assert.doesNotMatch(html, /No route for/);
  });
});

Deno.test("an empty sign-in form names each missing field instead of a wrong password", async () => {
  await withTestApp(async (app) => {
    const response = await submitForm(app, "/signin", [["username", ""], ["password", ""]]);
    assert.equal(response.status, 400);
    const html = await response.text();
    assert.doesNotMatch(html, /Wrong username or password/);
    assert.match(html, /id="username-error" class="field-error">Enter your username\./);
    assert.match(html, /id="password-error" class="field-error">Enter your password\./);
  });
});

Deno.test("the service worker is served from the site root, uncached, and every page registers it", async () => {
  await withTestApp(async (app) => {
    const response = await app.request("/sw.js");
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/javascript/);
    assert.equal(response.headers.get("cache-control"), "no-cache");
    assert.match(await response.text(), /addEventListener\("fetch"/);
    const page = await (await getPage(app, "/signin")).text();
    assert.match(page, /<script type="module" src="\/static\/sw_register.js"><\/script>/);
  });
});
