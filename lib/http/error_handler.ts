import type { Context } from "hono";
import type { AppEnv } from "./app_env.ts";
import { HttpError } from "./http_error.ts";

/** Maps any thrown error to a JSON response: HttpErrors as they say, anything else a 500 without internals. */
export function handleError(error: Error, c: Context<AppEnv>): Response {
  if (error instanceof HttpError) {
    const details = error.details && typeof error.details === "object" ? error.details : {};
    return c.json({ error: error.message, status: error.status, ...details }, error.status as 400);
  }
  const status = (error as { status?: unknown }).status;
  if (status === 413) {
    return c.json({ error: "Request body too large: the limit is 1 MiB", status: 413 }, 413);
  }
  console.error(`${c.req.method} ${c.req.path} failed:`, error);
  return c.json({ error: "Internal error: the request could not be completed", status: 500 }, 500);
}

/** A 404 for unknown routes. */
export function handleNotFound(c: Context<AppEnv>): Response {
  return c.json({ error: `No route for ${c.req.method} ${c.req.path}`, status: 404 }, 404);
}
