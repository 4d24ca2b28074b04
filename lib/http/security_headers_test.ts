import assert from "node:assert/strict";
import { createSession } from "../auth/account_store.ts";
import { type TestApp, withTestApp } from "../../tests/support/test_app.ts";

const PASSWORD = "correct horse battery";

async function registerAndLogIn(app: TestApp, headers: Record<string, string> = {}) {
  await (await app.request("/api/auth/register", {
    method: "POST",
    json: { username: "alice", password: PASSWORD },
  })).body?.cancel();
  return await app.request("/api/auth/login", {
    method: "POST",
    headers,
    json: { username: "alice", password: PASSWORD },
  });
}

Deno.test("every page carries a CSP without inline scripts, no framing, no plugins and no <base>", async () => {
  await withTestApp(async (app) => {
    for (
      const path of ["/", "/signin", "/signup", "/learn", "/admin", "/api/progress-sync/summary"]
    ) {
      const response = await app.request(path, { headers: { accept: "text/html" } });
      await response.body?.cancel();
      const csp = response.headers.get("content-security-policy") ?? "";
      assert.match(csp, /default-src 'self'/, path);
      assert.match(csp, /script-src 'self'(;|$)/, `${path}: no 'unsafe-inline' for scripts`);
      for (const directive of ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"]) {
        assert.ok(csp.includes(directive), `${path}: ${directive}`);
      }
      assert.equal(response.headers.get("x-frame-options"), "DENY");
    }
    const signup = await (await app.request("/signup")).text();
    assert.doesNotMatch(signup, /<script(?![^>]*(src=|type="application\/json"))[^>]*>/);
  });
});

Deno.test("signed-in pages, API answers and the token secret are Cache-Control: no-store", async () => {
  await withTestApp(async (app) => {
    const { userId, token } = await app.student();
    const cookie = `ps_session=${await createSession(app.kv, userId)}`;
    const page = await app.request("/dashboard", { headers: { cookie, accept: "text/html" } });
    assert.equal(page.status, 200);
    assert.equal(page.headers.get("cache-control"), "no-store");
    await page.body?.cancel();
    const created = await app.request("/api/tokens", {
      method: "POST",
      headers: { cookie, origin: "http://localhost" },
      json: { name: "script", scopes: ["progress:read"] },
    });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get("cache-control"), "no-store");
    await created.body?.cancel();
    const summary = await app.request("/api/progress-sync/summary", { token });
    assert.equal(summary.headers.get("cache-control"), "no-store");
    await summary.body?.cancel();
    const style = await app.request("/static/styles.css", { headers: { cookie } });
    assert.notEqual(style.headers.get("cache-control"), "no-store", "static files stay cacheable");
    await style.body?.cancel();
  });
});

Deno.test("with an https PUBLIC_URL the session cookie is __Host- and Secure, and it authenticates", async () => {
  await withTestApp(async (app) => {
    const login = await registerAndLogIn(app);
    assert.equal(login.status, 200);
    const setCookie = login.headers.get("set-cookie") ?? "";
    assert.match(setCookie, /^__Host-ps_session=/);
    assert.match(setCookie, /; Secure/i);
    assert.match(setCookie, /; Path=\//);
    assert.equal(login.headers.get("cache-control"), "no-store");
    const cookie = setCookie.split(";")[0]!;
    const summary = await app.request("/api/progress-sync/summary", { headers: { cookie } });
    assert.equal(summary.status, 200);
    await summary.body?.cancel();
    const plain = cookie.replace("__Host-ps_session", "ps_session");
    const refused = await app.request("/api/progress-sync/summary", { headers: { cookie: plain } });
    assert.equal(refused.status, 401, "the unprefixed name is not accepted over https");
    await refused.body?.cancel();
  }, { publicUrl: "https://progress.example.org" });
});

Deno.test("behind a trusted proxy X-Forwarded-Proto: https makes cookies Secure; untrusted it does not", async () => {
  await withTestApp(async (app) => {
    const login = await registerAndLogIn(app, { "x-forwarded-proto": "https" });
    assert.match(login.headers.get("set-cookie") ?? "", /^__Host-ps_session=.*; Secure/i);
    await login.body?.cancel();
  }, { trustProxy: true });
  await withTestApp(async (app) => {
    const login = await registerAndLogIn(app, { "x-forwarded-proto": "https" });
    const setCookie = login.headers.get("set-cookie") ?? "";
    assert.match(setCookie, /^ps_session=/);
    assert.doesNotMatch(setCookie, /Secure/i);
    await login.body?.cancel();
  });
});
