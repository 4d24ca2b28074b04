import type { Context } from "hono";
import type { AppEnv } from "./app_env.ts";

/** The signed-in student of a page request (session cookie only), or null. */
export function pageUser(
  c: Context<AppEnv>,
): { userId: string; username: string } | null {
  const principal = c.get("principal");
  if (!principal || principal.via !== "session" || !principal.userId) return null;
  return { userId: principal.userId, username: principal.username ?? "" };
}

/** Only same-site relative paths are allowed as post-sign-in destinations. */
export function safeNext(next: string | undefined): string {
  return next && /^\/(?!\/)[\w\-./?=&%]*$/.test(next) ? next : "/dashboard";
}

/** Redirects to the sign-in page, coming back to the current path afterwards. */
export function redirectToSignIn(c: Context<AppEnv>): Response {
  return c.redirect(`/signin?next=${encodeURIComponent(c.req.path)}`, 303);
}
