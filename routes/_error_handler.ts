import type { Context } from "hono";
import { renderErrorPage } from "../components/error_page.tsx";
import type { AppEnv } from "../lib/http/app_env.ts";
import { toHttpError } from "../lib/http/error_mapping.ts";
import { pageUser } from "./_page_session.ts";

function wantsHtml(c: Context): boolean {
  return !c.req.path.startsWith("/api/") &&
    (c.req.header("accept") ?? "").includes("text/html");
}

function respond(
  c: Context<AppEnv>,
  status: number,
  message: string,
  details: object = {},
): Response {
  if (wantsHtml(c)) {
    return c.html(renderErrorPage(status, message, { user: pageUser(c) }), status as 400);
  }
  return c.json({ error: message, status, ...details }, status as 400);
}

/**
 * Maps any thrown error to a response (JSON for the API, the error page for browsers): domain and
 * HTTP errors through `toHttpError`, anything else a 500 without internals.
 */
export function handleError(error: Error, c: Context<AppEnv>): Response {
  const known = toHttpError(error);
  if (known) {
    const details = known.details && typeof known.details === "object" ? known.details : {};
    if ("retryAfterSeconds" in details) c.header("Retry-After", String(details.retryAfterSeconds));
    return respond(c, known.status, known.message, details);
  }
  console.error(`${c.req.method} ${c.req.path} failed:`, error);
  return respond(c, 500, "Internal error: the request could not be completed");
}

/** A 404 for unknown routes: a plain sentence for people, the method and path for API callers. */
export function handleNotFound(c: Context<AppEnv>): Response {
  if (wantsHtml(c)) {
    return respond(
      c,
      404,
      "There is no page at this address. It may have moved, or the link has a typo.",
    );
  }
  return respond(c, 404, `No route for ${c.req.method} ${c.req.path}`);
}
