/**
 * Learning insights (seeds 000 and 003) over a range of days: time spent per day, week and month,
 * completion rate, strongest and weakest skills and a pace-based finish estimate per path (the
 * learning patterns are in `insight_patterns.ts`).
 *
 * Pure: everything follows from the events, the catalog, the paths' progress, the clock and the
 * student's time zone. Events are deduplicated by id and taken in log order (timestamp, then id),
 * so the same events in any order give the same insights.
 */
import { reportsDone } from "./progress_model.ts";
import { addDays, dayOf, isoWeekOf } from "./calendar.ts";
import { type ActivityType, type StoredEvent, targetsOf } from "./event_schema.ts";
import type { PathProgressSummary } from "./path_progress.ts";

/** Longest range insights cover, in days. */
export const MAX_RANGE_DAYS = 366;
/** The range when none is given: the last 30 days, today included. */
export const DEFAULT_RANGE_DAYS = 30;
/** A pause longer than this (minutes) between a student's events starts a new session. */
export const SESSION_GAP_MINUTES = 30;

/** The event fields insights read. */
export type InsightEvent = Pick<
  StoredEvent,
  "id" | "timestamp" | "eventType" | "sourceSystem" | "eventData" | "activityIds"
>;

/** What insights need to know of a catalog activity. */
export interface InsightActivity {
  activityType: ActivityType;
  skills: readonly string[];
  expectedMinutes: number | null;
}

/** An inclusive range of calendar days in the student's time zone. */
export interface DayRange {
  /** `YYYY-MM-DD`. */
  from: string;
  /** `YYYY-MM-DD`, inclusive. */
  to: string;
  days: number;
}

/** Everything insights are computed from. */
export interface InsightsInput {
  /** The student's events (any order; repeats ignored); those outside the range are skipped. */
  events: readonly InsightEvent[];
  catalog: ReadonlyMap<string, InsightActivity>;
  /** The student's paths with their current progress (from the projections). */
  paths: readonly PathProgressSummary[];
  range: DayRange;
  /** The clock, ISO. */
  now: string;
  /** IANA time zone. */
  timeZone: string;
  /** Minutes assumed for a step without `expectedMinutes` (the weights' default). */
  defaultExpectedMinutes?: number;
}

/** Minutes and events of one bucket of time. */
export interface TimeBucket {
  /** `YYYY-MM-DD` (day), `YYYY-Www` (ISO week) or `YYYY-MM` (month). */
  key: string;
  /** The first day of the bucket inside the range. */
  start: string;
  minutes: number;
  events: number;
}

/** How a student did on one skill in the range. */
export interface SkillInsight {
  skillId: string;
  /**
   * The average result of the range's attempts on the skill's activities: each event's score,
   * else 100 for a completion and 0 for a failure (other events have no result). Null when
   * none has a result yet.
   */
  score: number | null;
  minutes: number;
  activities: number;
  completed: number;
}

/** A pace-based finish estimate for one path. */
export interface PathEstimate {
  pathId: string;
  title: string;
  totalSteps: number;
  completedSteps: number;
  remainingSteps: number;
  /** Steps first completed within the range (up to today). */
  completedInRange: number;
  /** Steps per week at that pace (one decimal). */
  stepsPerWeek: number;
  /** Expected minutes of the remaining steps (catalog, or the default per step). */
  remainingMinutes: number;
  status: "complete" | "estimated" | "no_pace";
  /** The day the path should be complete at this pace (`estimated`), or was completed (`complete`). */
  finishOn: string | null;
  /** Days from today to `finishOn` (`estimated` only). */
  daysLeft: number | null;
}

/** `GET /api/progress-sync/insights`. */
export interface Insights {
  timeZone: string;
  range: DayRange;
  timeSpent: {
    totalMinutes: number;
    activeDays: number;
    averageMinutesPerActiveDay: number;
    daily: TimeBucket[];
    weekly: TimeBucket[];
    monthly: TimeBucket[];
  };
  /** Completed share of the activities worked on in the range, 0–100; null when none. */
  completionRate: number | null;
  activities: { worked: number; completed: number; failed: number };
  /** Every skill worked on, best first. */
  skills: SkillInsight[];
  strongestSkills: SkillInsight[];
  weakestSkills: SkillInsight[];
  paths: PathEstimate[];
  /** Events in the range (service events included). */
  eventCount: number;
}

// ---- Range --------------------------------------------------------------------------------

function dayNumber(day: string): number {
  return Math.round(Date.parse(`${day}T00:00:00Z`) / 86_400_000);
}

/** Days from `from` to `to`, both included (0 or less when `to` is before `from`). */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from) + 1;
}

/**
 * The range insights cover: `from`/`to` days as given, `to` defaulting to today and `from` to 29
 * days before `to`. An `error` when `from` is after `to` or the range is longer than `MAX_RANGE_DAYS`.
 */
export function resolveRange(
  query: { from?: string; to?: string },
  today: string,
): DayRange | { error: string } {
  const to = query.to ?? (query.from ? maxDay(today, query.from) : today);
  const from = query.from ?? addDays(to, -(DEFAULT_RANGE_DAYS - 1));
  const days = daysBetween(from, to);
  if (days < 1) return { error: "`from` must not be after `to`" };
  if (days > MAX_RANGE_DAYS) {
    return { error: `The range covers ${days} days: at most ${MAX_RANGE_DAYS} are allowed` };
  }
  return { from, to, days };
}

function maxDay(a: string, b: string): string {
  return a > b ? a : b;
}

/** Every day of a range, in order. */
export function daysOf(range: DayRange): string[] {
  return Array.from({ length: range.days }, (_, i) => addDays(range.from, i));
}

// ---- Shared preparation -------------------------------------------------------------------

/** Systems whose events are the service's own decisions (conflict resolutions), not learning. */
const SERVICE_SOURCES: ReadonlySet<string> = new Set(["progress_sync"]);

/** An event of the range with its local day, whether a person learned, its minutes and targets. */
export interface Prepared {
  event: InsightEvent;
  day: string;
  learning: boolean;
  /** Minutes the event adds (a service event may remove minutes counted twice). */
  minutes: number;
  targets: string[];
}

function minutesOf(event: InsightEvent, learning: boolean): number {
  if (learning) return event.eventData.timeSpent ?? 0;
  const resolution = (event.eventData as { resolution?: { timeSpentDelta?: number } }).resolution;
  return resolution?.timeSpentDelta ?? 0;
}

/** The range's events, deduplicated by id, in log order (timestamp, then id). */
export function prepare(
  events: readonly InsightEvent[],
  range: DayRange,
  timeZone: string,
): Prepared[] {
  const byId = new Map<string, InsightEvent>();
  for (const e of events) if (!byId.has(e.id)) byId.set(e.id, e);
  const out: Prepared[] = [];
  for (const event of byId.values()) {
    const day = dayOf(event.timestamp, timeZone);
    if (day < range.from || day > range.to) continue;
    const learning = !SERVICE_SOURCES.has(event.sourceSystem);
    out.push({
      event,
      day,
      learning,
      minutes: minutesOf(event, learning),
      targets: targetsOf(event),
    });
  }
  return out.sort((a, b) =>
    a.event.timestamp === b.event.timestamp
      ? (a.event.id < b.event.id ? -1 : a.event.id > b.event.id ? 1 : 0)
      : a.event.timestamp < b.event.timestamp
      ? -1
      : 1
  );
}

/** `n` rounded to one decimal. */
export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** True when an event reports its activity done (a reset never does). */
export function isCompletion(event: InsightEvent): boolean {
  return event.eventType !== "progress_reset" && reportsDone(event.eventData);
}

// ---- Insights -----------------------------------------------------------------------------

function buckets(
  days: readonly string[],
  perDay: ReadonlyMap<string, { minutes: number; events: number }>,
  keyOf: (day: string) => string,
): TimeBucket[] {
  const out = new Map<string, TimeBucket>();
  for (const day of days) {
    const key = keyOf(day);
    const bucket = out.get(key) ?? { key, start: day, minutes: 0, events: 0 };
    const d = perDay.get(day);
    bucket.minutes += d?.minutes ?? 0;
    bucket.events += d?.events ?? 0;
    out.set(key, bucket);
  }
  return [...out.values()].map((b) => ({ ...b, minutes: round1(b.minutes) }));
}

/** The skills an event's target counts for: the catalog's, plus those the event names. */
function skillsOf(
  p: Prepared,
  catalog: ReadonlyMap<string, InsightActivity>,
): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (skill: string, activityId: string) =>
    out.set(skill, (out.get(skill) ?? new Set()).add(activityId));
  for (const target of p.targets) {
    for (const skill of catalog.get(target)?.skills ?? []) add(skill, target);
  }
  const own = p.targets[0]!;
  const data = p.event.eventData;
  if (data.skillProgress) add(data.skillProgress.skillId, own);
  for (const skill of data.pathProgress?.skillsLearned ?? []) add(skill, own);
  return out;
}

function compareSkills(a: SkillInsight, b: SkillInsight): number {
  return (b.score ?? -1) - (a.score ?? -1) || b.minutes - a.minutes ||
    (a.skillId < b.skillId ? -1 : 1);
}

function pathEstimate(
  path: PathProgressSummary,
  range: DayRange,
  today: string,
  timeZone: string,
  catalog: ReadonlyMap<string, InsightActivity>,
  defaultExpected: number,
): PathEstimate {
  const steps = path.steps.filter((s) => s.status !== "removed");
  const remaining = steps.filter((s) => s.status !== "completed");
  const paceEnd = today < range.to ? today : range.to;
  const elapsed = daysBetween(range.from, paceEnd);
  const completedDays = steps.filter((s) => s.status === "completed" && s.completedAt)
    .map((s) => dayOf(s.completedAt!, timeZone));
  const inRange = completedDays.filter((d) => d >= range.from && d <= paceEnd).length;
  const perDay = elapsed > 0 ? inRange / elapsed : 0;
  const base = {
    pathId: path.pathId,
    title: path.title,
    totalSteps: steps.length,
    completedSteps: steps.length - remaining.length,
    remainingSteps: remaining.length,
    completedInRange: inRange,
    stepsPerWeek: round1(perDay * 7),
    remainingMinutes: remaining.reduce(
      (sum, s) => sum + (catalog.get(s.activityId)?.expectedMinutes ?? defaultExpected),
      0,
    ),
  };
  if (remaining.length === 0) {
    return {
      ...base,
      status: "complete",
      finishOn: completedDays.sort().at(-1) ?? null,
      daysLeft: null,
    };
  }
  if (perDay === 0) return { ...base, status: "no_pace", finishOn: null, daysLeft: null };
  const daysLeft = Math.ceil(remaining.length / perDay - 1e-9);
  return { ...base, status: "estimated", finishOn: addDays(today, daysLeft), daysLeft };
}

/** Insights over a range of days. Pure. */
export function insightsOf(input: InsightsInput): Insights {
  const { range, timeZone, catalog } = input;
  const prepared = prepare(input.events, range, timeZone);
  const days = daysOf(range);

  const perDay = new Map<string, { minutes: number; events: number }>();
  for (const p of prepared) {
    const d = perDay.get(p.day) ?? { minutes: 0, events: 0 };
    d.minutes += p.minutes;
    if (p.learning) d.events++;
    perDay.set(p.day, d);
  }
  for (const d of perDay.values()) d.minutes = Math.max(0, d.minutes);
  const daily = buckets(days, perDay, (d) => d);
  const total = round1(daily.reduce((sum, d) => sum + d.minutes, 0));
  const activeDays = daily.filter((d) => d.events > 0).length;

  const worked = new Set<string>();
  const completed = new Set<string>();
  const failed = new Set<string>();
  const skillResults = new Map<string, number[]>();
  const skillActivities = new Map<string, Set<string>>();
  const skillMinutes = new Map<string, number>();
  for (const p of prepared) {
    if (!p.learning) continue;
    const data = p.event.eventData;
    for (const target of p.targets) {
      worked.add(target);
      if (isCompletion(p.event)) completed.add(target);
      if (data.completionStatus === "failed") failed.add(target);
    }
    const result = data.score ??
      (isCompletion(p.event) ? 100 : data.completionStatus === "failed" ? 0 : null);
    for (const [skill, ids] of skillsOf(p, catalog)) {
      if (result !== null) skillResults.set(skill, [...(skillResults.get(skill) ?? []), result]);
      const set = skillActivities.get(skill) ?? new Set();
      ids.forEach((id) => set.add(id));
      skillActivities.set(skill, set);
      skillMinutes.set(skill, (skillMinutes.get(skill) ?? 0) + p.minutes);
    }
  }
  const skills: SkillInsight[] = [...skillActivities].map(([skillId, ids]) => {
    const results = skillResults.get(skillId) ?? [];
    return {
      skillId,
      score: results.length === 0
        ? null
        : round1(results.reduce((a, b) => a + b, 0) / results.length),
      minutes: round1(skillMinutes.get(skillId) ?? 0),
      activities: ids.size,
      completed: [...ids].filter((id) => completed.has(id)).length,
    };
  }).sort(compareSkills);
  const ranked = skills.filter((s) => s.score !== null);
  const half = Math.min(3, Math.floor(ranked.length / 2));
  const strongest = ranked.slice(0, Math.max(half, Math.min(1, ranked.length)));
  const weakest = half === 0 ? [] : ranked.slice(-half).reverse();

  const today = dayOf(input.now, timeZone);
  const defaultExpected = input.defaultExpectedMinutes ?? 30;
  return {
    timeZone,
    range,
    timeSpent: {
      totalMinutes: total,
      activeDays,
      averageMinutesPerActiveDay: activeDays === 0 ? 0 : round1(total / activeDays),
      daily,
      weekly: buckets(days, perDay, isoWeekOf),
      monthly: buckets(days, perDay, (d) => d.slice(0, 7)),
    },
    completionRate: worked.size === 0 ? null : round1((completed.size / worked.size) * 100),
    activities: { worked: worked.size, completed: completed.size, failed: failed.size },
    skills,
    strongestSkills: strongest,
    weakestSkills: weakest,
    paths: input.paths.map((p) =>
      pathEstimate(p, range, today, timeZone, catalog, defaultExpected)
    ),
    eventCount: prepared.length,
  };
}
