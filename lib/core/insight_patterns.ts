/**
 * Learning patterns over a range of days (seed 003): time of day, weekday, session length and the
 * preferred activity type. Pure, like `insights.ts`, whose event preparation it shares.
 */
import type { ActivityType } from "./event_schema.ts";
import {
  type DayRange,
  type InsightEvent,
  type InsightsInput,
  isCompletion,
  prepare,
  round1,
  SESSION_GAP_MINUTES,
} from "./insights.ts";
import { hourOf } from "./calendar.ts";

/** Minutes and events in one hour of the day, part of the day or weekday. */
export interface PatternBucket {
  key: string;
  label: string;
  minutes: number;
  events: number;
}

/** One bucket of the session-length distribution. */
export interface SessionBucket {
  key: string;
  label: string;
  /** Inclusive lower bound, minutes. */
  min: number;
  /** Exclusive upper bound, minutes (null: open). */
  max: number | null;
  sessions: number;
}

/** Time spent, events and completions per activity type. */
export interface ActivityTypeInsight {
  activityType: ActivityType;
  minutes: number;
  events: number;
  completed: number;
}

/** `GET /api/progress-sync/insights/patterns`. */
export interface Patterns {
  timeZone: string;
  range: DayRange;
  timeOfDay: {
    hours: PatternBucket[];
    parts: PatternBucket[];
    /** The part of the day with the most minutes (then events), or null without events. */
    preferred: string | null;
  };
  weekdays: PatternBucket[];
  sessions: {
    count: number;
    averageMinutes: number;
    medianMinutes: number;
    longestMinutes: number;
    buckets: SessionBucket[];
    /** The session-length bucket with the most sessions, or null without sessions. */
    typical: string | null;
  };
  activityTypes: ActivityTypeInsight[];
  preferredActivityType: ActivityType | null;
}

/** Parts of the day, by local hour. */
export const DAY_PARTS = [
  { key: "night", label: "Night (0–6 h)", from: 0, to: 6 },
  { key: "morning", label: "Morning (6–12 h)", from: 6, to: 12 },
  { key: "afternoon", label: "Afternoon (12–18 h)", from: 12, to: 18 },
  { key: "evening", label: "Evening (18–24 h)", from: 18, to: 24 },
] as const;

/** Session-length buckets, minutes. */
export const SESSION_BUCKETS = [
  { key: "under-15", label: "under 15 min", min: 0, max: 15 },
  { key: "15-30", label: "15–30 min", min: 15, max: 30 },
  { key: "30-60", label: "30–60 min", min: 30, max: 60 },
  { key: "60-120", label: "1–2 h", min: 60, max: 120 },
  { key: "120-plus", label: "2 h or more", min: 120, max: null },
] as const;

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;

function weekdayOf(day: string): number {
  return (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
}

function preferredOf(list: readonly PatternBucket[]): string | null {
  let best: PatternBucket | null = null;
  for (const b of list) {
    if (b.events === 0 && b.minutes === 0) continue;
    if (
      !best || b.minutes > best.minutes || (b.minutes === best.minutes && b.events > best.events)
    ) {
      best = b;
    }
  }
  return best?.key ?? null;
}

/**
 * Sessions: each learning event covers the `timeSpent` minutes up to its timestamp; events whose
 * spans are at most `SESSION_GAP_MINUTES` apart form one session, as long as its first start to
 * its last end.
 */
export function sessionsOf(prepared: readonly { event: InsightEvent }[]): number[] {
  const spans = prepared.map(({ event }) => {
    const end = Date.parse(event.timestamp);
    return { start: end - (event.eventData.timeSpent ?? 0) * 60_000, end, id: event.id };
  }).sort((a, b) => a.start - b.start || a.end - b.end || (a.id < b.id ? -1 : 1));
  const lengths: number[] = [];
  let current: { start: number; end: number } | null = null;
  for (const span of spans) {
    if (current && span.start <= current.end + SESSION_GAP_MINUTES * 60_000) {
      current.end = Math.max(current.end, span.end);
      continue;
    }
    if (current) lengths.push((current.end - current.start) / 60_000);
    current = { start: span.start, end: span.end };
  }
  if (current) lengths.push((current.end - current.start) / 60_000);
  return lengths;
}

/** Learning patterns over a range of days. Pure. */
export function patternsOf(input: Omit<InsightsInput, "paths">): Patterns {
  const { range, timeZone, catalog } = input;
  const learning = prepare(input.events, range, timeZone).filter((p) => p.learning);

  const hours: PatternBucket[] = Array.from({ length: 24 }, (_, h) => ({
    key: String(h),
    label: `${String(h).padStart(2, "0")}:00`,
    minutes: 0,
    events: 0,
  }));
  const weekdays: PatternBucket[] = WEEKDAYS.map((d) => ({
    key: d,
    label: d,
    minutes: 0,
    events: 0,
  }));
  const types = new Map<ActivityType, ActivityTypeInsight>();
  for (const p of learning) {
    const hour = hours[hourOf(p.event.timestamp, timeZone)]!;
    hour.minutes += p.minutes;
    hour.events++;
    const weekday = weekdays[weekdayOf(p.day)]!;
    weekday.minutes += p.minutes;
    weekday.events++;
    const activityType = catalog.get(p.targets[0]!)?.activityType ??
      p.event.eventData.activityType;
    const t = types.get(activityType) ?? { activityType, minutes: 0, events: 0, completed: 0 };
    t.minutes += p.minutes;
    t.events++;
    if (isCompletion(p.event)) t.completed++;
    types.set(activityType, t);
  }
  const parts: PatternBucket[] = DAY_PARTS.map((part) => {
    const inPart = hours.slice(part.from, part.to);
    return {
      key: part.key,
      label: part.label,
      minutes: round1(inPart.reduce((s, h) => s + h.minutes, 0)),
      events: inPart.reduce((s, h) => s + h.events, 0),
    };
  });
  const rounded = (list: PatternBucket[]) =>
    list.map((b) => ({ ...b, minutes: round1(b.minutes) }));

  const lengths = sessionsOf(learning).map(round1);
  const sorted = [...lengths].sort((a, b) => a - b);
  const median = sorted.length === 0
    ? 0
    : sorted.length % 2 === 1
    ? sorted[(sorted.length - 1) / 2]!
    : round1((sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2);
  const sessionBuckets: SessionBucket[] = SESSION_BUCKETS.map((b) => ({
    ...b,
    sessions: lengths.filter((l) => l >= b.min && (b.max === null || l < b.max)).length,
  }));
  let typical: SessionBucket | null = null;
  for (const b of sessionBuckets) {
    if (b.sessions > 0 && (!typical || b.sessions > typical.sessions)) typical = b;
  }

  const activityTypes = [...types.values()].map((t) => ({ ...t, minutes: round1(t.minutes) }))
    .sort((a, b) =>
      b.minutes - a.minutes || b.events - a.events || (a.activityType < b.activityType ? -1 : 1)
    );
  return {
    timeZone,
    range,
    timeOfDay: { hours: rounded(hours), parts, preferred: preferredOf(parts) },
    weekdays: rounded(weekdays),
    sessions: {
      count: lengths.length,
      averageMinutes: lengths.length === 0
        ? 0
        : round1(lengths.reduce((a, b) => a + b, 0) / lengths.length),
      medianMinutes: median,
      longestMinutes: sorted.at(-1) ?? 0,
      buckets: sessionBuckets,
      typical: typical?.key ?? null,
    },
    activityTypes,
    preferredActivityType: activityTypes[0]?.activityType ?? null,
  };
}
