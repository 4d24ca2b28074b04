import { Hono } from "hono";
import { parseCursor } from "../../../../lib/events/log_store.ts";
import type { AppEnv } from "../../../../lib/http/app_env.ts";
import { requireScope } from "../../../../lib/http/auth_middleware.ts";
import { HttpError } from "../../../../lib/http/http_error.ts";
import { readJson } from "../../../../lib/http/read_json.ts";
import { subjectUserId } from "../../../../lib/http/subject_user.ts";
import {
  type FieldIssue,
  fieldIssues,
  invalidInput,
  parseOr400,
} from "../../../../lib/http/validation.ts";
import {
  appendClientEvents,
  type ClientAppendStatus,
  getClientSnapshot,
  listClientEventsSince,
} from "../../../../lib/learning/client_event_log.ts";
import type { LearningProgressEvent } from "../../../../lib/core/learning_events.ts";
import {
  getProgressQuerySchema,
  learningEventSchema,
  putProgressBodySchema,
} from "../../../../lib/learning/protocol_schema.ts";
import { sharedLogEventsFor } from "../../../../lib/learning/shared_log.ts";
import { acceptEvents } from "../../../../lib/events/intake.ts";

/** Largest accepted event, as JSON text. */
export const MAX_LEARNING_EVENT_BYTES = 4096;

/** Response headers that report what a PUT did, without changing its pinned `{ ok: true }` body. */
export const PUT_REPORT_HEADERS = {
  accepted: "progress-sync-accepted",
  duplicates: "progress-sync-duplicates",
  ignored: "progress-sync-ignored",
} as const;

/** Most ids named in the `progress-sync-ignored` header. */
const MAX_REPORTED_IDS = 20;

function validateEvents(items: readonly unknown[]): LearningProgressEvent[] {
  const issues: FieldIssue[] = [];
  const events: LearningProgressEvent[] = [];
  for (const [index, item] of items.entries()) {
    const parsed = learningEventSchema.safeParse(item);
    if (!parsed.success) {
      issues.push(...fieldIssues(parsed.error, ["events", index]));
      continue;
    }
    if (JSON.stringify(item).length > MAX_LEARNING_EVENT_BYTES) {
      issues.push({
        path: `events[${index}]`,
        message: `Must be at most ${MAX_LEARNING_EVENT_BYTES} bytes as JSON`,
      });
      continue;
    }
    // Stored as the client sent it (seed 001: "do not mutate event payloads").
    events.push(item as LearningProgressEvent);
  }
  if (issues.length > 0) throw invalidInput("request", issues);
  return events;
}

/**
 * `/api/v1/learning/progress`: seed 001's protocol. `GET ?since=` returns the snapshot of every
 * learning event of the student with the events after the cursor; `PUT` stores events by
 * `eventId`, ignoring repeats, and joins them to the shared event log.
 */
export const learningProgressRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const principal = requireScope(c, "progress:read", "system");
    const query = parseOr400(getProgressQuerySchema, c.req.query(), "query");
    if (query.since !== undefined && parseCursor(query.since) === null) {
      throw new HttpError(400, "Invalid cursor: pass back a `cursor` this endpoint returned");
    }
    const userId = await subjectUserId(c, principal);
    const { kv } = c.get("deps");
    // The page is read first, so the snapshot reflects at least every event it returns.
    const page = await listClientEventsSince(kv, userId, {
      ...(query.since === undefined ? {} : { since: query.since }),
      limit: query.limit,
    });
    const snapshot = await getClientSnapshot(kv, userId);
    return c.json({
      ok: true,
      data: { snapshot, events: page.events, cursor: page.cursor, hasMore: page.hasMore },
    });
  })
  .put("/", async (c) => {
    const principal = requireScope(c, "events:write", "system");
    const body = parseOr400(putProgressBodySchema, await readJson(c), "request");
    const events = validateEvents(body.events);
    const userId = await subjectUserId(c, principal);
    const { kv } = c.get("deps");
    const receivedAt = new Date().toISOString();
    const statuses = await appendClientEvents(kv, userId, events, receivedAt);
    // Repeats join the shared log again too: the log ignores them, and a retry after a crash
    // between the two writes completes what the first attempt left undone.
    const joining = events.filter((_, i) => statuses[i] !== "conflict");
    const shared = await sharedLogEventsFor(kv, userId, joining, receivedAt);
    const ignored = new Set(
      events.filter((_, i) => statuses[i] === "conflict").map((e) => e.eventId),
    );
    const { outcomes } = await acceptEvents(c.get("deps"), shared, { callerUserId: userId });
    for (const outcome of outcomes) {
      if (outcome.status === "conflict") ignored.add(outcome.id);
    }
    const count = (status: ClientAppendStatus) => statuses.filter((s) => s === status).length;
    if (ignored.size > 0) {
      console.warn(
        `Learning progress of ${userId}: ignored ${ignored.size} event(s) whose id was already used with different content: ${
          [...ignored].join(", ")
        }`,
      );
    }
    c.header(PUT_REPORT_HEADERS.accepted, String(count("accepted")));
    c.header(PUT_REPORT_HEADERS.duplicates, String(count("duplicate")));
    if (ignored.size > 0) {
      c.header(PUT_REPORT_HEADERS.ignored, [...ignored].slice(0, MAX_REPORTED_IDS).join(","));
    }
    return c.json({ ok: true });
  });
