import type { Context } from "hono";
import { openConflictIds as openConflictIdsOf } from "../lib/conflicts/conflict_store.ts";
import { latestNotificationId } from "../lib/live/notification_store.ts";
import type { AppEnv } from "../lib/http/app_env.ts";
import type { NavUser } from "../components/layout.tsx";

/** The signed-in student of a page request (session cookie only), or null. */
export function pageUser(
  c: Context<AppEnv>,
): { userId: string; username: string } | null {
  const principal = c.get("principal");
  if (!principal || principal.via !== "session" || !principal.userId) return null;
  return { userId: principal.userId, username: principal.username ?? "" };
}

/**
 * The signed-in student with what the live navigation needs (their open conflicts, then the live
 * stream position: read in that order, so no conflict is counted twice), or null.
 */
export async function pageUserWithNav(
  c: Context<AppEnv>,
): Promise<(NavUser & { userId: string; liveCursor: string | null }) | null> {
  const user = pageUser(c);
  if (!user) return null;
  const { kv } = c.get("deps");
  const openConflictIds = await openConflictIdsOf(kv, user.userId);
  return { ...user, openConflictIds, liveCursor: await latestNotificationId(kv, user.userId) };
}

/** Only same-site relative paths are allowed as post-sign-in destinations. */
export function safeNext(next: string | undefined): string {
  return next && /^\/(?!\/)[\w\-./?=&%]*$/.test(next) ? next : "/dashboard";
}

/** Redirects to the sign-in page, coming back to the current path afterwards. */
export function redirectToSignIn(c: Context<AppEnv>): Response {
  return c.redirect(`/signin?next=${encodeURIComponent(c.req.path)}`, 303);
}
