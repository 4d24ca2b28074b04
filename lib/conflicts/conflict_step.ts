/**
 * The conflict step of processing: reads what detection needs (each touched activity's recent
 * processed events, the conflicts already known), detects, settles the confident conflicts with
 * correction events processed in the same commit, and marks conflicts resolved when their
 * `conflict_resolved` event is processed. Its output is merged into the projection's.
 */
import type { StoredEvent } from "../core/event_schema.ts";
import type { ActivityState } from "../core/activity_state.ts";
import {
  activitiesNeedingHistory,
  groupByActivity,
  type LiveMessage,
  type ProjectionOutput,
} from "../core/project.ts";
import { CLOCK_SKEW_TOLERANCE_MS } from "../core/reported_times.ts";
import {
  conflictSummaryOf,
  DETECTION_HISTORY_LIMIT,
  type ProgressConflict,
} from "../core/conflict.ts";
import { allActivityEvents, getConflicts, recentActivityEvents } from "./conflict_store.ts";
import { detectConflicts } from "../core/conflict_detection.ts";
import {
  isNoChange,
  resolutionEvent,
  type ResolutionOutcome,
} from "../core/conflict_resolution.ts";

/** What the conflict step decided for one student's commit. */
export interface ConflictPlan {
  /** The events to project: the batch, then the corrections automatic resolutions append. */
  events: StoredEvent[];
  /** Correction (`conflict_resolved`) events to append to the log and apply in this commit. */
  corrections: StoredEvent[];
  /** Histories the projection needs (the given ones, plus any the corrections need). */
  histories: Map<string, StoredEvent[]>;
  /** Conflicts raised by this batch, in detection order (resolved already when automatic). */
  detected: ProgressConflict[];
  /** Conflict records to write: the new ones and those this batch resolves. */
  writes: ProgressConflict[];
  /** Change of the student's unresolved-conflict count. */
  openDelta: number;
}

/**
 * False when no processed event of the activity can form a conflict with the incoming ones, so
 * detection needs no history: nothing processed yet, or one system only (then the only pair rule
 * left is a resend, which needs the same timestamp) with every incoming event dated after all
 * processed ones and none ahead of its arrival (a completion dated ahead is judged against earlier
 * completions). Saves the history read on the common path.
 */
export function mayConflictWithHistory(
  state: ActivityState | undefined,
  incoming: readonly StoredEvent[],
): boolean {
  if (!state) return false;
  const systems = new Set([...state.sourceSystems, ...incoming.map((e) => e.sourceSystem)]);
  if (systems.size > 1) return true;
  return incoming.some((e) =>
    e.timestamp <= state.lastAttemptAt ||
    Date.parse(e.timestamp) - Date.parse(e.receivedAt) > CLOCK_SKEW_TOLERANCE_MS
  );
}

/** The outcome a conflict's suggested resolution stands for. */
function suggestedOutcome(conflict: ProgressConflict): ResolutionOutcome {
  const { conflictId: _c, resolutionType: _t, resolvedBy: _b, explanation: _e, ...outcome } =
    conflict.suggestedResolution.resolvedData.resolution!;
  return outcome;
}

/**
 * Plans one student's conflict work for a batch of events (in arrival order): detection per touched
 * activity against its `DETECTION_HISTORY_LIMIT` most recent processed events (or its whole history
 * when the projection reads it anyway); new conflicts only (a conflict already stored is never
 * raised again); a correction event for each confident conflict whose resolution changes
 * something; and the resolution of conflicts whose `conflict_resolved` event is in the batch.
 */
export async function planConflicts(
  kv: Deno.Kv,
  userId: string,
  now: string,
  events: readonly StoredEvent[],
  states: ReadonlyMap<string, ActivityState>,
  histories: ReadonlyMap<string, readonly StoredEvent[]>,
): Promise<ConflictPlan> {
  const groups = groupByActivity(events);
  const found = (await Promise.all(
    [...groups].map(async ([activityId, incoming]) => {
      if (incoming.every((e) => e.eventType === "conflict_resolved")) return [];
      const history = histories.get(activityId) ??
        (mayConflictWithHistory(states.get(activityId), incoming)
          ? await recentActivityEvents(kv, userId, activityId, DETECTION_HISTORY_LIMIT)
          : []);
      return detectConflicts({ activityId, history, incoming });
    }),
  )).flat();
  const resolving = events.filter((e) => e.eventType === "conflict_resolved");
  const known = await getConflicts(kv, userId, [
    ...found.map((c) => c.id),
    ...resolving.map((e) => e.eventData.resolution?.conflictId ?? ""),
  ]);
  const detected: ProgressConflict[] = [];
  const corrections: StoredEvent[] = [];
  let openDelta = 0;
  for (const candidate of found) {
    if (known.has(candidate.id) || detected.some((c) => c.id === candidate.id)) continue;
    const conflict: ProgressConflict = {
      ...candidate,
      userId,
      status: candidate.requiresUserInput ? "unresolved" : "resolved",
      detectedAt: now,
      resolution: null,
    };
    if (candidate.requiresUserInput) openDelta++;
    else {
      const data = candidate.suggestedResolution.resolvedData;
      const changes = !isNoChange(suggestedOutcome(conflict));
      const correction = changes ? await resolutionEvent(conflict, data, now, null) : null;
      if (correction) corrections.push(correction);
      conflict.resolution = {
        resolutionType: candidate.suggestedResolution.resolutionType,
        resolvedBy: "auto",
        resolvedAt: now,
        eventId: correction?.id ?? null,
        explanation: changes
          ? data.resolution!.explanation
          : `${data.resolution!.explanation.replace(/: no change\.$/, "")}: nothing had to change.`,
      };
    }
    detected.push(conflict);
  }
  const resolved: ProgressConflict[] = [];
  for (const event of resolving) {
    const r = event.eventData.resolution;
    const conflict = r ? known.get(r.conflictId) : undefined;
    if (!r || !conflict || conflict.status === "resolved") continue;
    resolved.push({
      ...conflict,
      status: "resolved",
      resolution: {
        resolutionType: r.resolutionType,
        resolvedBy: r.resolvedBy,
        resolvedAt: now,
        eventId: event.id,
        explanation: r.explanation,
      },
    });
    openDelta--;
  }
  const all = [...events, ...corrections];
  const needed = new Map(histories as ReadonlyMap<string, StoredEvent[]>);
  for (const activityId of activitiesNeedingHistory(all, states)) {
    if (!needed.has(activityId)) {
      needed.set(activityId, await allActivityEvents(kv, userId, activityId));
    }
  }
  return {
    events: all,
    corrections,
    histories: needed,
    detected,
    writes: [...detected, ...resolved],
    openDelta,
  };
}

/** Most bytes of full conflicts one event's result lists (a KV value holds 64 KiB). */
export const RESULT_CONFLICT_BYTES = 24 * 1024;
/** Most `conflict_detected` messages one event sends (a commit's messages share one KV value). */
export const MESSAGES_PER_EVENT = 20;

/** The conflicts an event's result lists in full, within `RESULT_CONFLICT_BYTES`, and how many more there are. */
function listedInResult(conflicts: readonly ProgressConflict[]): {
  listed: ProgressConflict[];
  more: number;
} {
  const listed: ProgressConflict[] = [];
  let bytes = 0;
  for (const conflict of conflicts) {
    bytes += JSON.stringify(conflict).length;
    if (bytes > RESULT_CONFLICT_BYTES && listed.length > 0) break;
    listed.push(conflict);
  }
  return { listed, more: conflicts.length - listed.length };
}

/**
 * Writes the conflict step's findings into the projection's output: each event's result lists the
 * conflicts it raised, a `conflict_detected` message (a summary) follows that event's
 * `progress_update` (automatic corrections get no `progress_update` of their own), and the summary
 * counts the unresolved conflicts. An event that raises very many conflicts (a todo tracking 50
 * videos) lists the first ones in its result with a `conflicts_truncated` error naming how many
 * more, and announces at most `MESSAGES_PER_EVENT` live, those needing the student first; every
 * conflict is stored and listed by the API.
 */
export function withConflicts(output: ProjectionOutput, plan: ConflictPlan): ProjectionOutput {
  if (plan.detected.length === 0 && plan.openDelta === 0) return output;
  // A correction applied in this commit needs no message of its own: the states every message of
  // the commit carries already include it.
  const corrections = new Set(plan.corrections.map((e) => e.id));
  const byEvent = new Map<string, ProgressConflict[]>();
  for (const conflict of plan.detected) {
    byEvent.set(conflict.eventId, [...(byEvent.get(conflict.eventId) ?? []), conflict]);
  }
  return {
    ...output,
    summary: {
      ...output.summary,
      openConflicts: Math.max(0, (output.summary.openConflicts ?? 0) + plan.openDelta),
    },
    results: output.results.map((r) => {
      const { listed, more } = listedInResult(byEvent.get(r.eventId) ?? []);
      return {
        ...r,
        conflicts: listed,
        errors: more === 0 ? r.errors : [...r.errors, {
          code: "conflicts_truncated",
          message:
            `${more} more conflict(s) raised by this event: GET /api/progress-sync/conflicts`,
        }],
      };
    }),
    messages: output.messages.flatMap((m): LiveMessage[] =>
      m.event === "progress_update" && corrections.has(m.data.eventId)
        ? []
        : m.event === "progress_update"
        ? [
          m,
          ...(byEvent.get(m.data.eventId) ?? [])
            .toSorted((a, b) => Number(b.requiresUserInput) - Number(a.requiresUserInput))
            .slice(0, MESSAGES_PER_EVENT)
            .map((conflict) => ({
              event: "conflict_detected" as const,
              data: conflictSummaryOf(conflict),
            })),
        ]
        : [m]
    ),
  };
}
