/**
 * The learning-progress snapshot and the one reducer that derives it (seed 001 §4.3), shared by
 * the server (`GET /api/v1/learning/progress`) and the browser (bundled into the learn island), so
 * both derive the identical snapshot from the same events. Pure: no clock, no storage.
 */
import {
  canonicalJson,
  compareLearningEvents,
  type ContentProgressedEvent,
  type LearningContentStatus,
  type LearningInteractionState,
  type LearningProgressEvent,
  occurredMs,
} from "./learning_events.ts";
import { passes } from "./progress_model.ts";

/** The derived state of one piece of content. */
export interface ContentProgress {
  contentId: string;
  status: LearningContentStatus;
  /** Best score reported (0–100), or null. */
  score: number | null;
  /** The latest `contentVersion` reported, or null. */
  contentVersion: string | null;
  /** Furthest progress (0–100): a video's furthest `percent`, 100 once completed or passed. */
  progressPercent: number;
  /** `occurredAt` of the first event about it (since the last reset). */
  firstAttemptAt: string;
  /** `occurredAt` of the latest event about it. */
  lastAttemptAt: string;
  /** `occurredAt` of the event that first made it `completed` or `passed`. */
  completedAt: string | null;
}

/** The current state of one interaction. */
export interface InteractionProgress {
  contentId: string;
  state: LearningInteractionState;
  updatedAt: string;
}

/** Days in a row with a completion. */
export interface LearningStreak {
  current: number;
  longest: number;
  /** The calendar day (`YYYY-MM-DD`, in the writer's own offset) of the latest completion. */
  lastDay: string | null;
}

/** Seed 001's `LearningProgressSnapshot`: everything the UI shows, derived from the event log. */
export interface LearningProgressSnapshot {
  version: 1;
  content: Record<string, ContentProgress>;
  interactions: Record<string, InteractionProgress>;
  onboarding: { completed: boolean; pathId: string | null; updatedAt: string | null };
  activePathId: string | null;
  streak: LearningStreak;
  /** The greatest `occurredAt` in the log (the reset events included). */
  lastUpdated: string | null;
  /** How many distinct events were reduced. */
  eventCount: number;
}

const STATUS_RANK: Record<LearningContentStatus, number> = {
  not_started: 0,
  in_progress: 1,
  completed: 2,
  passed: 3,
};

/** True for `completed` and `passed`. */
export function isDone(status: LearningContentStatus): boolean {
  return STATUS_RANK[status] >= STATUS_RANK.completed;
}

/** The snapshot of an empty log. */
export function emptySnapshot(): LearningProgressSnapshot {
  return {
    version: 1,
    content: {},
    interactions: {},
    onboarding: { completed: false, pathId: null, updatedAt: null },
    activePathId: null,
    streak: { current: 0, longest: 0, lastDay: null },
    lastUpdated: null,
    eventCount: 0,
  };
}

/** The calendar day an instant was written in (`YYYY-MM-DD` of the string itself, so local time). */
export function calendarDay(occurredAt: string): string {
  return /^\d{4}-\d{2}-\d{2}/.test(occurredAt)
    ? occurredAt.slice(0, 10)
    : new Date(occurredAt).toISOString().slice(0, 10);
}

function dayBefore(day: string): string {
  const ms = Date.parse(`${day}T00:00:00Z`) - 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}

/** The streak after a completion on `day`. */
export function advanceStreak(streak: LearningStreak, day: string): LearningStreak {
  if (streak.lastDay !== null && day <= streak.lastDay) return streak;
  const current = streak.lastDay !== null && dayBefore(day) === streak.lastDay
    ? streak.current + 1
    : 1;
  return { current, longest: Math.max(streak.longest, current), lastDay: day };
}

/** The streak as of `today` (`YYYY-MM-DD`): still running if the last completion was today or yesterday. */
export function activeStreak(streak: LearningStreak, today: string): number {
  if (streak.lastDay === null) return 0;
  return streak.lastDay === today || streak.lastDay === dayBefore(today) ? streak.current : 0;
}

function videoPercent(state: LearningInteractionState | null | undefined): number {
  if (!state || state.kind !== "video" || typeof state.percent !== "number") return 0;
  return Number.isFinite(state.percent) ? Math.min(100, Math.max(0, state.percent)) : 0;
}

function applyContent(
  snapshot: LearningProgressSnapshot,
  event: ContentProgressedEvent,
): LearningProgressSnapshot {
  const { payload, occurredAt } = event;
  const before = snapshot.content[payload.contentId];
  const beforeRank = before ? STATUS_RANK[before.status] : -1;
  // A scored attempt below the pass mark is not done ("not passed yet"), however it was labelled.
  const reported = payload.score !== undefined && !passes(payload.score) && isDone(payload.status)
    ? "in_progress"
    : payload.status;
  const status = before && STATUS_RANK[reported] <= beforeRank ? before.status : reported;
  const score = payload.score === undefined
    ? before?.score ?? null
    : Math.max(payload.score, before?.score ?? payload.score);
  const done = isDone(status);
  const next: ContentProgress = {
    contentId: payload.contentId,
    status,
    score,
    contentVersion: payload.contentVersion ?? before?.contentVersion ?? null,
    progressPercent: done
      ? 100
      : Math.max(before?.progressPercent ?? 0, videoPercent(payload.interaction?.state)),
    firstAttemptAt: before?.firstAttemptAt ?? occurredAt,
    lastAttemptAt: occurredAt,
    completedAt: before?.completedAt ?? (done ? occurredAt : null),
  };
  let interactions = snapshot.interactions;
  if (payload.interaction) {
    const { interactionId, state } = payload.interaction;
    interactions = { ...interactions };
    if (state === null) delete interactions[interactionId];
    else {interactions[interactionId] = {
        contentId: payload.contentId,
        state,
        updatedAt: occurredAt,
      };}
  }
  const transitioned = done && STATUS_RANK[status] > beforeRank;
  return {
    ...snapshot,
    content: { ...snapshot.content, [payload.contentId]: next },
    interactions,
    streak: transitioned
      ? advanceStreak(snapshot.streak, calendarDay(occurredAt))
      : snapshot.streak,
  };
}

/** Clears the content and interactions of the named lessons only (a scoped `progress.reset`). */
function resetLessons(
  snapshot: LearningProgressSnapshot,
  contentIds: readonly string[],
): LearningProgressSnapshot {
  const reset = new Set(contentIds);
  return {
    ...snapshot,
    content: Object.fromEntries(Object.entries(snapshot.content).filter(([id]) => !reset.has(id))),
    interactions: Object.fromEntries(
      Object.entries(snapshot.interactions).filter(([, i]) => !reset.has(i.contentId)),
    ),
  };
}

/**
 * Applies one event to a snapshot. Events must come in log order (`occurredAt`, then `eventId`);
 * use `reduceLearningEvents` for an unordered set. Status never moves back (not_started <
 * in_progress < completed < passed) except through `progress.reset`, which clears content,
 * interactions and the streak, or only the content and interactions of the lessons it names
 * (onboarding and the active path have their own events).
 */
export function applyLearningEvent(
  snapshot: LearningProgressSnapshot,
  event: LearningProgressEvent,
): LearningProgressSnapshot {
  const base = { ...snapshot, lastUpdated: event.occurredAt, eventCount: snapshot.eventCount + 1 };
  switch (event.type) {
    case "content.progressed":
      return applyContent(base, event);
    case "onboarding.completed":
      return {
        ...base,
        onboarding: { completed: true, pathId: event.payload.pathId, updatedAt: event.occurredAt },
      };
    case "onboarding.reset":
      return {
        ...base,
        onboarding: { completed: false, pathId: null, updatedAt: event.occurredAt },
      };
    case "activePath.set":
      return { ...base, activePathId: event.payload.pathId };
    case "progress.reset":
      if (event.payload) return resetLessons(base, event.payload.contentIds);
      return {
        ...base,
        content: {},
        interactions: {},
        streak: { current: 0, longest: 0, lastDay: null },
      };
  }
}

/**
 * Sorts events into log order and keeps one copy of each `eventId`. Copies that differ (an id
 * reused for other content) are settled by content, the smallest canonical JSON winning, so the
 * result never depends on arrival order. Events whose `occurredAt` is not a date are dropped.
 */
export function learningLogOrder<E extends LearningProgressEvent>(events: readonly E[]): E[] {
  const byId = new Map<string, { event: E; text: string | null }>();
  for (const event of events) {
    if (Number.isNaN(occurredMs(event))) continue;
    const seen = byId.get(event.eventId);
    if (!seen) {
      byId.set(event.eventId, { event, text: null });
      continue;
    }
    if (seen.event === event) continue;
    const a = seen.text ?? canonicalJson(seen.event);
    const b = canonicalJson(event);
    byId.set(event.eventId, b < a ? { event, text: b } : { event: seen.event, text: a });
  }
  return [...byId.values()].map((v) => v.event).sort(compareLearningEvents);
}

/** Reduces any set of events (any order, any duplicates) into the snapshot. */
export function reduceLearningEvents(
  events: readonly LearningProgressEvent[],
): LearningProgressSnapshot {
  let snapshot = emptySnapshot();
  for (const event of learningLogOrder(events)) snapshot = applyLearningEvent(snapshot, event);
  return snapshot;
}

/**
 * True when `event` sorts after everything `snapshot` reflects, so `applyLearningEvent` may add it
 * incrementally instead of reducing the whole log again.
 */
export function appliesAfter(
  snapshot: LearningProgressSnapshot,
  event: LearningProgressEvent,
): boolean {
  return snapshot.lastUpdated === null || occurredMs(event) > Date.parse(snapshot.lastUpdated);
}
