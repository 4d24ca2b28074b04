/**
 * The student's streaks as the API and pages show them: overall with the streak freeze, and per
 * activity type. Pure: the same active days and `today` always give the same report.
 */
import { ACTIVITY_TYPES, type ActivityType } from "./event_schema.ts";
import { addDays, daysBetween, type Streaks, streaksOf } from "./calendar.ts";
import { daysOfWindow } from "./day_window.ts";
import { emptyFacts, type ProgressFacts } from "./achievement_facts.ts";

/** Consecutive active days, without holding a freeze, that earn one. */
export const FREEZE_EARN_DAYS = 7;

/** The streak freeze: earned by consistency, it bridges one missed day. */
export interface StreakFreeze {
  /** Whether the student holds a freeze now (at most one). */
  held: boolean;
  /** The day the held freeze was earned; null when none is held. */
  earnedOn: string | null;
  /** The latest missed day a freeze was used on; null when none was ever used. */
  usedOn: string | null;
  /** Active days counted toward the next freeze (0 while one is held). */
  progress: number;
  /** Active days a freeze takes (`FREEZE_EARN_DAYS`). */
  target: number;
}

/** Current and longest streaks counting freezes, and the freeze's state. */
export interface FrozenStreaks extends Streaks {
  freeze: StreakFreeze;
}

/** The streak report of the summary (`streaks`) and the pages. */
export interface StreakReport extends FrozenStreaks {
  /** Current and longest runs of active days of each activity type (no freezes). */
  byActivityType: Record<ActivityType, Streaks>;
}

/**
 * Streaks over a set of active days (any order, repeats ignored) on `today`, with the freeze rule:
 * a student earns a freeze on the `FREEZE_EARN_DAYS`-th consecutive active day on which they hold
 * none (the count restarts after every missed day and every freeze earned) and holds at most one.
 * The first missed day after a held freeze is bridged and uses it up: the streak goes on, without
 * counting that day. A second missed day in a row ends the streak. Today is never missed (there is
 * still time); days after today are left out until they come.
 */
export function streaksWithFreeze(activeDays: Iterable<string>, today: string): FrozenStreaks {
  const days = [...new Set(activeDays)].filter((d) => d <= today).sort();
  let current = 0;
  let longest = 0;
  let progress = 0;
  let earnedOn: string | null = null;
  let usedOn: string | null = null;
  const miss = (firstMissed: string, missed: number) => {
    if (missed <= 0) return;
    progress = 0;
    if (earnedOn !== null) {
      usedOn = firstMissed;
      earnedOn = null;
      if (missed === 1) return;
    }
    current = 0;
  };
  let previous: string | null = null;
  for (const day of days) {
    if (previous !== null) miss(addDays(previous, 1), daysBetween(previous, day) - 1);
    current++;
    longest = Math.max(longest, current);
    if (earnedOn === null && ++progress === FREEZE_EARN_DAYS) {
      earnedOn = day;
      progress = 0;
    }
    previous = day;
  }
  if (previous !== null) miss(addDays(previous, 1), daysBetween(previous, today) - 1);
  return {
    current,
    longest,
    freeze: {
      held: earnedOn !== null,
      earnedOn,
      usedOn,
      progress,
      target: FREEZE_EARN_DAYS,
    },
  };
}

/** A student's streak report from their facts on `today` (in their time zone). Pure. */
export function streakReportOf(facts: ProgressFacts, today: string): StreakReport {
  const byActivityType = Object.fromEntries(
    ACTIVITY_TYPES.map((type) => [type, streaksOf(daysOfWindow(facts.typeDays?.[type]), today)]),
  ) as Record<ActivityType, Streaks>;
  return { ...streaksWithFreeze(Object.keys(facts.days), today), byActivityType };
}

/** The report of a student with no active day. */
export function emptyStreakReport(): StreakReport {
  return streakReportOf(emptyFacts(), "1970-01-01");
}
