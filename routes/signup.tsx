import { Hono } from "hono";
import { AuthForm } from "../components/auth_form.tsx";
import { Layout, renderPage } from "../components/layout.tsx";
import { isValidTimeZone } from "../lib/core/calendar.ts";
import { createSession, setUserTimeZone } from "../lib/auth/account_store.ts";
import { credentialsSchema, registerUser } from "../lib/auth/sign_in.ts";
import type { AppEnv } from "../lib/http/app_env.ts";
import { checkSameOrigin } from "../lib/http/auth_middleware.ts";
import { toHttpError } from "../lib/http/error_mapping.ts";
import { pageUser } from "./_page_session.ts";
import { type FieldIssue, fieldIssues } from "../lib/http/validation.ts";
import { setSessionCookie } from "./api/auth.ts";

function signUpPage(
  props: { username?: string; error?: string | null; issues?: FieldIssue[] },
): string {
  return renderPage(
    <Layout title="Sign up" path="/signup">
      <section class="auth card">
        <h1>Create your account</h1>
        <p class="muted">One place for the progress every learning tool reports.</p>
        <AuthForm
          action="/signup"
          submitLabel="Create account"
          username={props.username ?? ""}
          error={props.error ?? null}
          issues={props.issues ?? []}
          passwordAutocomplete="new-password"
          passwordHint="At least 8 characters."
        />
        <p class="muted">
          Have an account? <a href="/signin">Sign in</a>.
        </p>
        <script src="/static/signup_time_zone.js" defer></script>
      </section>
    </Layout>,
  );
}

/** `/signup`: the sign-up form; a successful post creates the account, signs in and opens the dashboard. */
export const signUpPageRoutes = new Hono<AppEnv>()
  .get("/", (c) => {
    if (pageUser(c)) return c.redirect("/dashboard", 303);
    return c.html(signUpPage({}));
  })
  .post("/", async (c) => {
    checkSameOrigin(c);
    const form = await c.req.parseBody();
    const username = String(form.username ?? "");
    const parsed = credentialsSchema.safeParse({ username, password: String(form.password ?? "") });
    if (!parsed.success) {
      return c.html(
        signUpPage({
          username,
          error: "Please fix the fields below.",
          issues: fieldIssues(parsed.error),
        }),
        400,
      );
    }
    try {
      const { kv } = c.get("deps");
      const user = await registerUser(kv, parsed.data);
      const timeZone = String(form.timeZone ?? "");
      if (timeZone && isValidTimeZone(timeZone)) await setUserTimeZone(kv, user.userId, timeZone);
      setSessionCookie(c, await createSession(kv, user.userId));
      return c.redirect("/dashboard", 303);
    } catch (error) {
      const known = toHttpError(error);
      if (!known) throw error;
      return c.html(signUpPage({ username, error: known.message }), known.status as 409);
    }
  });
