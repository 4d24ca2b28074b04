import {
  type ActivityType,
  type CompletionStatus,
  type SourceSystem,
  type StoredEvent,
  targetsOf,
} from "./event_schema.ts";
import { effectiveStatus } from "./progress_model.ts";
import { reportedCompletedAt, reportedStartedAt } from "./reported_times.ts";

/** An activity's status: a reported completion state, or `not_started` after a reset. */
export type ActivityStatus = CompletionStatus | "not_started";

/** Where in the log order an event sits: by timestamp, ties by event id. */
export interface LogPosition {
  timestamp: string;
  eventId: string;
}

/** The reduced state of one activity for one student. */
export interface ActivityState {
  activityId: string;
  activityType: ActivityType;
  status: ActivityStatus;
  /** Best score reported, if any (0–100). */
  bestScore: number | null;
  /** Furthest progress reported (0–100); 100 once completed. */
  percentComplete: number;
  /** Sum of the reported minutes of every event. */
  timeSpentMinutes: number;
  firstActivityAt: string;
  /** Timestamp of the latest event (stable under reordering). */
  lastAttemptAt: string;
  /** When the activity first became completed (since the last reset). */
  completedAt: string | null;
  /** The event that completed the activity (since the last reset). */
  completedBy: string | null;
  /** Minutes spent up to and including the completing event. */
  minutesToComplete: number | null;
  /** Position of the last event applied; events after it apply incrementally. */
  last: LogPosition;
  lastSourceSystem: SourceSystem;
  sourceSystems: SourceSystem[];
  /** The former planned time the latest report that moved it gave (`scheduleProgress.rescheduledFrom`). */
  rescheduledFrom?: string | null;
  /** Systems that reported it done (since the last reset), sorted; absent on older states. */
  doneBy?: SourceSystem[];
  eventCount: number;
}

/** What clients see of an activity's state (live messages, API). */
export type ActivityView =
  & Pick<
    ActivityState,
    | "activityId"
    | "activityType"
    | "status"
    | "bestScore"
    | "percentComplete"
    | "timeSpentMinutes"
    | "completedAt"
    | "lastAttemptAt"
  >
  & { doneBy: SourceSystem[] };

/** The client view of an activity's state. */
export function activityViewOf(state: ActivityState): ActivityView {
  return {
    activityId: state.activityId,
    activityType: state.activityType,
    status: state.status,
    bestScore: state.bestScore,
    percentComplete: state.percentComplete,
    timeSpentMinutes: state.timeSpentMinutes,
    completedAt: state.completedAt,
    lastAttemptAt: state.lastAttemptAt,
    doneBy: state.doneBy ?? [],
  };
}

/** Rank of each status in the forward-only lattice; equal ranks let the later event win. */
export const STATUS_RANK: Record<ActivityStatus, number> = {
  not_started: 0,
  started: 1,
  in_progress: 2,
  failed: 3,
  skipped: 3,
  completed: 4,
};

/** Rounds minutes to a thousandth, so sums are exact whatever order they are added in. */
export function roundMinutes(minutes: number): number {
  return Math.round(minutes * 1000) / 1000;
}

/** Compares two log positions: by timestamp, then event id. */
export function comparePositions(a: LogPosition, b: LogPosition): number {
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp ? -1 : 1;
  if (a.eventId === b.eventId) return 0;
  return a.eventId < b.eventId ? -1 : 1;
}

/** The log position of an event. */
export function positionOf(
  event: Pick<StoredEvent, "timestamp" | "id">,
): LogPosition {
  return { timestamp: event.timestamp, eventId: event.id };
}

/** Sorts events into log order and drops repeated ids (the first copy wins). */
export function logOrder<E extends Pick<StoredEvent, "timestamp" | "id">>(
  events: readonly E[],
): E[] {
  const byId = new Map<string, E>();
  for (const event of events) if (!byId.has(event.id)) byId.set(event.id, event);
  return [...byId.values()].sort((a, b) => comparePositions(positionOf(a), positionOf(b)));
}

function progressOf(event: StoredEvent): number {
  const data = event.eventData;
  if (effectiveStatus(data) === "completed") return 100;
  const reported = data.videoProgress?.percentageWatched ?? data.percentComplete ??
    (data.pathProgress
      ? ((data.pathProgress.stepIndex + 1) / data.pathProgress.totalSteps) * 100
      : 0);
  return Math.min(100, Math.max(0, reported));
}

function withSource(
  systems: readonly SourceSystem[],
  system: SourceSystem,
): SourceSystem[] {
  return systems.includes(system) ? [...systems] : [...systems, system].sort();
}

/**
 * Applies one event to an activity's state. Status only moves forward in the lattice
 * unless the event is a `progress_reset`; the best score and furthest progress win.
 * Events must arrive in log order; use `reduceActivity` for an unordered set.
 */
export function applyEvent(
  state: ActivityState | undefined,
  event: StoredEvent,
  activityId: string,
): ActivityState {
  const data = event.eventData;
  // An event that also counts toward other activities (via an item) spends its time on its own one.
  const countsTime = targetsOf(event)[0] === activityId;
  const base: ActivityState = state ?? {
    activityId,
    activityType: data.activityType,
    status: "not_started",
    bestScore: null,
    percentComplete: 0,
    timeSpentMinutes: 0,
    firstActivityAt: reportedStartedAt(event),
    lastAttemptAt: event.timestamp,
    completedAt: null,
    completedBy: null,
    minutesToComplete: null,
    last: positionOf(event),
    lastSourceSystem: event.sourceSystem,
    sourceSystems: [],
    doneBy: [],
    eventCount: 0,
  };
  const started = reportedStartedAt(event);
  const common = {
    ...base,
    // Reported start and completion times (bounded by arrival) are when the work happened.
    firstActivityAt: started < base.firstActivityAt ? started : base.firstActivityAt,
    activityType: data.activityType,
    timeSpentMinutes: countsTime
      ? roundMinutes(base.timeSpentMinutes + roundMinutes(data.timeSpent ?? 0))
      : base.timeSpentMinutes,
    lastAttemptAt: event.timestamp,
    last: positionOf(event),
    lastSourceSystem: event.sourceSystem,
    sourceSystems: withSource(base.sourceSystems, event.sourceSystem),
    ...(data.scheduleProgress?.rescheduledFrom
      ? { rescheduledFrom: data.scheduleProgress.rescheduledFrom }
      : {}),
    eventCount: base.eventCount + 1,
  };
  if (event.eventType === "progress_reset") {
    return {
      ...common,
      status: "not_started",
      bestScore: null,
      percentComplete: 0,
      completedAt: null,
      completedBy: null,
      minutesToComplete: null,
      doneBy: [],
    };
  }
  if (event.eventType === "conflict_resolved") return applyResolution(base, event);
  const reported = effectiveStatus(data);
  const moves = STATUS_RANK[reported] >= STATUS_RANK[base.status];
  const status = moves ? reported : base.status;
  const score = data.score ?? null;
  return {
    ...common,
    status,
    bestScore: score === null ? base.bestScore : Math.max(score, base.bestScore ?? score),
    percentComplete: Math.max(base.percentComplete, progressOf(event)),
    ...(reported === "completed"
      ? { doneBy: withSource(base.doneBy ?? [], event.sourceSystem) }
      : {}),
    ...(base.completedAt === null && status === "completed"
      ? {
        completedAt: reportedCompletedAt(event),
        completedBy: event.id,
        minutesToComplete: common.timeSpentMinutes,
      }
      : {}),
  };
}

/**
 * Applies a `conflict_resolved` event, an explicit correction (see `lib/conflicts`): its
 * `resolution` may set the status (even backwards), `completedAt` (a completed status keeps the
 * completion time it had unless told otherwise) and `percentComplete`, and add `timeSpentDelta`
 * minutes. A correction is not an attempt: `lastAttemptAt` and the source systems stay as they were.
 */
function applyResolution(base: ActivityState, event: StoredEvent): ActivityState {
  const resolution = event.eventData.resolution;
  const status = resolution?.status ?? base.status;
  const completedAt = status !== "completed"
    ? null
    : resolution?.completedAt ?? base.completedAt ?? event.timestamp;
  const completed = completedAt !== null;
  return {
    ...base,
    status,
    completedAt,
    completedBy: completed ? (base.completedAt === null ? event.id : base.completedBy) : null,
    doneBy: completed ? base.doneBy ?? [] : [],
    minutesToComplete: completed ? base.minutesToComplete ?? base.timeSpentMinutes : null,
    percentComplete: resolution?.percentComplete ??
      (completed && resolution?.status ? 100 : base.percentComplete),
    timeSpentMinutes: Math.max(
      0,
      roundMinutes(base.timeSpentMinutes + roundMinutes(resolution?.timeSpentDelta ?? 0)),
    ),
    last: positionOf(event),
    eventCount: base.eventCount + 1,
  };
}

/** Reduces any set of one activity's events (any order, any duplicates) into its state. */
export function reduceActivity(
  events: readonly StoredEvent[],
  activityId: string,
): ActivityState | undefined {
  let state: ActivityState | undefined;
  for (const event of logOrder(events)) {
    state = applyEvent(state, event, activityId);
  }
  return state;
}

/** True when `event` sorts after everything already applied to `state`, so it can apply incrementally. */
export function appliesIncrementally(
  state: ActivityState | undefined,
  event: Pick<StoredEvent, "timestamp" | "id">,
): boolean {
  return state === undefined ||
    comparePositions(state.last, positionOf(event)) < 0;
}
