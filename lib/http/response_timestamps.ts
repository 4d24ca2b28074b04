import type { Context, MiddlewareHandler } from "hono";

/** Header naming when the resource in the response last changed. */
export const LAST_UPDATED_HEADER = "X-Last-Updated-At";

/**
 * Timestamp metadata on every API response, without touching pinned JSON bodies: `Date` (when
 * the runtime did not set it) and `X-Response-Time` (milliseconds spent). Routes whose resource
 * has a change time add `X-Last-Updated-At` with `setLastUpdatedAt`.
 */
export function responseTimestamps(): MiddlewareHandler {
  return async function responseTimestamps(c, next) {
    const started = performance.now();
    await next();
    const headers = c.res.headers;
    try {
      if (!headers.has("date")) headers.set("Date", new Date().toUTCString());
      headers.set("X-Response-Time", `${(performance.now() - started).toFixed(1)}ms`);
    } catch {
      // Some responses (e.g. from fetch) have immutable headers: leave them as they are.
    }
  };
}

/** Sets `X-Last-Updated-At` (ISO 8601) on the response, when the resource has a change time. */
export function setLastUpdatedAt(c: Context, at: string | null | undefined): void {
  if (at) c.header(LAST_UPDATED_HEADER, new Date(at).toISOString());
}

/** The `meta` block of non-pinned JSON responses: when the response was made. */
export function responseMeta(now = new Date()): { timestamp: string } {
  return { timestamp: now.toISOString() };
}
