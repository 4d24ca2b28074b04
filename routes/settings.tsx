import { Hono } from "hono";
import { Layout, renderPage } from "../components/layout.tsx";
import { closeAccount } from "../lib/account/close_account.ts";
import { getUser } from "../lib/auth/account_store.ts";
import type { AppEnv } from "../lib/http/app_env.ts";
import { toHttpError } from "../lib/http/error_mapping.ts";
import { pageUser, pageUserWithNav, redirectToSignIn } from "./_page_session.ts";
import { confirmPassword } from "./api/account.ts";
import { endSession } from "./api/auth.ts";

const ERRORS: Record<string, string> = {
  password: "That is not your password: nothing was deleted.",
  throttled: "Too many wrong passwords: wait a little and try again. Nothing was deleted.",
};

/** `/settings`: the signed-in student's account: download everything stored about them, or delete the account. */
export const settingsPage = new Hono<AppEnv>()
  .get("/", async (c) => {
    const user = await pageUserWithNav(c);
    if (!user) return redirectToSignIn(c);
    const error = ERRORS[c.req.query("error") ?? ""] ?? null;
    return c.html(renderPage(
      <Layout title="Settings" user={user} path="/settings">
        <div class="page-header">
          <div>
            <h1>Settings</h1>
            <p>Your account and your data.</p>
          </div>
        </div>
        <div class="grid">
          <section class="card stack" aria-labelledby="export-heading">
            <h2 id="export-heading">Your data</h2>
            <p>
              Download everything Progress Sync stores about you as one JSON file: your account,
              every event, your progress, achievements, conflicts, items and the names of your API
              tokens.
            </p>
            <p>
              <a class="button" href="/api/account/export" download data-testid="export-link">
                Download my data
              </a>
            </p>
          </section>
          <section class="card stack" aria-labelledby="delete-heading">
            <h2 id="delete-heading">Delete your account</h2>
            <p>
              This erases your account and every record of it, the event log included, signs you out
              everywhere and revokes your API tokens. It cannot be undone.
            </p>
            <form class="form" method="post" action="/settings/delete">
              {error && <p class="form-error" role="alert">{error}</p>}
              <div class="field">
                <label for="delete-password">Your password</label>
                <input
                  id="delete-password"
                  name="password"
                  type="password"
                  required
                  autocomplete="current-password"
                />
              </div>
              <div class="form-actions">
                <button class="button button-danger" type="submit">Delete my account</button>
              </div>
            </form>
          </section>
        </div>
      </Layout>,
    ));
  })
  .post("/delete", async (c) => {
    const signedIn = pageUser(c);
    if (!signedIn) return redirectToSignIn(c);
    const user = await getUser(c.get("deps").kv, signedIn.userId);
    if (!user) return redirectToSignIn(c);
    const form = await c.req.parseBody();
    try {
      await confirmPassword(c, user, String(form.password ?? ""));
    } catch (error) {
      const known = toHttpError(error);
      if (!known) throw error;
      return c.redirect(`/settings?error=${known.status === 429 ? "throttled" : "password"}`, 303);
    }
    await closeAccount(c.get("deps"), user, { by: "student" });
    await endSession(c);
    return c.redirect("/?deleted=1", 303);
  });
