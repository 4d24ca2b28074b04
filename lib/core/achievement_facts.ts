import { comparePositions, type LogPosition } from "./activity_state.ts";
import { firstRunEnd, isoWeekOf } from "./calendar.ts";
import { type DayWindow, withWindowDay } from "./day_window.ts";
import type { AchievementDefinition } from "./achievement_definitions.ts";

/** How many of the earliest completions the facts keep (enough for every count-based criterion). */
export const COMPLETIONS_KEPT = 150;
/** How many of the latest active days the facts keep (a year and a bit). */
export const DAYS_KEPT = 400;

/**
 * What achievements are decided on, kept per student in one KV value, so bounded: the earliest
 * `COMPLETIONS_KEPT` completions, the latest `DAYS_KEPT` active days, and per activity type a
 * window of its active days (`WINDOW_DAYS` calendar days, a few KiB). Path steps' first
 * completions, which a path's completion needs in full, have a KV key each (`StepCompletions`).
 * Every field only moves to an earlier log position, grows, or keeps the k smallest/largest of a
 * set — all order-independent — so the same events in any order and chunks give the same facts,
 * and an achievement, once earned, stays earned.
 */
export interface ProgressFacts {
  /** The earliest event of each active day (`YYYY-MM-DD` in the student's time zone). */
  days: Record<string, LogPosition>;
  /** Active days per activity type (absent before the first event with per-type days). */
  typeDays?: Record<string, DayWindow>;
  /** The earliest event that completed each activity (ever, resets notwithstanding). */
  completions: Record<string, LogPosition>;
  /**
   * Path steps' first completions as facts kept them before they moved to their own keys: read
   * as a fallback for data written then, never grown (it could outgrow a KV value).
   */
  steps?: Record<string, LogPosition>;
  /** The earliest completing event that took less time than the catalog expects. */
  firstFast: (LogPosition & { activityId: string }) | null;
  /** When each path was first complete: the latest of its steps' first completions. */
  paths: Record<string, LogPosition>;
}

/** An achievement a student has earned, with the event that earned it. */
export interface EarnedAchievement {
  achievementId: string;
  triggerEventId: string;
  /** When the triggering event happened. */
  earnedAt: string;
  metadata: Record<string, string | number>;
}

/** Facts of a student with no activity. */
export function emptyFacts(): ProgressFacts {
  return { days: {}, completions: {}, firstFast: null, paths: {} };
}

/** The earlier of two log positions (`b` when there is no `a`). */
export function earlier<T extends LogPosition>(a: T | undefined | null, b: T): T {
  return a && comparePositions(a, b) <= 0 ? a : b;
}

/** Keeps `limit` entries of a record: those whose key (`byKey`) or value sorts first. */
function keepFirst<T>(
  record: Record<string, T>,
  limit: number,
  compare: (a: [string, T], b: [string, T]) => number,
): Record<string, T> {
  const entries = Object.entries(record);
  return entries.length <= limit
    ? record
    : Object.fromEntries(entries.sort(compare).slice(0, limit));
}

/** Records activity on `day` at `at` (only the latest `DAYS_KEPT` days are kept). */
export function withDay(facts: ProgressFacts, day: string, at: LogPosition): ProgressFacts {
  const known = facts.days[day];
  if (known && earlier(known, at) === known) return facts;
  const days = { ...facts.days, [day]: earlier(known, at) };
  return { ...facts, days: keepFirst(days, DAYS_KEPT, ([a], [b]) => (a < b ? 1 : a > b ? -1 : 0)) };
}

/** Records activity of `activityType` on `day` (only its latest `WINDOW_DAYS` calendar days are kept). */
export function withTypeDay(
  facts: ProgressFacts,
  activityType: string,
  day: string,
): ProgressFacts {
  const typeDays = facts.typeDays ?? {};
  const window = withWindowDay(typeDays[activityType], day);
  if (window === typeDays[activityType]) return facts;
  return {
    ...facts,
    typeDays: { ...typeDays, [activityType]: window },
  };
}

/** Records an event that completed an activity; `fast` when it took less than the expected time. */
export function withCompletion(
  facts: ProgressFacts,
  activityId: string,
  at: LogPosition,
  options: { fast: boolean },
): ProgressFacts {
  const known = facts.completions[activityId];
  if (known && earlier(known, at) === known && !options.fast) return facts;
  const completions = {
    ...facts.completions,
    [activityId]: earlier(facts.completions[activityId], at),
  };
  return {
    ...facts,
    completions: keepFirst(completions, COMPLETIONS_KEPT, ([, a], [, b]) => comparePositions(a, b)),
    firstFast: options.fast ? earlier(facts.firstFast, { ...at, activityId }) : facts.firstFast,
  };
}

/** Records a path's completion (the earliest kept). */
export function withPathCompleted(
  facts: ProgressFacts,
  pathId: string,
  at: LogPosition,
): ProgressFacts {
  return { ...facts, paths: { ...facts.paths, [pathId]: earlier(facts.paths[pathId], at) } };
}

function trigger(
  definition: AchievementDefinition,
  facts: ProgressFacts,
): { at: LogPosition; metadata: Record<string, string | number> } | null {
  const criteria = definition.criteria;
  switch (criteria.kind) {
    case "completed_activities": {
      const nth = Object.values(facts.completions).sort(comparePositions)[criteria.count - 1];
      return nth ? { at: nth, metadata: { activities: criteria.count } } : null;
    }
    case "streak_days": {
      const end = firstRunEnd(Object.keys(facts.days), criteria.days);
      return end ? { at: facts.days[end]!, metadata: { days: criteria.days, lastDay: end } } : null;
    }
    case "faster_than_expected":
      return facts.firstFast
        ? {
          at: { timestamp: facts.firstFast.timestamp, eventId: facts.firstFast.eventId },
          metadata: { activityId: facts.firstFast.activityId },
        }
        : null;
    case "active_days_in_week": {
      const byWeek = new Map<string, string[]>();
      for (const day of Object.keys(facts.days).sort()) {
        const week = isoWeekOf(day);
        const days = [...(byWeek.get(week) ?? []), day];
        byWeek.set(week, days);
        if (days.length === criteria.days) {
          return { at: facts.days[day]!, metadata: { week, days: criteria.days } };
        }
      }
      return null;
    }
    case "path_completed": {
      const first = Object.entries(facts.paths).sort(([, a], [, b]) => comparePositions(a, b))[0];
      return first ? { at: first[1], metadata: { pathId: first[0] } } : null;
    }
  }
}

/** Every achievement the facts earn, each with its earliest triggering event (in log order). Pure. */
export function earnedAchievements(
  definitions: readonly AchievementDefinition[],
  facts: ProgressFacts,
): EarnedAchievement[] {
  return definitions.flatMap((definition) => {
    const found = trigger(definition, facts);
    return found
      ? [{
        achievementId: definition.id,
        triggerEventId: found.at.eventId,
        earnedAt: found.at.timestamp,
        metadata: found.metadata,
      }]
      : [];
  });
}
