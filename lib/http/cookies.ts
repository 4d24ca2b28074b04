import type { Context } from "hono";
import type { AppEnv } from "./app_env.ts";

/** Name of the HttpOnly session cookie over plain http (development); see `sessionCookieName`. */
export const SESSION_COOKIE = "ps_session";
/** Name of the admin console cookie over plain http (development); see `adminCookieName`. */
export const ADMIN_COOKIE = "ps_admin";

/**
 * Whether browsers reach this site over https: `PUBLIC_URL`'s scheme when configured, else
 * `X-Forwarded-Proto` behind a trusted proxy (`TRUST_PROXY`), else the request's own scheme.
 */
export function servedOverHttps(c: Context<AppEnv>): boolean {
  const { publicUrl, trustProxy } = c.get("deps");
  if (publicUrl) return publicUrl.startsWith("https:");
  const forwarded = trustProxy ? c.req.header("x-forwarded-proto")?.split(",")[0]?.trim() : null;
  return (forwarded ? `${forwarded}:` : new URL(c.req.url).protocol) === "https:";
}

/** The session cookie's name: `__Host-ps_session` over https (Secure, host-only, path /), else `ps_session`. */
export function sessionCookieName(c: Context<AppEnv>): string {
  return servedOverHttps(c) ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE;
}

/** The console cookie's name: `__Secure-ps_admin` over https (its path is /admin, so not `__Host-`). */
export function adminCookieName(c: Context<AppEnv>): string {
  return servedOverHttps(c) ? `__Secure-${ADMIN_COOKIE}` : ADMIN_COOKIE;
}
