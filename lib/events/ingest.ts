import { newUlid } from "../ids.ts";
import { actsForAnyUser, type Principal } from "../auth/principal.ts";
import {
  type FieldIssue,
  fieldIssues,
  ForbiddenError,
  invalidInput,
  PayloadTooLargeError,
} from "../errors.ts";
import { contentHash } from "../core/content_hash.ts";
import {
  batchBodySchema,
  eventInputSchema,
  MAX_BATCH_SIZE,
  type StoredEvent,
} from "../core/event_schema.ts";

/** Largest total size of a batch's events, kept under Deno KV's 800 KiB per commit. */
export const MAX_BATCH_BYTES = 700 * 1024;

/** A request's events, validated and made ready to store. */
export interface ParsedEvents {
  /** True when the body was `{ events: [...] }`. */
  batch: boolean;
  events: StoredEvent[];
}

/**
 * Validates a posted body (one event or `{ events }`) for `principal` and builds the events to
 * store: ids default to new ULIDs, `userId` to the caller, `timestamp` to `now`. Any invalid item
 * fails the whole request with a 400 naming each bad field by index; naming another student
 * without `system` scope is a 403. The content hash covers only what the client sent.
 */
export async function parseEvents(
  body: unknown,
  principal: Principal,
  now: Date,
): Promise<ParsedEvents> {
  const batch = typeof body === "object" && body !== null && !Array.isArray(body) &&
    "events" in body;
  let items: unknown[] = [body];
  if (batch) {
    const shape = batchBodySchema.safeParse(body);
    if (!shape.success) throw invalidInput("batch", fieldIssues(shape.error));
    items = shape.data.events;
  }
  const issues: FieldIssue[] = [];
  const receivedAt = now.toISOString();
  const events: StoredEvent[] = [];
  let bytes = 0;
  for (const [index, item] of items.entries()) {
    const prefix = batch ? ["events", index] : [];
    const parsed = eventInputSchema.safeParse(item);
    if (!parsed.success) {
      issues.push(...fieldIssues(parsed.error, prefix));
      continue;
    }
    const input = parsed.data;
    const userId = input.userId ?? principal.userId;
    if (userId === null) {
      issues.push({
        path: [...prefix, "userId"].join("."),
        message: "Required when posting with a system or admin token",
      });
      continue;
    }
    if (userId !== principal.userId && !actsForAnyUser(principal)) {
      throw new ForbiddenError("Cannot post events for another user: that needs a `system` token");
    }
    const { id, timestamp, ...content } = input;
    const event: StoredEvent = {
      id: id ?? newUlid(now.getTime()),
      userId,
      eventType: content.eventType,
      sourceSystem: content.sourceSystem,
      eventData: content.eventData,
      timestamp: timestamp ?? receivedAt,
      receivedAt,
      contentHash: await contentHash({ ...content, userId, timestamp: timestamp ?? null }),
    };
    bytes += JSON.stringify(event).length;
    events.push(event);
  }
  if (issues.length > 0) {
    throw invalidInput(
      batch ? "batch" : "event",
      issues.map((i) => ({
        ...i,
        path: i.path.replace(/^events\.(\d+)/, "events[$1]"),
      })),
    );
  }
  if (bytes > MAX_BATCH_BYTES) {
    throw new PayloadTooLargeError(
      `Batch too large: its events take ${bytes} bytes, the limit is ${MAX_BATCH_BYTES}; send fewer than ${MAX_BATCH_SIZE} at a time`,
    );
  }
  return { batch, events };
}
