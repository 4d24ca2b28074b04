/**
 * The comparison half of the consistency check (pure): one student's projections against a
 * replay of their processed events, with the fix that would make them agree.
 */
import type { OutboxEntry } from "../events/log_store.ts";
import type { StoredEvent } from "../core/event_schema.ts";
import { type ActivityState, reduceActivity } from "../core/activity_state.ts";
import { groupByActivity } from "../core/project.ts";
import {
  emptySummary,
  type ProgressSummary,
  type ProgressTotals,
  totalsOfStates,
} from "../core/summary.ts";
import { canonicalJson } from "../core/content_hash.ts";

/** Kinds of inconsistency the check looks for. */
export const INCONSISTENCY_TYPES = [
  "activity_state_mismatch",
  "summary_totals_mismatch",
  "stale_outbox",
] as const;

/** One of `INCONSISTENCY_TYPES`. */
export type InconsistencyType = (typeof INCONSISTENCY_TYPES)[number];

/** One difference between the projections and what the log says they should be. */
export interface Inconsistency {
  type: InconsistencyType;
  /**
   * `state_differs`, `state_missing`, `state_orphaned` or `index_missing` (activity states);
   * `totals_differ` or `event_count_differs` (summary); `already_processed`, `event_missing`,
   * `stuck` or `not_queued` (outbox).
   */
  kind: string;
  userId: string;
  activityId?: string;
  eventId?: string;
  /** The fields that differ, for `state_differs` and `totals_differ`. */
  fields?: string[];
  expected?: unknown;
  actual?: unknown;
  repaired: boolean;
}

/** An outbox entry this old with no result is stuck (the sweeper should have processed it). */
export const STUCK_AFTER_MS = 60_000;

/** Everything the check reads about one student, from one consistent moment. */
export interface UserSnapshot {
  userId: string;
  summaryEntry: Deno.KvEntryMaybe<ProgressSummary>;
  events: StoredEvent[];
  /** Ids of events with a processing result (applied to the projections). */
  processedIds: Set<string>;
  outbox: Deno.KvEntry<OutboxEntry>[];
  states: Map<string, ActivityState>;
  /** `activityId\u0000eventId` of every entry in the per-activity index. */
  indexEntries: Set<string>;
}

/** What repairing one student writes. */
export interface UserFix {
  setStates: Map<string, ActivityState>;
  deleteStates: string[];
  setIndex: [activityId: string, eventId: string][];
  summary: ProgressSummary | null;
  deleteOutbox: Deno.KvKey[];
  queueEvents: StoredEvent[];
  /** Processing should run for this student (stuck or re-queued events). */
  reschedule: boolean;
}

function differingFields(expected: object, actual: object): string[] {
  const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  return [...keys].filter((k) =>
    canonicalJson((expected as Record<string, unknown>)[k]) !==
      canonicalJson((actual as Record<string, unknown>)[k])
  ).sort();
}

/**
 * Compares one student's projections with a replay of their processed events (pure): each
 * activity state against `reduceActivity` of its events, the per-activity index, the summary's
 * totals and event count against the replayed states, and the outbox against the results.
 */
export function diffUser(
  snapshot: UserSnapshot,
  types: ReadonlySet<InconsistencyType>,
  nowMs: number,
): { inconsistencies: Omit<Inconsistency, "repaired">[]; fix: UserFix; activities: number } {
  const { userId } = snapshot;
  const out: Omit<Inconsistency, "repaired">[] = [];
  const fix: UserFix = {
    setStates: new Map(),
    deleteStates: [],
    setIndex: [],
    summary: null,
    deleteOutbox: [],
    queueEvents: [],
    reschedule: false,
  };
  const processed = snapshot.events.filter((e) => snapshot.processedIds.has(e.id));
  const groups = groupByActivity(processed);
  const expected = new Map<string, ActivityState>();
  for (const [activityId, events] of groups) {
    const state = reduceActivity(events, activityId);
    if (state) expected.set(activityId, state);
  }
  if (types.has("activity_state_mismatch")) {
    for (const [activityId, state] of expected) {
      const actual = snapshot.states.get(activityId);
      if (!actual) {
        out.push({
          type: "activity_state_mismatch",
          kind: "state_missing",
          userId,
          activityId,
          expected: state,
        });
        fix.setStates.set(activityId, state);
        continue;
      }
      const fields = differingFields(state, actual);
      if (fields.length > 0) {
        out.push({
          type: "activity_state_mismatch",
          kind: "state_differs",
          userId,
          activityId,
          fields,
          expected: Object.fromEntries(
            fields.map((f) => [f, (state as unknown as Record<string, unknown>)[f]]),
          ),
          actual: Object.fromEntries(
            fields.map((f) => [f, (actual as unknown as Record<string, unknown>)[f]]),
          ),
        });
        fix.setStates.set(activityId, state);
      }
    }
    for (const [activityId, actual] of snapshot.states) {
      if (expected.has(activityId)) continue;
      out.push({
        type: "activity_state_mismatch",
        kind: "state_orphaned",
        userId,
        activityId,
        actual,
      });
      fix.deleteStates.push(activityId);
    }
    for (const [activityId, events] of groups) {
      for (const event of events) {
        if (snapshot.indexEntries.has(`${activityId}\u0000${event.id}`)) continue;
        out.push({
          type: "activity_state_mismatch",
          kind: "index_missing",
          userId,
          activityId,
          eventId: event.id,
        });
        fix.setIndex.push([activityId, event.id]);
      }
    }
  }
  if (types.has("summary_totals_mismatch")) {
    const summary = snapshot.summaryEntry.value ?? emptySummary(userId);
    const totals: ProgressTotals = totalsOfStates(expected.values());
    const fields = differingFields(totals, summary.totals);
    let changed = false;
    if (fields.length > 0) {
      out.push({
        type: "summary_totals_mismatch",
        kind: "totals_differ",
        userId,
        fields,
        expected: totals,
        actual: summary.totals,
      });
      changed = true;
    }
    if (summary.eventCount !== processed.length) {
      out.push({
        type: "summary_totals_mismatch",
        kind: "event_count_differs",
        userId,
        expected: processed.length,
        actual: summary.eventCount,
      });
      changed = true;
    }
    if (changed) fix.summary = { ...summary, totals, eventCount: processed.length };
  }
  if (types.has("stale_outbox")) {
    const byId = new Map(snapshot.events.map((e) => [e.id, e]));
    const queued = new Set<string>();
    for (const entry of snapshot.outbox) {
      const { eventId, acceptedAt } = entry.value;
      queued.add(eventId);
      if (!byId.has(eventId)) {
        out.push({ type: "stale_outbox", kind: "event_missing", userId, eventId });
        fix.deleteOutbox.push(entry.key);
      } else if (snapshot.processedIds.has(eventId)) {
        out.push({ type: "stale_outbox", kind: "already_processed", userId, eventId });
        fix.deleteOutbox.push(entry.key);
      } else if (nowMs - Date.parse(acceptedAt) > STUCK_AFTER_MS) {
        out.push({ type: "stale_outbox", kind: "stuck", userId, eventId, actual: { acceptedAt } });
        fix.reschedule = true;
      }
    }
    for (const event of snapshot.events) {
      if (snapshot.processedIds.has(event.id) || queued.has(event.id)) continue;
      out.push({ type: "stale_outbox", kind: "not_queued", userId, eventId: event.id });
      fix.queueEvents.push(event);
      fix.reschedule = true;
    }
  }
  const activities = new Set([...expected.keys(), ...snapshot.states.keys()]).size;
  return { inconsistencies: out, fix, activities };
}
