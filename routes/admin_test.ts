import assert from "node:assert/strict";
import { createSession, findApiToken } from "../lib/auth/account_store.ts";
import { getAdminSession } from "../lib/auth/admin_session.ts";
import { adminSessionKey } from "../lib/kv_keys.ts";
import { TEST_ADMIN_TOKEN, withTestApp } from "../tests/support/test_app.ts";

const ORIGIN = "http://localhost";

function form(fields: Record<string, string>) {
  return {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: ORIGIN },
    body: new URLSearchParams(fields).toString(),
  };
}

Deno.test("the admin signs in to the console by pasting the token; only a hashed session is stored", async () => {
  await withTestApp(async (app) => {
    const page = await app.request("/admin", { headers: { accept: "text/html" } });
    assert.equal(page.status, 200);
    const signInHtml = await page.text();
    assert.match(signInHtml, /name="token"/);
    // The sign-in page has the console's own navigation, not a visitor's sign-up links.
    assert.match(signInHtml, /href="\/admin"[^>]*>Console</);
    assert.doesNotMatch(signInHtml, /href="\/signup"/);

    const wrong = await app.request("/admin/signin", form({ token: "nope" }));
    assert.equal(wrong.status, 401);
    assert.match(await wrong.text(), /not an admin token/);
    const student = await app.student();
    const notAdmin = await app.request("/admin/signin", form({ token: student.token }));
    assert.equal(notAdmin.status, 401);

    const signedIn = await app.request("/admin/signin", form({ token: TEST_ADMIN_TOKEN }));
    assert.equal(signedIn.status, 303);
    const setCookie = signedIn.headers.get("set-cookie") ?? "";
    assert.match(setCookie, /^ps_admin=adm_/);
    assert.match(setCookie, /HttpOnly/i);
    assert.match(setCookie, /SameSite=Strict/i);
    assert.match(setCookie, /Path=\/admin/);
    const secret = /^ps_admin=([^;]+)/.exec(setCookie)![1]!;
    for await (const entry of app.kv.list({ prefix: ["admin_sessions"] })) {
      assert.notEqual(entry.key[1], secret, "the session is keyed by a hash");
      assert.ok(!JSON.stringify(entry.value).includes(secret));
    }
    assert.equal((await app.kv.get(adminSessionKey(secret))).value, null);

    const cookie = `ps_admin=${secret}`;
    const console = await app.request("/admin", { headers: { cookie, accept: "text/html" } });
    assert.equal(console.status, 200);
    const html = await console.text();
    assert.match(html, /data-island="admin_console"/);
    assert.match(html, /data-testid="health-status"/);

    const data = await app.request("/admin/api/console", { headers: { cookie } });
    assert.equal(data.status, 200);
    const body = await data.json();
    assert.equal(typeof body.health.status, "string");
    assert.ok(Array.isArray(body.deadLetters));
    const health = await app.request("/admin/api/health", { headers: { cookie } });
    assert.equal(health.status, 200);

    const out = await app.request("/admin/signout", {
      ...form({}),
      headers: { ...form({}).headers, cookie },
    });
    assert.equal(out.status, 303);
    const after = await app.request("/admin/api/console", { headers: { cookie } });
    assert.equal(after.status, 401);
    const audit = await (await app.request("/api/audit", { token: TEST_ADMIN_TOKEN })).json();
    const actions = audit.entries.map((e: { action: string }) => e.action);
    assert.ok(actions.includes("admin.signed_in") && actions.includes("admin.signed_out"));
  });
});

Deno.test("the console cookie is refused for cross-site writes and a student session never reaches the admin API", async () => {
  await withTestApp(async (app) => {
    const signedIn = await app.request("/admin/signin", form({ token: TEST_ADMIN_TOKEN }));
    const cookie = (signedIn.headers.get("set-cookie") ?? "").split(";")[0]!;
    const crossSite = await app.request("/admin/api/webhooks/ep_x/replay", {
      method: "POST",
      headers: { cookie, origin: "https://evil.example", "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(crossSite.status, 403);
    const sameSite = await app.request("/admin/api/webhooks", {
      method: "POST",
      headers: { cookie, origin: ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({ url: "http://127.0.0.1:9/hook", eventTypes: ["*"] }),
    });
    assert.equal(sameSite.status, 201);

    const crossSiteSignIn = await app.request("/admin/signin", {
      ...form({ token: TEST_ADMIN_TOKEN }),
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: "https://evil.example",
      },
    });
    assert.equal(crossSiteSignIn.status, 403);

    const student = await app.student();
    const session = `ps_session=${await createSession(app.kv, student.userId)}`;
    const asStudent = await app.request("/admin/api/console", { headers: { cookie: session } });
    assert.equal(asStudent.status, 401);

    // The cookie is scoped to /admin: the regular API does not accept it.
    const api = await app.request("/api/webhooks", { headers: { cookie } });
    assert.equal(api.status, 401);
  });
});

Deno.test("a console session dies with its credential: the admin token revoked or ADMIN_TOKEN changed", async () => {
  await withTestApp(async (app) => {
    const adminScoped = await app.adminOwnedToken(["admin"]);
    const signedIn = await app.request("/admin/signin", form({ token: adminScoped }));
    assert.equal(signedIn.status, 303);
    const cookie = (signedIn.headers.get("set-cookie") ?? "").split(";")[0]!;
    assert.equal((await app.request("/admin/api/console", { headers: { cookie } })).status, 200);

    const record = await findApiToken(app.kv, adminScoped);
    const revoked = await app.request(`/api/tokens/${record!.id}`, {
      method: "DELETE",
      token: TEST_ADMIN_TOKEN,
    });
    assert.equal(revoked.status, 204);
    const after = await app.request("/admin/api/console", { headers: { cookie } });
    assert.equal(after.status, 401);
    await after.body?.cancel();
    const write = await app.request("/admin/api/webhooks", {
      method: "POST",
      headers: { cookie, origin: ORIGIN },
      json: { url: "http://127.0.0.1:9/hook", eventTypes: ["*"] },
    });
    assert.equal(write.status, 401);
    await write.body?.cancel();

    const viaAdminToken = await app.request("/admin/signin", form({ token: TEST_ADMIN_TOKEN }));
    const secret = /^ps_admin=([^;]+)/.exec(viaAdminToken.headers.get("set-cookie") ?? "")![1]!;
    assert.ok(await getAdminSession({ kv: app.kv, adminToken: TEST_ADMIN_TOKEN }, secret));
    const rotated = { kv: app.kv, adminToken: "a-new-admin-token-987654321" };
    assert.equal(await getAdminSession(rotated, secret), null, "ADMIN_TOKEN changed");
    assert.equal(await getAdminSession({ kv: app.kv, adminToken: TEST_ADMIN_TOKEN }, secret), null);
  });
});

Deno.test("wrong admin tokens from one address never lock out the admin signing in from another", async () => {
  await withTestApp(async (app) => {
    const from = (address: string, token: string) =>
      app.request("/admin/signin", {
        ...form({ token }),
        headers: { ...form({}).headers, "x-forwarded-for": address },
      });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const response = await from("198.51.100.20", `guess-${i}`);
      statuses.push(response.status);
      await response.body?.cancel();
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
    const admin = await from("192.0.2.30", TEST_ADMIN_TOKEN);
    assert.equal(admin.status, 303, "the real admin elsewhere signs in");
    await admin.body?.cancel();
  }, { trustProxy: true });
});
