import { type StoredEvent, targetsOf } from "./event_schema.ts";
import {
  type ActivityState,
  type ActivityView,
  activityViewOf,
  appliesIncrementally,
  applyEvent,
  logOrder,
  reduceActivity,
} from "./activity_state.ts";
import {
  type ActivitySummary,
  activitySummaryOf,
  mergeRecent,
  mergeSkills,
  type ProgressSummary,
  replaceInTotals,
} from "./summary.ts";
import type { ItemView } from "./propagation.ts";
import type { ConflictSummary, ProgressConflict } from "./conflict.ts";
import { type OverallProgress, overallProgressOf } from "./unified_view.ts";
import type { Milestone } from "./milestones.ts";

/** Seed 000's `ProgressSyncResult` for one processed event. */
export interface ProgressSyncResult {
  eventId: string;
  syncedSystems: string[];
  /** Conflicts this event raised (see `lib/conflicts`). */
  conflicts: ProgressConflict[];
  achievements: unknown[];
  /** Milestones (path thresholds and totals) this event made the student reach. */
  milestonesReached: Milestone[];
  errors: { code: string; message: string }[];
  /** Milliseconds from acceptance to the end of processing. */
  totalProcessingTime: number;
}

/** What a `progress_update` live message carries. */
export interface ProgressUpdate {
  eventId: string;
  activityId: string;
  activity: ActivityView;
  overallProgress: OverallProgress;
  recentActivity: ActivitySummary;
  /** Items in other systems (todos, calendar entries) this event brought up to date. */
  syncedItems?: ItemView[];
}

/** A message for the student's live clients. */
export type LiveMessage =
  | { event: "progress_update"; data: ProgressUpdate }
  | { event: "achievement_earned"; data: unknown }
  | { event: "conflict_detected"; data: ConflictSummary };

/** Everything a projection step reads. */
export interface ProjectionInput {
  /** Processing time, ISO. */
  now: string;
  /** Accepted events to apply (any order). */
  events: readonly StoredEvent[];
  /** Current state of each activity the events touch (absent = no state yet). */
  states: ReadonlyMap<string, ActivityState>;
  /** Already processed events of activities that need a re-reduce (see `activitiesNeedingHistory`). */
  histories: ReadonlyMap<string, readonly StoredEvent[]>;
  summary: ProgressSummary;
}

/** Everything a projection step writes. */
export interface ProjectionOutput {
  states: Map<string, ActivityState>;
  summary: ProgressSummary;
  results: ProgressSyncResult[];
  messages: LiveMessage[];
}

/** The projection's output with `overall` in every `progress_update` (the headline and streak as the summary API has them). */
export function withOverall(output: ProjectionOutput, overall: OverallProgress): ProjectionOutput {
  return {
    ...output,
    messages: output.messages.map((m) =>
      m.event === "progress_update" ? { ...m, data: { ...m.data, overallProgress: overall } } : m
    ),
  };
}

/**
 * The projection's output with catalog titles (`titleOf`, undefined when the catalog has none) on
 * what people read: the recent list and the live messages (progress rows, conflict notices).
 */
export function withTitles(
  output: ProjectionOutput,
  titleOf: (activityId: string) => string | undefined,
): ProjectionOutput {
  const titled = <T extends { activityId: string; title?: string }>(a: T): T => {
    const title = titleOf(a.activityId);
    return title === undefined ? a : { ...a, title };
  };
  return {
    ...output,
    summary: { ...output.summary, recent: output.summary.recent.map(titled) },
    messages: output.messages.map((m): LiveMessage => {
      if (m.event === "progress_update") {
        return { ...m, data: { ...m.data, recentActivity: titled(m.data.recentActivity) } };
      }
      if (m.event !== "conflict_detected") return m;
      const title = titleOf(m.data.activityId);
      return title === undefined ? m : { ...m, data: { ...m.data, activityTitle: title } };
    }),
  };
}

/** Groups events by the activities they count toward (an event may be in several groups). */
export function groupByActivity(
  events: readonly StoredEvent[],
): Map<string, StoredEvent[]> {
  const groups = new Map<string, StoredEvent[]>();
  for (const event of events) {
    for (const id of targetsOf(event)) {
      const group = groups.get(id) ?? [];
      group.push(event);
      groups.set(id, group);
    }
  }
  return groups;
}

/** Activities where some event arrives late (sorts before what was applied), so the history must be re-reduced. */
export function activitiesNeedingHistory(
  events: readonly StoredEvent[],
  states: ReadonlyMap<string, ActivityState>,
): string[] {
  const late: string[] = [];
  for (const [activityId, group] of groupByActivity(events)) {
    const first = logOrder(group)[0]!;
    if (!appliesIncrementally(states.get(activityId), first)) {
      late.push(activityId);
    }
  }
  return late;
}

/**
 * Applies accepted events to the projections: each activity's state (incrementally, or by
 * re-reducing its whole history when an event arrives late), the summary's totals and recent
 * list, one result and one `progress_update` per event. Pure: same input, same output.
 */
export function project(input: ProjectionInput): ProjectionOutput {
  const states = new Map<string, ActivityState>();
  let totals = input.summary.totals;
  for (const [activityId, group] of groupByActivity(input.events)) {
    const before = input.states.get(activityId);
    const history = input.histories.get(activityId);
    let after: ActivityState | undefined;
    if (history) after = reduceActivity([...history, ...group], activityId);
    else {
      after = before;
      for (const event of logOrder(group)) {
        after = applyEvent(after, event, activityId);
      }
    }
    if (!after) continue;
    states.set(activityId, after);
    totals = replaceInTotals(totals, before, after);
  }
  const summary: ProgressSummary = {
    ...input.summary,
    totals,
    eventCount: input.summary.eventCount + input.events.length,
    recent: mergeRecent(input.summary.recent, input.events),
    updatedAt: input.now,
  };
  if (input.events.some((e) => e.eventType === "skill_assessed")) {
    summary.skills = mergeSkills(input.summary.skills ?? {}, input.events);
  }
  const overallProgress = overallProgressOf(summary);
  const nowMs = Date.parse(input.now);
  const ordered = logOrder(input.events);
  return {
    states,
    summary,
    results: ordered.map((event) => ({
      eventId: event.id,
      syncedSystems: [],
      conflicts: [],
      achievements: [],
      milestonesReached: [],
      errors: [],
      totalProcessingTime: Math.max(0, nowMs - Date.parse(event.receivedAt)),
    })),
    messages: ordered.flatMap((event): LiveMessage[] => {
      const activityId = targetsOf(event)[0];
      if (activityId === undefined) return [];
      return [{
        event: "progress_update",
        data: {
          eventId: event.id,
          activityId,
          activity: activityViewOf(states.get(activityId)!),
          overallProgress,
          recentActivity: activitySummaryOf(event),
        },
      }];
    }),
  };
}
