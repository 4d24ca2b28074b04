import { Hono } from "hono";
import { z } from "zod";
import { acceptPostedEvents } from "../../../lib/events/intake.ts";
import { getStoredEvent, listEventsSince, parseCursor } from "../../../lib/events/log_store.ts";
import type { StoredEvent } from "../../../lib/core/event_schema.ts";
import type { AppEnv } from "../../../lib/http/app_env.ts";
import { requireScope } from "../../../lib/http/auth_middleware.ts";
import { HttpError } from "../../../lib/http/http_error.ts";
import { readJson } from "../../../lib/http/read_json.ts";
import { subjectUserId } from "../../../lib/http/subject_user.ts";
import { parseOr400 } from "../../../lib/http/validation.ts";
import { getProcessingState, waitForResults } from "../../../lib/progress/results.ts";
import { setLastUpdatedAt } from "../../../lib/http/response_timestamps.ts";

/** How long `?wait=true` holds the response at most. */
export const WAIT_LIMIT_MS = 5000;

const listQuerySchema = z.object({
  since: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  userId: z.string().optional(),
});

/** An event as the API shows it (without internal fields). */
export function eventView(event: StoredEvent) {
  const { contentHash: _hash, ...view } = event;
  return view;
}

/** `/api/progress-sync/events`: post events (one or a batch), read one, list since a cursor. */
export const eventRoutes = new Hono<AppEnv>()
  .post("/", async (c) => {
    const principal = requireScope(c, "events:write", "system");
    const { kv } = c.get("deps");
    const wait = c.req.query("wait") === "true";
    const { outcomes, runs, batch } = await acceptPostedEvents(c.get("deps"), await readJson(c), {
      principal,
      now: new Date(),
    });
    if (!batch && outcomes[0]!.status === "conflict") {
      throw new HttpError(
        409,
        `Cannot accept event "${outcomes[0]!.id}": id already used with different content`,
      );
    }
    const results = outcomes.map(({ id, status }) => ({ id, status }));
    if (!wait) return c.json({ results }, 202);
    const synced = await waitForResults(kv, outcomes, runs, WAIT_LIMIT_MS);
    if (synced === null) return c.json({ results, processed: false }, 202);
    return c.json({ results: synced }, 200);
  })
  .get("/", async (c) => {
    const principal = requireScope(c, "progress:read", "system");
    const query = parseOr400(listQuerySchema, c.req.query(), "query");
    if (query.since !== undefined && parseCursor(query.since) === null) {
      throw new HttpError(400, "Invalid cursor: pass back a `cursor` this endpoint returned");
    }
    const userId = await subjectUserId(c, principal);
    const page = await listEventsSince(c.get("deps").kv, userId, {
      ...(query.since === undefined ? {} : { since: query.since }),
      limit: query.limit,
    });
    return c.json({ events: page.events.map(eventView), cursor: page.cursor });
  })
  .get("/:id", async (c) => {
    const principal = requireScope(c, "progress:read", "system");
    const userId = await subjectUserId(c, principal);
    const { kv } = c.get("deps");
    const event = await getStoredEvent(kv, userId, c.req.param("id"));
    if (!event) throw new HttpError(404, "Event not found");
    const state = await getProcessingState(kv, userId, event.id);
    setLastUpdatedAt(c, event.receivedAt);
    return c.json({ event: eventView(event), ...state });
  });
