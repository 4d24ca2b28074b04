import assert from "node:assert/strict";
import { jsonOf } from "../../lib/account/account_erasure.ts";
import { TEST_ADMIN_TOKEN, type TestApp, withTestApp } from "../../tests/support/test_app.ts";

const ORIGIN = "http://localhost";
const PASSWORD = "correct horse battery";
const MARKER = "zq7marker";

interface Signed {
  userId: string;
  username: string;
  cookie: string;
  token: string;
}

async function signUp(app: TestApp, username: string): Promise<Signed> {
  const registered = await app.request("/api/auth/register", {
    method: "POST",
    json: { username, password: PASSWORD },
  });
  const { userId } = await registered.json();
  const login = await app.request("/api/auth/login", {
    method: "POST",
    json: { username, password: PASSWORD },
  });
  await login.body?.cancel();
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
  const token = await (await app.request("/api/tokens", {
    method: "POST",
    headers: { cookie, origin: ORIGIN },
    json: { name: `${username} ${MARKER} script`, scopes: ["events:write", "progress:read"] },
  })).json();
  return { userId, username, cookie, token: token.token };
}

/** Gives a student data in every kind of record: events, learning progress, an item, webhook deliveries, a failed sign-in. */
async function plant(app: TestApp, who: Signed, system: string): Promise<void> {
  const ok = async (response: Promise<Response>, label: string) => {
    const r = await response;
    assert.ok(r.status < 300, `${label}: ${r.status} ${await r.clone().text()}`);
    await r.body?.cancel();
  };
  await ok(
    app.request("/api/progress-sync/activities/video-1", {
      method: "PUT",
      token: system,
      json: { title: "Video one", activityType: "video" },
    }),
    "activity",
  );
  await ok(
    app.request(`/api/progress-sync/items/${who.username}-todo`, {
      method: "PUT",
      token: system,
      json: {
        userId: who.userId,
        system: "todo_manager",
        kind: "todo",
        title: `${MARKER} ${who.username} todo`,
        activityIds: ["video-1"],
      },
    }),
    "item",
  );
  await ok(
    app.request("/api/progress-sync/events?wait=true", {
      method: "POST",
      token: who.token,
      json: {
        id: `${who.username}-${MARKER}-e1`,
        eventType: "video_completed",
        sourceSystem: "video_player",
        eventData: {
          activityId: "video-1",
          activityType: "video",
          completionStatus: "completed",
          videoProgress: { videoId: `${MARKER}-${who.username}`, percentageWatched: 100 },
        },
        timestamp: "2026-11-01T10:00:00Z",
      },
    }),
    "event",
  );
  await ok(
    app.request("/api/v1/learning/progress", {
      method: "PUT",
      token: who.token,
      json: {
        clientUpdatedAt: "2026-11-01T10:00:05.000Z",
        events: [{
          eventId: `${who.username}-${MARKER}-l1`,
          occurredAt: "2026-11-01T10:00:00.000Z",
          clientId: `${MARKER}-client`,
          type: "content.progressed",
          payload: { contentId: "video-1", status: "in_progress" },
        }],
      },
    }),
    "learning progress",
  );
  await ok(
    app.request("/xapi/statements", {
      method: "POST",
      headers: {
        authorization: `Basic ${btoa(`any:${who.token}`)}`,
        "x-experience-api-version": "1.0.3",
      },
      json: {
        actor: {
          account: { homePage: ORIGIN, name: who.username },
          name: `${MARKER} ${who.username}`,
        },
        verb: { id: "http://adlnet.gov/expapi/verbs/completed" },
        object: { id: `${ORIGIN}/activities/video-1` },
      },
    }),
    "xAPI statement",
  );
  await app.processor.idle();
  await app.deliveries.runDue();
  const wrong = await app.request("/api/auth/login", {
    method: "POST",
    json: { username: who.username, password: "not the password" },
  });
  await wrong.body?.cancel();
}

async function kvDump(kv: Deno.Kv): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of kv.list({ prefix: [] })) {
    out.push(`${jsonOf(entry.key)} ${jsonOf(entry.value)}`);
  }
  return out;
}

Deno.test("DELETE /api/account erases every record of the student: nothing they sent survives in KV", async () => {
  const receiver = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response("ok"),
  );
  try {
    await withTestApp(async (app) => {
      const system = await app.adminOwnedToken(["system"]);
      await (await app.request("/api/webhooks", {
        method: "POST",
        token: TEST_ADMIN_TOKEN,
        json: { url: `http://127.0.0.1:${receiver.addr.port}/hook`, eventTypes: ["*"] },
      })).body?.cancel();
      const alice = await signUp(app, "alice");
      const bob = await signUp(app, "bob");
      await plant(app, alice, system);
      await plant(app, bob, system);
      const before = await kvDump(app.kv);
      assert.ok(before.some((line) => line.includes(alice.userId) && line.includes(MARKER)));
      assert.ok(before.some((line) => line.includes("webhook_deliveries")), "deliveries made");

      const wrong = await app.request("/api/account", {
        method: "DELETE",
        headers: { cookie: alice.cookie, origin: ORIGIN },
        json: { password: "not it" },
      });
      assert.equal(wrong.status, 403);
      await wrong.body?.cancel();
      const deleted = await app.request("/api/account", {
        method: "DELETE",
        headers: { cookie: alice.cookie, origin: ORIGIN },
        json: { password: PASSWORD },
      });
      assert.equal(deleted.status, 200);
      const body = await deleted.json();
      assert.equal(body.deleted, true);
      assert.ok(body.erasedRecords > 10);

      const after = await kvDump(app.kv);
      const survivors = after.filter((line) =>
        line.includes(alice.userId) || /alice/i.test(line) || line.includes(`alice-${MARKER}`)
      );
      assert.deepEqual(survivors, [], "nothing of alice's is left");
      assert.ok(after.some((line) => line.includes(`bob-${MARKER}-e1`)), "bob's data stays");
      const audit = after.filter((line) => line.includes('"account.erased"'));
      assert.equal(audit.length, 1);

      for (const auth of [{ token: alice.token }, { headers: { cookie: alice.cookie } }]) {
        const read = await app.request("/api/progress-sync/summary", auth);
        assert.equal(read.status, 401);
        await read.body?.cancel();
      }
      const login = await app.request("/api/auth/login", {
        method: "POST",
        json: { username: "alice", password: PASSWORD },
      });
      assert.equal(login.status, 401);
      await login.body?.cancel();
    });
  } finally {
    await receiver.shutdown();
  }
});

Deno.test("GET /api/account/export returns the student's records and token names, never secrets", async () => {
  await withTestApp(async (app) => {
    const system = await app.adminOwnedToken(["system"]);
    const alice = await signUp(app, "alice");
    const bob = await signUp(app, "bob");
    await plant(app, alice, system);
    await plant(app, bob, system);
    const response = await app.request("/api/account/export", {
      headers: { cookie: alice.cookie },
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-disposition") ?? "", /attachment/);
    assert.equal(response.headers.get("cache-control"), "no-store");
    const text = await response.text();
    const data = JSON.parse(text);
    assert.equal(data.account.username, "alice");
    const ids = data.events.map((e: { id: string }) => e.id);
    assert.ok(ids.includes(`alice-${MARKER}-e1`), ids.join());
    assert.equal(data.learningEvents.length, 1);
    assert.equal(data.states.length, 1);
    assert.equal(data.items[0].title, `${MARKER} alice todo`);
    assert.deepEqual(data.tokens.map((t: { name: string }) => t.name), [`alice ${MARKER} script`]);
    assert.ok(!text.includes("bob"), "nothing of bob's");
    assert.ok(!text.includes("scrypt$") && !text.includes(alice.token), "no secrets");
    assert.ok(!text.includes(alice.cookie.split("=")[1]!));
  });
});

Deno.test("the admin exports and deletes a student's account with ?userId=; a student cannot name another", async () => {
  await withTestApp(async (app) => {
    const alice = await signUp(app, "alice");
    const bob = await signUp(app, "bob");
    const byBob = await app.request(`/api/account/export?userId=${alice.userId}`, {
      token: bob.token,
    });
    assert.equal(byBob.status, 403);
    await byBob.body?.cancel();
    const bobDeletes = await app.request(`/api/account?userId=${alice.userId}`, {
      method: "DELETE",
      token: bob.token,
      json: { password: PASSWORD },
    });
    assert.equal(bobDeletes.status, 403);
    await bobDeletes.body?.cancel();
    const exported = await app.request(`/api/account/export?userId=${alice.userId}`, {
      token: TEST_ADMIN_TOKEN,
    });
    assert.equal(exported.status, 200);
    assert.equal((await exported.json()).account.userId, alice.userId);
    const deleted = await app.request(`/api/account?userId=${alice.userId}`, {
      method: "DELETE",
      token: TEST_ADMIN_TOKEN,
    });
    assert.equal(deleted.status, 200);
    await deleted.body?.cancel();
    const gone = await app.request("/api/progress-sync/summary", { token: alice.token });
    assert.equal(gone.status, 401);
    await gone.body?.cancel();
    const audit = await (await app.request("/api/audit?action=account.erased", {
      token: TEST_ADMIN_TOKEN,
    })).json();
    assert.equal(audit.entries.length, 1);
    assert.equal(audit.entries[0].actor, "admin");
    assert.ok(!JSON.stringify(audit.entries[0]).includes(alice.userId));
  });
});
