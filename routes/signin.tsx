import { Hono } from "hono";
import { AuthForm } from "../components/auth_form.tsx";
import { Layout, renderPage } from "../components/layout.tsx";
import { signIn } from "../lib/auth/sign_in.ts";
import type { AppEnv } from "../lib/http/app_env.ts";
import { checkSameOrigin } from "../lib/http/auth_middleware.ts";
import { clientAddress } from "../lib/http/client_address.ts";
import { toHttpError } from "../lib/http/error_mapping.ts";
import type { FieldIssue } from "../lib/http/validation.ts";
import { pageUser, safeNext } from "./_page_session.ts";
import { setSessionCookie } from "./api/auth.ts";

function signInPage(
  props: {
    username?: string;
    error?: string | null;
    issues?: FieldIssue[];
    next?: string;
    hint?: string | null;
  },
): string {
  return renderPage(
    <Layout title="Sign in" path="/signin">
      <section class="auth card">
        <h1>Sign in</h1>
        {props.hint && <p class="alert alert-info" data-testid="demo-hint">{props.hint}</p>}
        <AuthForm
          action="/signin"
          submitLabel="Sign in"
          username={props.username ?? ""}
          error={props.error ?? null}
          issues={props.issues ?? []}
          next={props.next ?? ""}
          passwordAutocomplete="current-password"
        />
        <p class="muted">
          New here? <a href="/signup">Create an account</a>.
        </p>
      </section>
    </Layout>,
  );
}

/** `/signin`: the sign-in form; a successful post sets the session cookie and goes to `next`. */
export const signInPageRoutes = new Hono<AppEnv>()
  .get("/", (c) => {
    const next = safeNext(c.req.query("next"));
    if (pageUser(c)) return c.redirect(next, 303);
    return c.html(signInPage({ next, hint: c.get("deps").signInHint ?? null }));
  })
  .post("/", async (c) => {
    checkSameOrigin(c);
    const form = await c.req.parseBody();
    const username = String(form.username ?? "");
    const next = safeNext(String(form.next ?? ""));
    const hint = c.get("deps").signInHint ?? null;
    const issues: FieldIssue[] = [
      ...(username.trim() ? [] : [{ path: "username", message: "Enter your username." }]),
      ...(form.password ? [] : [{ path: "password", message: "Enter your password." }]),
    ];
    if (issues.length > 0) return c.html(signInPage({ username, issues, next, hint }), 400);
    try {
      const { sessionSecret } = await signIn(c.get("deps").kv, {
        username,
        password: String(form.password ?? ""),
      }, { address: clientAddress(c) });
      setSessionCookie(c, sessionSecret);
      return c.redirect(next, 303);
    } catch (error) {
      const known = toHttpError(error);
      if (!known) throw error;
      return c.html(
        signInPage({
          username,
          error: known.message,
          next,
          hint,
        }),
        known.status as 401,
      );
    }
  });
