import { effectiveStatus } from "./progress_model.ts";
import type {
  ActivityType,
  CompletionStatus,
  EventType,
  SourceSystem,
  StoredEvent,
} from "./event_schema.ts";
import { targetsOf } from "./event_schema.ts";
import {
  type ActivityState,
  type ActivityStatus,
  comparePositions,
  type LogPosition,
  positionOf,
  roundMinutes,
} from "./activity_state.ts";

/** One recent event as the dashboard lists it. */
export interface ActivitySummary {
  eventId: string;
  activityId: string;
  /** The activity's catalog title when it was processed (absent when the catalog has none). */
  title?: string;
  activityType: ActivityType;
  eventType: EventType;
  completionStatus: CompletionStatus;
  sourceSystem: SourceSystem;
  timestamp: string;
  timeSpentMinutes: number;
}

/** Counts over a student's activity states. */
export interface ProgressTotals {
  activities: number;
  completed: number;
  inProgress: number;
  timeSpentMinutes: number;
}

/** A student's aggregate projection, kept in step with their activity states. */
export interface ProgressSummary {
  userId: string;
  totals: ProgressTotals;
  /** Processed events. */
  eventCount: number;
  /** The latest events by timestamp (then id), newest first. */
  recent: ActivitySummary[];
  /** When the projection last changed (processing time). */
  updatedAt: string | null;
  /** Conflicts waiting for the student's decision (absent before the first conflict). */
  openConflicts?: number;
  /** The latest assessment of each skill (`skill_assessed`), by skill id; absent before the first. */
  skills?: Record<string, SkillAssessment>;
}

/** A skill's latest assessed level, from the `skillProgress` of a `skill_assessed` event. */
export interface SkillAssessment {
  level: string;
  previousLevel: string | null;
  /** 0–1, or null when the assessment gave none. */
  confidence: number | null;
  /** The assessing event's log position (the latest by timestamp, then id, wins). */
  at: LogPosition;
}

/** Merges the skill assessments of `events` into `skills`: per skill the latest in log order wins. */
export function mergeSkills(
  skills: Readonly<Record<string, SkillAssessment>>,
  events: readonly StoredEvent[],
): Record<string, SkillAssessment> {
  const out = { ...skills };
  for (const event of events) {
    const skill = event.eventData.skillProgress;
    if (!skill || event.eventType !== "skill_assessed") continue;
    const at = positionOf(event);
    const known = out[skill.skillId];
    if (known && comparePositions(known.at, at) >= 0) continue;
    out[skill.skillId] = {
      level: skill.newLevel,
      previousLevel: skill.previousLevel ?? null,
      confidence: skill.confidence ?? null,
      at,
    };
  }
  return out;
}

/** How many recent activities the summary keeps. */
export const RECENT_LIMIT = 10;

/** The summary of a student with no processed events. */
export function emptySummary(userId: string): ProgressSummary {
  return {
    userId,
    totals: { activities: 0, completed: 0, inProgress: 0, timeSpentMinutes: 0 },
    eventCount: 0,
    recent: [],
    updatedAt: null,
  };
}

const IN_PROGRESS: readonly ActivityStatus[] = ["started", "in_progress"];

/** What one activity state contributes to the totals. */
export function totalsOf(state: ActivityState | undefined): ProgressTotals {
  if (!state) {
    return { activities: 0, completed: 0, inProgress: 0, timeSpentMinutes: 0 };
  }
  return {
    activities: 1,
    completed: state.status === "completed" ? 1 : 0,
    inProgress: IN_PROGRESS.includes(state.status) ? 1 : 0,
    timeSpentMinutes: state.timeSpentMinutes,
  };
}

function addTotals(
  a: ProgressTotals,
  b: ProgressTotals,
  sign: 1 | -1,
): ProgressTotals {
  return {
    activities: a.activities + sign * b.activities,
    completed: a.completed + sign * b.completed,
    inProgress: a.inProgress + sign * b.inProgress,
    timeSpentMinutes: roundMinutes(a.timeSpentMinutes + sign * b.timeSpentMinutes),
  };
}

/** Replaces one activity's contribution to the totals (`before` → `after`). */
export function replaceInTotals(
  totals: ProgressTotals,
  before: ActivityState | undefined,
  after: ActivityState | undefined,
): ProgressTotals {
  return addTotals(addTotals(totals, totalsOf(before), -1), totalsOf(after), 1);
}

/** Sums the contributions of a set of activity states (what a full replay gives). */
export function totalsOfStates(
  states: Iterable<ActivityState>,
): ProgressTotals {
  let totals = totalsOf(undefined);
  for (const state of states) totals = addTotals(totals, totalsOf(state), 1);
  return totals;
}

/** The recent-activity entry for an event. */
export function activitySummaryOf(event: StoredEvent): ActivitySummary {
  return {
    eventId: event.id,
    activityId: targetsOf(event)[0]!,
    activityType: event.eventData.activityType,
    eventType: event.eventType,
    completionStatus: effectiveStatus(event.eventData),
    sourceSystem: event.sourceSystem,
    timestamp: event.timestamp,
    timeSpentMinutes: event.eventData.timeSpent ?? 0,
  };
}

/**
 * Merges events into a recent list: newest first by timestamp then id, no repeats, at most
 * `RECENT_LIMIT`; events about no activity (skill assessments) are not listed.
 */
export function mergeRecent(
  recent: readonly ActivitySummary[],
  events: readonly StoredEvent[],
): ActivitySummary[] {
  const byId = new Map(recent.map((r) => [r.eventId, r]));
  for (const event of events) {
    if (!byId.has(event.id) && targetsOf(event).length > 0) {
      byId.set(event.id, activitySummaryOf(event));
    }
  }
  return [...byId.values()]
    .sort((a, b) =>
      comparePositions(
        positionOf({ timestamp: b.timestamp, id: b.eventId }),
        positionOf({ timestamp: a.timestamp, id: a.eventId }),
      )
    )
    .slice(0, RECENT_LIMIT);
}
