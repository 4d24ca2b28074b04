import assert from "node:assert/strict";
import { Layout, renderPage } from "./layout.tsx";

Deno.test("renderPage returns a full HTML document with the shell landmarks", () => {
  const html = renderPage(
    <Layout title="Dashboard">
      <h1>Body</h1>
    </Layout>,
  );
  assert.ok(html.startsWith('<!doctype html><html lang="en">'));
  assert.match(
    html,
    /<meta name="viewport" content="width=device-width, initial-scale=1">/,
  );
  assert.match(html, /<link rel="stylesheet" href="\/static\/styles.css">/);
  assert.match(html, /<title>Dashboard · Progress Sync<\/title>/);
  assert.match(html, /<a class="skip-link" href="#main">/);
  assert.match(html, /<main id="main"[^>]*><h1>Body<\/h1><\/main>/);
  assert.match(
    html,
    /<div id="toasts" class="toasts" role="status" aria-live="polite"><\/div>/,
  );
  assert.match(html, /<footer/);
});

Deno.test("Layout shows sign in and sign up to visitors", () => {
  const html = renderPage(<Layout title="Sign in" path="/signin" />);
  assert.match(html, /href="\/signin" aria-current="page">Sign in</);
  assert.match(html, /href="\/signup">Sign up</);
  assert.doesNotMatch(html, /\/signout/);
  assert.doesNotMatch(html, /\/dashboard"/);
});

Deno.test("Layout shows the app nav and a sign-out form to a signed-in user", () => {
  const html = renderPage(
    <Layout title="Tokens" user={{ username: "<ann>" }} path="/tokens" />,
  );
  assert.match(html, /href="\/dashboard"[^>]*>Dashboard</);
  assert.match(html, /href="\/tokens" aria-current="page">API tokens</);
  assert.match(html, /<form class="signout" method="post" action="\/signout">/);
  assert.match(html, /&lt;ann>/);
  assert.doesNotMatch(html, /href="\/signin"/);
});
