import assert from "node:assert/strict";
import { TEST_ADMIN_TOKEN, type TestApp, withTestApp } from "../../tests/support/test_app.ts";

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

Deno.test("a tokens:manage token holder creates a token through the bearer token and gets 201", async () => {
  await withTestApp(async (app) => {
    const student = await app.student("alice", ["events:write", "progress:read", "tokens:manage"]);
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
    const student = await app.student("bob", ["events:write", "progress:read", "tokens:manage"]);
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
    const reader = await app.student("alice", ["progress:read", "tokens:manage"]);
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
    const student = await app.student("alice", ["events:write", "progress:read", "tokens:manage"]);
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
    assert.equal(seenBySystem.status, 403, "a system token does not manage tokens");
    await seenBySystem.body?.cancel();
    const revokeBySystem = await app.request(`/api/tokens/${system.id}`, {
      method: "DELETE",
      token: system.token,
    });
    assert.equal(revokeBySystem.status, 403, "a system token cannot revoke the admin's tokens");
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

Deno.test("a tokens:manage token deletes itself through the bearer header", async () => {
  await withTestApp(async (app) => {
    const student = await app.student("alice", ["events:write", "progress:read", "tokens:manage"]);
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

Deno.test("a token without tokens:manage can neither list, create nor revoke the owner's tokens", async () => {
  await withTestApp(async (app) => {
    const alice = await signedIn(app);
    const keep = await (await createToken(app, alice, { name: "keep", scopes: ["progress:read"] }))
      .json();
    const reader = await (await createToken(app, alice, {
      name: "reader",
      scopes: ["progress:read"],
    })).json();
    const list = await app.request("/api/tokens", { token: reader.token });
    assert.equal(list.status, 403);
    assert.match((await list.json()).error, /tokens:manage/);
    const revoke = await app.request(`/api/tokens/${keep.id}`, {
      method: "DELETE",
      token: reader.token,
    });
    assert.equal(revoke.status, 403);
    await revoke.body?.cancel();
    const mint = await createToken(app, { token: reader.token }, {
      name: "child",
      scopes: ["progress:read"],
    });
    assert.equal(mint.status, 403);
    await mint.body?.cancel();
    const still = await app.request("/api/progress-sync/summary", { token: keep.token });
    assert.equal(still.status, 200);
    await still.body?.cancel();
  });
});

Deno.test("tokens a token made are revoked with it", async () => {
  await withTestApp(async (app) => {
    const alice = await signedIn(app);
    const manager = await (await createToken(app, alice, {
      name: "manager",
      scopes: ["progress:read", "tokens:manage"],
    })).json();
    const child = await (await createToken(app, { token: manager.token }, {
      name: "child",
      scopes: ["progress:read", "tokens:manage"],
    })).json();
    const grandchild = await (await createToken(app, { token: child.token }, {
      name: "grandchild",
      scopes: ["progress:read"],
    })).json();
    const other =
      await (await createToken(app, alice, { name: "other", scopes: ["progress:read"] }))
        .json();
    const revoked = await app.request(`/api/tokens/${manager.id}`, {
      method: "DELETE",
      headers: { cookie: alice.cookie, origin: ORIGIN },
    });
    assert.equal(revoked.status, 204);
    for (const token of [manager.token, child.token, grandchild.token]) {
      const read = await app.request("/api/progress-sync/summary", { token });
      assert.equal(read.status, 401);
      await read.body?.cancel();
    }
    const list = await app.request("/api/tokens", { headers: { cookie: alice.cookie } });
    assert.deepEqual((await list.json()).tokens.map((t: { id: string }) => t.id), [other.id]);
  });
});

Deno.test("a student holds at most 50 tokens: the next is a 409 until one is revoked", async () => {
  await withTestApp(async (app) => {
    const alice = await signedIn(app);
    const made = await Promise.all(
      Array.from(
        { length: 60 },
        (_, i) => createToken(app, alice, { name: `t${i}`, scopes: ["progress:read"] }),
      ),
    );
    const statuses = made.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 201).length, 50, `statuses: ${statuses}`);
    assert.equal(statuses.filter((s) => s === 409).length, 10);
    const refused = made[statuses.indexOf(409)]!;
    assert.match((await refused.json()).error, /Token limit reached: at most 50/);
    const first = await made[statuses.indexOf(201)]!.json();
    for (const r of made) await r.body?.cancel().catch(() => {});
    const out = await app.request(`/api/tokens/${first.id}`, {
      method: "DELETE",
      headers: { cookie: alice.cookie, origin: ORIGIN },
    });
    assert.equal(out.status, 204);
    const again = await createToken(app, alice, { name: "again", scopes: ["progress:read"] });
    assert.equal(again.status, 201);
    await again.body?.cancel();
  });
});

Deno.test("the admin lists and revokes a student's tokens with ?userId=; a student cannot", async () => {
  await withTestApp(async (app) => {
    const alice = await signedIn(app, "alice");
    const bob = await signedIn(app, "bob");
    const script = await (await createToken(app, alice, {
      name: "script",
      scopes: ["progress:read"],
    })).json();
    const listed = await app.request(`/api/tokens?userId=${alice.userId}`, {
      token: TEST_ADMIN_TOKEN,
    });
    assert.equal(listed.status, 200);
    assert.deepEqual((await listed.json()).tokens.map((t: { id: string }) => t.id), [script.id]);
    const byBob = await app.request(`/api/tokens?userId=${alice.userId}`, {
      headers: { cookie: bob.cookie },
    });
    assert.equal(byBob.status, 403);
    await byBob.body?.cancel();
    const revoked = await app.request(`/api/tokens/${script.id}?userId=${alice.userId}`, {
      method: "DELETE",
      token: TEST_ADMIN_TOKEN,
    });
    assert.equal(revoked.status, 204);
    const read = await app.request("/api/progress-sync/summary", { token: script.token });
    assert.equal(read.status, 401);
    await read.body?.cancel();
  });
});
