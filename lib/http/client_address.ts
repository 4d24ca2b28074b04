import type { Context } from "hono";
import type { AppEnv } from "./app_env.ts";

/**
 * The address a request came from: the peer of the connection, or with `TRUST_PROXY` the last
 * `X-Forwarded-For` entry (the one the trusted proxy added). `unknown` in-process (tests).
 */
export function clientAddress(c: Context<AppEnv>): string {
  if (c.get("deps").trustProxy) {
    const forwarded = c.req.header("x-forwarded-for")?.split(",").at(-1)?.trim();
    if (forwarded) return forwarded.slice(0, 64);
  }
  const info = c.env as { remoteAddr?: { hostname?: string } } | undefined;
  return info?.remoteAddr?.hostname ?? "unknown";
}
