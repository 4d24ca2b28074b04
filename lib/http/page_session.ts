import type { Context } from "hono";
import { openConflictIds } from "../conflicts/conflict_store.ts";
import type { AppEnv } from "./app_env.ts";

/** The signed-in student of a page request (session cookie only), or null. */
export function pageUser(
  c: Context<AppEnv>,
): { userId: string; username: string } | null {
  const principal = c.get("principal");
  if (!principal || principal.via !== "session" || !principal.userId) return null;
  return { userId: principal.userId, username: principal.username ?? "" };
}

/** The signed-in student with the count the navigation shows on Conflicts, or null. */
export async function pageUserWithNav(
  c: Context<AppEnv>,
): Promise<{ userId: string; username: string; openConflicts: number } | null> {
  const user = pageUser(c);
  if (!user) return null;
  return { ...user, openConflicts: (await openConflictIds(c.get("deps").kv, user.userId)).length };
}

/** Only same-site relative paths are allowed as post-sign-in destinations. */
export function safeNext(next: string | undefined): string {
  return next && /^\/(?!\/)[\w\-./?=&%]*$/.test(next) ? next : "/dashboard";
}

/** Redirects to the sign-in page, coming back to the current path afterwards. */
export function redirectToSignIn(c: Context<AppEnv>): Response {
  return c.redirect(`/signin?next=${encodeURIComponent(c.req.path)}`, 303);
}
