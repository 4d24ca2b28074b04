import type { Context } from "hono";
import type { AppEnv } from "./app_env.ts";

/**
 * The origin absolute links are built on: `PUBLIC_URL` when configured, else the origin the
 * request arrived on (its Host as the server saw it; forwarded-host headers are never trusted).
 */
export function publicOrigin(c: Context<AppEnv>): string {
  return c.get("deps").publicUrl ?? new URL(c.req.url).origin;
}
