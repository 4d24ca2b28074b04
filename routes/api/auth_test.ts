import assert from "node:assert/strict";
import { type TestApp, withTestApp } from "../../tests/support/test_app.ts";

const ORIGIN = "http://localhost";
const PASSWORD = "correct horse battery";

const video = (id: string) => ({
  id,
  eventType: "video_completed",
  sourceSystem: "video_player",
  eventData: { activityId: "intro-video", activityType: "video", completionStatus: "completed" },
  timestamp: "2026-11-01T10:00:00Z",
});

function register(app: TestApp, body: unknown): Promise<Response> {
  return app.request("/api/auth/register", { method: "POST", json: body });
}

function logIn(app: TestApp, username: string, password: string): Promise<Response> {
  return app.request("/api/auth/login", { method: "POST", json: { username, password } });
}

/** The `name=value` pair of the session cookie a response sets, for a `Cookie` header. */
function sessionCookieOf(response: Response): string {
  const header = response.headers.get("set-cookie");
  assert.ok(header, "the response sets a cookie");
  const pair = header.split(";")[0]!;
  assert.match(pair, /^ps_session=.+/);
  return pair;
}

async function signedIn(app: TestApp, username = "alice"): Promise<string> {
  assert.equal((await register(app, { username, password: PASSWORD })).status, 201);
  const response = await logIn(app, username, PASSWORD);
  assert.equal(response.status, 200);
  return sessionCookieOf(response);
}

async function allKvText(kv: Deno.Kv): Promise<string> {
  const parts: string[] = [];
  for await (const entry of kv.list({ prefix: [] })) {
    parts.push(JSON.stringify(entry.key), JSON.stringify(entry.value));
  }
  return parts.join("\n");
}

Deno.test("register returns 201 with the user id and name, and stores the password only as scrypt", async () => {
  await withTestApp(async (app) => {
    const response = await register(app, { username: "Alice", password: PASSWORD });
    assert.equal(response.status, 201);
    assert.match(response.headers.get("content-type") ?? "", /application\/json/);
    const body = await response.json();
    assert.deepEqual(Object.keys(body).sort(), ["userId", "username"]);
    assert.equal(body.username, "Alice");
    assert.equal(typeof body.userId, "string");

    const user = (await app.kv.get<{ passwordHash: string }>(["users", body.userId])).value;
    assert.ok(user, "the user record is stored");
    assert.match(
      user.passwordHash,
      /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}$/,
    );
    assert.ok(!(await allKvText(app.kv)).includes(PASSWORD), "no KV entry holds the password");
  });
});

Deno.test("register refuses a taken username with 409, whatever its case", async () => {
  await withTestApp(async (app) => {
    assert.equal((await register(app, { username: "alice", password: PASSWORD })).status, 201);
    for (const username of ["alice", "ALICE", " Alice "]) {
      const response = await register(app, { username, password: "another password" });
      assert.equal(response.status, 409, `status for ${JSON.stringify(username)}`);
      assert.match(response.headers.get("content-type") ?? "", /application\/json/);
      assert.match((await response.json()).error, /already taken/);
    }
    const login = await logIn(app, "alice", PASSWORD);
    assert.equal(login.status, 200, "the first account keeps its password");
  });
});

Deno.test("register answers 400 naming each bad field", async () => {
  await withTestApp(async (app) => {
    const response = await register(app, { username: "a!", password: "short" });
    assert.equal(response.status, 400);
    assert.match(response.headers.get("content-type") ?? "", /application\/json/);
    const body = await response.json();
    const paths = new Set(body.issues.map((i: { path: string }) => i.path));
    assert.deepEqual([...paths].sort(), ["password", "username"]);
    assert.match(body.error, /^Invalid registration/);

    const missing = await register(app, {});
    assert.equal(missing.status, 400);
    assert.deepEqual(
      (await missing.json()).issues.map((i: { path: string }) => i.path).sort(),
      ["password", "username"],
    );
    const notJson = await app.request("/api/auth/register", {
      method: "POST",
      body: "{",
      headers: { "content-type": "application/json" },
    });
    assert.equal(notJson.status, 400);
    assert.match((await notJson.json()).error, /Malformed JSON/);
    assert.equal((await app.kv.get(["users_by_username", "a!"])).value, null);
  });
});

Deno.test("login returns 200 with the user id and an HttpOnly session cookie that authenticates the API", async () => {
  await withTestApp(async (app) => {
    const registered = await (await register(app, { username: "alice", password: PASSWORD }))
      .json();
    const response = await logIn(app, "ALICE", PASSWORD);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /application\/json/);
    assert.deepEqual(await response.json(), { userId: registered.userId });
    const setCookie = response.headers.get("set-cookie") ?? "";
    assert.match(setCookie, /^ps_session=[^;]+;/);
    assert.match(setCookie, /;\s*HttpOnly/i);
    assert.match(setCookie, /;\s*SameSite=Lax/i);
    assert.match(setCookie, /;\s*Path=\//i);
    const cookie = sessionCookieOf(response);
    assert.ok(!(await allKvText(app.kv)).includes(cookie.split("=")[1]!), "session stored hashed");

    const summary = await app.request("/api/progress-sync/summary", { headers: { cookie } });
    assert.equal(summary.status, 200);
    assert.match(summary.headers.get("content-type") ?? "", /application\/json/);
    assert.equal((await summary.json()).overallProgress.totalActivities, 0);
    const anonymous = await app.request("/api/progress-sync/summary");
    assert.equal(anonymous.status, 401);
    const forged = await app.request("/api/progress-sync/summary", {
      headers: { cookie: "ps_session=s_forged" },
    });
    assert.equal(forged.status, 401);
  });
});

Deno.test("a wrong password and an unknown user get the same 401", async () => {
  await withTestApp(async (app) => {
    await register(app, { username: "alice", password: PASSWORD });
    const wrong = await logIn(app, "alice", "not the password");
    assert.equal(wrong.status, 401);
    assert.match(wrong.headers.get("content-type") ?? "", /application\/json/);
    assert.equal(wrong.headers.get("set-cookie"), null);
    const unknown = await logIn(app, "nobody", "not the password");
    assert.equal(unknown.status, 401);
    assert.equal((await wrong.json()).error, (await unknown.json()).error);
  });
});

function logInFrom(
  app: TestApp,
  address: string,
  credentials: { username: string; password: string },
): Promise<Response> {
  return app.request("/api/auth/login", {
    method: "POST",
    headers: { "x-forwarded-for": `203.0.113.9, ${address}` },
    json: credentials,
  });
}

Deno.test("five failed sign-ins from one address space out its next attempts; the owner elsewhere still signs in", async () => {
  await withTestApp(async (app) => {
    await register(app, { username: "alice", password: PASSWORD });
    await register(app, { username: "bob", password: PASSWORD });
    for (let attempt = 1; attempt <= 5; attempt++) {
      const username = attempt % 2 === 0 ? "ALICE" : "alice";
      const response = await logInFrom(app, "198.51.100.7", {
        username,
        password: `wrong ${attempt}`,
      });
      assert.equal(response.status, 401, `attempt ${attempt}`);
      await response.body?.cancel();
    }
    const blocked = await logInFrom(app, "198.51.100.7", { username: "alice", password: PASSWORD });
    assert.equal(blocked.status, 429);
    assert.match(blocked.headers.get("content-type") ?? "", /application\/json/);
    assert.match((await blocked.json()).error, /Too many failed sign-ins from this address/);
    assert.ok(Number(blocked.headers.get("retry-after")) >= 1);
    assert.equal(blocked.headers.get("set-cookie"), null);
    const owner = await logInFrom(app, "192.0.2.44", { username: "alice", password: PASSWORD });
    assert.equal(owner.status, 200, "the owner signing in from elsewhere is never locked out");
    await owner.body?.cancel();
    const other = await logInFrom(app, "198.51.100.7", { username: "bob", password: PASSWORD });
    assert.equal(other.status, 200, "other usernames from that address are not affected");
    await other.body?.cancel();
  }, { trustProxy: true });
});

Deno.test("one address trying many usernames is slowed after twenty failures", async () => {
  await withTestApp(async (app) => {
    await register(app, { username: "alice", password: PASSWORD });
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      const response = await logInFrom(app, "198.51.100.8", {
        username: `nobody${i}`,
        password: "guess",
      });
      statuses.push(response.status);
      await response.body?.cancel();
    }
    assert.deepEqual(statuses.slice(0, 20), Array(20).fill(401));
    assert.deepEqual(statuses.slice(20), Array(5).fill(429));
    const elsewhere = await logInFrom(app, "192.0.2.45", { username: "alice", password: PASSWORD });
    assert.equal(elsewhere.status, 200);
    await elsewhere.body?.cancel();
  }, { trustProxy: true });
});

Deno.test("X-Forwarded-For is ignored unless TRUST_PROXY is set", async () => {
  await withTestApp(async (app) => {
    await register(app, { username: "alice", password: PASSWORD });
    for (let i = 0; i < 5; i++) {
      const response = await logInFrom(app, `198.51.100.${i}`, {
        username: "alice",
        password: "wrong",
      });
      assert.equal(response.status, 401);
      await response.body?.cancel();
    }
    const spoofed = await logInFrom(app, "192.0.2.1", { username: "alice", password: "wrong" });
    assert.equal(spoofed.status, 429, "a forged header does not give a fresh address");
    await spoofed.body?.cancel();
  });
});

Deno.test("concurrent wrong passwords cannot get more than five guesses", async () => {
  await withTestApp(async (app) => {
    await register(app, { username: "alice", password: PASSWORD });
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) => logIn(app, "alice", `guess ${i}`)),
    );
    for (const response of responses) await response.body?.cancel();
    const statuses = responses.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 401).length, 5, `statuses: ${statuses}`);
    assert.equal(statuses.filter((s) => s === 429).length, 7, `statuses: ${statuses}`);
  });
});

Deno.test("logout ends the session: the cookie is cleared and no longer authenticates", async () => {
  await withTestApp(async (app) => {
    const cookie = await signedIn(app);
    const refused = await app.request("/api/auth/logout", { method: "POST", headers: { cookie } });
    assert.equal(refused.status, 403, "a cross-site page cannot sign the student out");
    await refused.body?.cancel();
    const stillIn = await app.request("/api/progress-sync/summary", { headers: { cookie } });
    assert.equal(stillIn.status, 200);
    await stillIn.body?.cancel();

    const response = await app.request("/api/auth/logout", {
      method: "POST",
      headers: { cookie, origin: ORIGIN },
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /application\/json/);
    await response.body?.cancel();
    assert.match(response.headers.get("set-cookie") ?? "", /^ps_session=;.*Max-Age=0/i);
    const after = await app.request("/api/progress-sync/summary", { headers: { cookie } });
    assert.equal(after.status, 401);
    await after.body?.cancel();
    const write = await app.request("/api/progress-sync/events", {
      method: "POST",
      headers: { cookie, origin: ORIGIN },
      json: video("e1"),
    });
    assert.equal(write.status, 401);
    await write.body?.cancel();
  });
});

Deno.test("cookie-authenticated writes need this site's Origin: none or a foreign one is 403", async () => {
  await withTestApp(async (app) => {
    const cookie = await signedIn(app);
    const origins: (string | null)[] = [
      null,
      "null",
      "http://evil.example",
      "http://localhost.evil.example",
      "https://localhost:8443",
    ];
    for (const origin of origins) {
      const headers: Record<string, string> = { cookie };
      if (origin !== null) headers.origin = origin;
      const event = await app.request("/api/progress-sync/events", {
        method: "POST",
        headers,
        json: video("e1"),
      });
      assert.equal(event.status, 403, `events with Origin ${origin}`);
      assert.match(event.headers.get("content-type") ?? "", /application\/json/);
      assert.match((await event.json()).error, /Cross-origin request refused/);
      const token = await app.request("/api/tokens", {
        method: "POST",
        headers,
        json: { name: "script", scopes: ["progress:read"] },
      });
      assert.equal(token.status, 403, `tokens with Origin ${origin}`);
      await token.body?.cancel();
    }
    const log = await app.request("/api/progress-sync/events", { headers: { cookie } });
    assert.deepEqual((await log.json()).events, [], "nothing refused was stored");
    const tokens = await app.request("/api/tokens", { headers: { cookie } });
    assert.deepEqual((await tokens.json()).tokens, []);

    const event = await app.request("/api/progress-sync/events", {
      method: "POST",
      headers: { cookie, origin: ORIGIN },
      json: video("e1"),
    });
    assert.equal(event.status, 202);
    assert.deepEqual(await event.json(), { results: [{ id: "e1", status: "accepted" }] });
    const token = await app.request("/api/tokens", {
      method: "POST",
      headers: { cookie, origin: ORIGIN },
      json: { name: "script", scopes: ["progress:read"] },
    });
    assert.equal(token.status, 201);
    assert.deepEqual((await token.json()).scopes, ["progress:read"]);
  });
});

Deno.test("login and register refuse a foreign Origin and non-JSON bodies (login CSRF): no cookie is set", async () => {
  await withTestApp(async (app) => {
    await register(app, { username: "alice", password: PASSWORD });
    const body = JSON.stringify({ username: "alice", password: PASSWORD });
    for (const path of ["/api/auth/login", "/api/auth/register"]) {
      const plain = await app.request(path, {
        method: "POST",
        headers: { "content-type": "text/plain", origin: "https://attacker.example" },
        body: body.replace("alice", path.endsWith("register") ? "mallory" : "alice"),
      });
      assert.equal(plain.status, 415, path);
      assert.equal(plain.headers.get("set-cookie"), null);
      await plain.body?.cancel();
      const foreign = await app.request(path, {
        method: "POST",
        headers: { origin: "https://attacker.example" },
        json: { username: path.endsWith("register") ? "mallory" : "alice", password: PASSWORD },
      });
      assert.equal(foreign.status, 403, path);
      assert.equal(foreign.headers.get("set-cookie"), null);
      await foreign.body?.cancel();
    }
    const own = await app.request("/api/auth/login", {
      method: "POST",
      headers: { origin: ORIGIN },
      json: { username: "alice", password: PASSWORD },
    });
    assert.equal(own.status, 200, "this site's own Origin signs in");
    await own.body?.cancel();
  });
});
