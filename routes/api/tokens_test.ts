import assert from "node:assert/strict";
import { TEST_ADMIN_TOKEN, type TestApp, withTestApp } from "../../lib/testing/test_app.ts";

const ORIGIN = "http://localhost";
const PASSWORD = "correct horse battery";

const video = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  eventType: "video_completed",
  sourceSystem: "video_player",
  eventData: { activityId: "intro-video", activityType: "video", completionStatus: "completed" },
  timestamp: "2026-11-01T10:00:00Z",
  ...extra,
});

/** Registers and signs in `username`; returns the user id and the `Cookie` header value. */
async function signedIn(
  app: TestApp,
  username = "alice",
): Promise<{ userId: string; cookie: string }> {
  const registered = await app.request("/api/auth/register", {
    method: "POST",
    json: { username, password: PASSWORD },
  });
  assert.equal(registered.status, 201);
  const { userId } = await registered.json();
  const login = await app.request("/api/auth/login", {
    method: "POST",
    json: { username, password: PASSWORD },
  });
  assert.equal(login.status, 200);
  await login.body?.cancel();
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
  return { userId, cookie };
}

function createToken(
  app: TestApp,
  auth: { cookie: string } | { token: string },
  body: unknown,
): Promise<Response> {
  return "cookie" in auth
    ? app.request("/api/tokens", {
      method: "POST",
      headers: { cookie: auth.cookie, origin: ORIGIN },
      json: body,
    })
    : app.request("/api/tokens", { method: "POST", token: auth.token, json: body });
}

async function allKvText(kv: Deno.Kv): Promise<string> {
  const parts: string[] = [];
  for await (const entry of kv.list({ prefix: [] })) {
    parts.push(JSON.stringify(entry.key), JSON.stringify(entry.value));
  }
  return parts.join("\n");
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("a signed-in student creates a token through the session and gets 201 with id, token and scopes", async () => {
  await withTestApp(async (app) => {
    const alice = await signedIn(app);
    const response = await createToken(app, alice, {
      name: "video player",
      scopes: ["events:write", "progress:read"],
    });
    assert.equal(response.status, 201);
    assert.match(response.headers.get("content-type") ?? "", /application\/json/);
    const body = await response.json();
    assert.equal(typeof body.id, "string");
    assert.match(body.token, /^ps_[A-Za-z0-9_-]{40,}$/);
    assert.deepEqual(body.scopes, ["events:write", "progress:read"]);
    assert.equal(body.name, "video player");
    assert.equal(body.userId, alice.userId);

    const posted = await app.request("/api/progress-sync/events?wait=true", {
      method: "POST",
      token: body.token,
      json: video("e1"),
    });
    assert.equal(posted.status, 200, "the new token posts events without any Origin");
    await posted.body?.cancel();
    const summary = await app.request("/api/progress-sync/summary", { token: body.token });
    assert.equal((await summary.json()).overallProgress.completedActivities, 1);
  });
});

Deno.test("a token holder creates a token through the bearer token and gets 201", async () => {
  await withTestApp(async (app) => {
    const student = await app.student("alice");
    const response = await createToken(app, student, { name: "quiz", scopes: ["progress:read"] });
    assert.equal(response.status, 201);
    assert.match(response.headers.get("content-type") ?? "", /application\/json/);
    const body = await response.json();
    assert.deepEqual(body.scopes, ["progress:read"]);
    assert.equal(body.userId, student.userId);
    const read = await app.request("/api/progress-sync/summary", { token: body.token });
    assert.equal(read.status, 200);
    await read.body?.cancel();
    const write = await app.request("/api/progress-sync/events", {
      method: "POST",
      token: body.token,
      json: video("e1"),
    });
    assert.equal(write.status, 403, "the new token holds only the scopes it was given");
    await write.body?.cancel();
  });
});

Deno.test("a token secret is shown once: the list omits it and KV holds only its hash", async () => {
  await withTestApp(async (app) => {
    const alice = await signedIn(app);
    const created = await (await createToken(app, alice, {
      name: "script",
      scopes: ["events:write"],
    })).json();

    const list = await app.request("/api/tokens", { headers: { cookie: alice.cookie } });
    assert.equal(list.status, 200);
    assert.match(list.headers.get("content-type") ?? "", /application\/json/);
    const text = await list.text();
    assert.ok(!text.includes(created.token), "the list never shows the secret");
    const { tokens } = JSON.parse(text);
    assert.equal(tokens.length, 1);
    assert.deepEqual(Object.keys(tokens[0]).sort(), [
      "createdAt",
      "id",
      "name",
      "scopes",
      "userId",
    ]);
    assert.equal(tokens[0].id, created.id);

    assert.ok(!(await allKvText(app.kv)).includes(created.token), "no KV key or value holds it");
    const stored = await app.kv.get<{ id: string }>(["api_tokens", await sha256Hex(created.token)]);
    assert.equal(stored.value?.id, created.id, "the token is found by the hash of its secret");
  });
});

Deno.test("a student cannot create a system or admin token", async () => {
  await withTestApp(async (app) => {
    const alice = await signedIn(app);
    const student = await app.student("bob");
    for (const auth of [alice, student]) {
      for (const scopes of [["system"], ["admin"], ["progress:read", "system"]]) {
        const response = await createToken(app, auth, { name: "sneaky", scopes });
        assert.equal(response.status, 403, `scopes ${scopes} via ${Object.keys(auth)}`);
        assert.match(response.headers.get("content-type") ?? "", /application\/json/);
        assert.match((await response.json()).error, /Only an admin may create a token/);
      }
    }
    const list = await app.request("/api/tokens", { headers: { cookie: alice.cookie } });
    assert.deepEqual((await list.json()).tokens, []);
  });
});

Deno.test("a token cannot grant a scope it does not hold", async () => {
  await withTestApp(async (app) => {
    const reader = await app.student("alice", ["progress:read"]);
    const wider = await createToken(app, reader, {
      name: "wider",
      scopes: ["events:write", "progress:read"],
    });
    assert.equal(wider.status, 403);
    assert.match((await wider.json()).error, /Cannot grant scope `events:write`/);
    const same = await createToken(app, reader, { name: "same", scopes: ["progress:read"] });
    assert.equal(same.status, 201);
    await same.body?.cancel();

    const system = await app.adminOwnedToken(["system"]);
    const systemMakesSystem = await createToken(app, { token: system }, {
      name: "another system",
      scopes: ["system"],
    });
    assert.equal(systemMakesSystem.status, 403, "only an admin may create system tokens");
    await systemMakesSystem.body?.cancel();
  });
});

Deno.test("token requests name each bad field with 400 and need credentials", async () => {
  await withTestApp(async (app) => {
    const student = await app.student("alice");
    const bad = await createToken(app, student, { name: " ", scopes: [] });
    assert.equal(bad.status, 400);
    const body = await bad.json();
    assert.deepEqual(body.issues.map((i: { path: string }) => i.path).sort(), ["name", "scopes"]);
    const unknown = await createToken(app, student, { name: "x", scopes: ["root"] });
    assert.equal(unknown.status, 400);
    assert.match((await unknown.json()).error, /scopes\[0\]/);
    const anonymous = await app.request("/api/tokens", {
      method: "POST",
      json: { name: "x", scopes: ["progress:read"] },
    });
    assert.equal(anonymous.status, 401);
    await anonymous.body?.cancel();
    const anonymousList = await app.request("/api/tokens");
    assert.equal(anonymousList.status, 401);
    await anonymousList.body?.cancel();
  });
});

Deno.test("the ADMIN_TOKEN creates a system token that posts and reads for any student", async () => {
  await withTestApp(async (app) => {
    const alice = await signedIn(app, "alice");
    const bob = await app.student("bob");
    const response = await createToken(app, { token: TEST_ADMIN_TOKEN }, {
      name: "school LMS",
      scopes: ["system"],
    });
    assert.equal(response.status, 201);
    assert.match(response.headers.get("content-type") ?? "", /application\/json/);
    const system = await response.json();
    assert.deepEqual(system.scopes, ["system"]);
    assert.equal(system.userId, null);

    for (const [userId, id] of [[alice.userId, "a1"], [bob.userId, "b1"]] as const) {
      const posted = await app.request("/api/progress-sync/events?wait=true", {
        method: "POST",
        token: system.token,
        json: video(id, { userId }),
      });
      assert.equal(posted.status, 200);
      assert.equal((await posted.json()).results[0].eventId, id);
      const summary = await app.request(`/api/progress-sync/summary?userId=${userId}`, {
        token: system.token,
      });
      assert.equal(summary.status, 200);
      assert.equal((await summary.json()).overallProgress.completedActivities, 1);
    }
    const own = await app.request("/api/progress-sync/summary", {
      headers: { cookie: alice.cookie },
    });
    assert.equal((await own.json()).recentActivities[0].eventId, "a1");
    const noUser = await app.request("/api/progress-sync/summary", { token: system.token });
    assert.equal(noUser.status, 400, "a system token must name the student");
    await noUser.body?.cancel();

    const adminList = await app.request("/api/tokens", { token: TEST_ADMIN_TOKEN });
    assert.deepEqual(
      (await adminList.json()).tokens.map((t: { id: string }) => t.id),
      [system.id],
    );
    const seenBySystem = await app.request("/api/tokens", { token: system.token });
    assert.deepEqual((await seenBySystem.json()).tokens, [], "a system token sees no admin tokens");
    const revokeBySystem = await app.request(`/api/tokens/${system.id}`, {
      method: "DELETE",
      token: system.token,
    });
    assert.equal(revokeBySystem.status, 404, "a system token cannot revoke the admin's tokens");
    await revokeBySystem.body?.cancel();
  });
});

Deno.test("deleting a token returns 204 and the token stops working", async () => {
  await withTestApp(async (app) => {
    const alice = await signedIn(app);
    const created = await (await createToken(app, alice, {
      name: "script",
      scopes: ["progress:read"],
    })).json();
    const before = await app.request("/api/progress-sync/summary", { token: created.token });
    assert.equal(before.status, 200);
    await before.body?.cancel();

    const deleted = await app.request(`/api/tokens/${created.id}`, {
      method: "DELETE",
      headers: { cookie: alice.cookie, origin: ORIGIN },
    });
    assert.equal(deleted.status, 204);
    assert.equal(await deleted.text(), "");
    const after = await app.request("/api/progress-sync/summary", { token: created.token });
    assert.equal(after.status, 401);
    assert.match((await after.json()).error, /Invalid or revoked API token/);
    const list = await app.request("/api/tokens", { headers: { cookie: alice.cookie } });
    assert.deepEqual((await list.json()).tokens, []);
    const again = await app.request(`/api/tokens/${created.id}`, {
      method: "DELETE",
      headers: { cookie: alice.cookie, origin: ORIGIN },
    });
    assert.equal(again.status, 404);
    await again.body?.cancel();
  });
});

Deno.test("a token deletes itself through the bearer header", async () => {
  await withTestApp(async (app) => {
    const student = await app.student("alice");
    const list = await (await app.request("/api/tokens", { token: student.token })).json();
    assert.equal(list.tokens.length, 1);
    const deleted = await app.request(`/api/tokens/${list.tokens[0].id}`, {
      method: "DELETE",
      token: student.token,
    });
    assert.equal(deleted.status, 204);
    const after = await app.request("/api/tokens", { token: student.token });
    assert.equal(after.status, 401);
    await after.body?.cancel();
  });
});

Deno.test("deleting another student's token id is a 404 and leaves the token working", async () => {
  await withTestApp(async (app) => {
    const alice = await signedIn(app, "alice");
    const bob = await signedIn(app, "bob");
    const bobs = await (await createToken(app, bob, {
      name: "bob's script",
      scopes: ["progress:read"],
    })).json();
    const attempt = await app.request(`/api/tokens/${bobs.id}`, {
      method: "DELETE",
      headers: { cookie: alice.cookie, origin: ORIGIN },
    });
    assert.equal(attempt.status, 404);
    assert.match(attempt.headers.get("content-type") ?? "", /application\/json/);
    assert.match((await attempt.json()).error, /Token not found/);
    const still = await app.request("/api/progress-sync/summary", { token: bobs.token });
    assert.equal(still.status, 200);
    await still.body?.cancel();
    const alicesList = await app.request("/api/tokens", { headers: { cookie: alice.cookie } });
    assert.deepEqual((await alicesList.json()).tokens, [], "alice does not see bob's token");
  });
});
