/**
 * The one intake path: every way events enter the log (`POST /events`, the learn page's
 * `PUT /api/v1/learning/progress`, signed inbound webhooks, xAPI statements) goes through
 * `acceptEvents`, so linking to items, the user check, the append and scheduling never drift apart.
 */
import { existingUserIds } from "../auth/account_store.ts";
import type { Principal } from "../auth/principal.ts";
import { linkEventsToItems } from "../catalog/link_events.ts";
import { invalidInput } from "../errors.ts";
import type { EventAppender } from "./event_appender.ts";
import { parseEvents } from "./ingest.ts";
import type { AppendOutcome } from "./log_store.ts";
import { MAX_BATCH_SIZE, type StoredEvent } from "../core/event_schema.ts";

/** What intake needs of the processor (lib/processing's `Processor` is one): a run per student. */
export interface ProcessingScheduler {
  /** Processes the student's pending events soon; resolves when that run ends. */
  schedule(userId: string): Promise<void>;
}

/** What intake writes through. */
export interface IntakeDeps {
  kv: Deno.Kv;
  appender: EventAppender;
  processor: ProcessingScheduler;
}

/** How an intake names things in its errors. */
export interface IntakeOptions {
  /** The student the caller acts as (known to exist); any other student is looked up. */
  callerUserId: string | null;
  /** Where an unknown user is reported, per event index (default `events[i].userId`). */
  userIdPath?: (index: number) => string;
  /** What the request is called in a 400 (default `batch`). */
  label?: string;
}

/** What intake did: one outcome per event, and the processing runs it started. */
export interface IntakeResult {
  outcomes: AppendOutcome[];
  /** Resolves when every accepted event's student has been processed (never rejects). */
  processed: Promise<void>;
  /** The runs, one per student with an accepted event (may reject; used by `?wait=true`). */
  runs: Promise<void>[];
}

/**
 * Accepts already-built events: resolves which items they count toward, refuses unknown students
 * (400 naming each), appends them (chunks of at most 100, shared commits, idempotent by id) and
 * schedules processing for every student with an accepted event.
 */
export async function acceptEvents(
  deps: IntakeDeps,
  events: readonly StoredEvent[],
  options: IntakeOptions,
): Promise<IntakeResult> {
  const linked = await linkEventsToItems(deps.kv, events);
  const { callerUserId } = options;
  const others = [...new Set(linked.map((e) => e.userId))].filter((u) => u !== callerUserId);
  if (others.length > 0) {
    const found = await existingUserIds(deps.kv, others);
    const pathOf = options.userIdPath ?? ((i: number) => `events[${i}].userId`);
    const issues = linked.flatMap((e, i) =>
      found.has(e.userId) || e.userId === callerUserId
        ? []
        : [{ path: pathOf(i), message: `Unknown user "${e.userId}"` }]
    );
    if (issues.length > 0) throw invalidInput(options.label ?? "batch", issues);
  }
  const outcomes: AppendOutcome[] = [];
  for (let i = 0; i < linked.length; i += MAX_BATCH_SIZE) {
    outcomes.push(...await deps.appender.append(linked.slice(i, i + MAX_BATCH_SIZE)));
  }
  const users = new Set(outcomes.filter((o) => o.status === "accepted").map((o) => o.userId));
  const runs = [...users].map((u) => deps.processor.schedule(u));
  // A failed run is logged by the processor and retried by the queue or the sweeper.
  const processed = Promise.allSettled(runs).then(() => {});
  return { outcomes, processed, runs };
}

/**
 * Accepts a posted body (one event or `{ events }`) for `principal`: validates it (400 naming
 * each bad field, 403 for another student without `system`), then `acceptEvents`.
 */
export async function acceptPostedEvents(
  deps: IntakeDeps,
  body: unknown,
  options: Omit<IntakeOptions, "callerUserId"> & { principal: Principal; now: Date },
): Promise<IntakeResult & { batch: boolean }> {
  const parsed = await parseEvents(body, options.principal, options.now);
  const userIdPath = options.userIdPath ??
    (parsed.batch ? (i: number) => `events[${i}].userId` : () => "userId");
  const label = options.label ?? (parsed.batch ? "batch" : "event");
  const result = await acceptEvents(deps, parsed.events, {
    callerUserId: options.principal.userId,
    userIdPath,
    label,
  });
  return { ...result, batch: parsed.batch };
}
