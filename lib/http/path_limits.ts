import type { MiddlewareHandler } from "hono";
import { MAX_ID_LENGTH } from "../core/event_schema.ts";
import { HttpError } from "./http_error.ts";

/**
 * Rejects (400) a request whose path has a segment (decoded) longer than any id the service stores
 * (`MAX_ID_LENGTH`), before a route stores such an id or builds a KV key from it (KV keys are
 * limited to 2 KiB, so an over-long id would otherwise fail as a 500).
 */
export function limitPathSegments(): MiddlewareHandler {
  return async function limitPathSegments(c, next) {
    if (c.req.path.split("/").some((segment) => decoded(segment).length > MAX_ID_LENGTH)) {
      throw new HttpError(
        400,
        `Path segment too long: ids are at most ${MAX_ID_LENGTH} characters`,
      );
    }
    await next();
  };
}

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
