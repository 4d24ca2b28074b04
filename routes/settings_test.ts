import assert from "node:assert/strict";
import { getUser } from "../lib/auth/account_store.ts";
import { withTestApp } from "../tests/support/test_app.ts";

const ORIGIN = "http://localhost";
const PASSWORD = "correct horse battery";

Deno.test("the settings page offers the export and deletes the account after the password", async () => {
  await withTestApp(async (app) => {
    const { userId } = await (await app.request("/api/auth/register", {
      method: "POST",
      json: { username: "alice", password: PASSWORD },
    })).json();
    const login = await app.request("/api/auth/login", {
      method: "POST",
      json: { username: "alice", password: PASSWORD },
    });
    await login.body?.cancel();
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
    const page = await app.request("/settings", { headers: { cookie, accept: "text/html" } });
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /href="\/api\/account\/export"/);
    assert.match(html, /action="\/settings\/delete"/);
    assert.match(html, /href="\/settings"[^>]*aria-current="page"/);
    const anonymous = await app.request("/settings");
    assert.equal(anonymous.status, 303);
    await anonymous.body?.cancel();

    const post = (password: string) =>
      app.request("/settings/delete", {
        method: "POST",
        headers: {
          cookie,
          origin: ORIGIN,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ password }).toString(),
      });
    const wrong = await post("not it");
    assert.equal(wrong.status, 303);
    assert.equal(wrong.headers.get("location"), "/settings?error=password");
    assert.ok(await getUser(app.kv, userId));
    const right = await post(PASSWORD);
    assert.equal(right.status, 303);
    assert.equal(right.headers.get("location"), "/?deleted=1");
    assert.match(right.headers.get("set-cookie") ?? "", /ps_session=;/);
    assert.equal(await getUser(app.kv, userId), null);
  });
});
