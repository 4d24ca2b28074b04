/**
 * Reads what insights are computed from: the student's events in a range of days (from the log),
 * their paths' progress and the catalog. A late event may carry any timestamp, so finding a
 * range's events is one list over all of the student's events: cost grows with the log, not with
 * the range (see docs/progress.md); ~0.2 s for 10,000 events.
 */
import { dayOf } from "../core/calendar.ts";
import { getUser } from "../auth/account_store.ts";
import { type StoredEvent, targetsOf } from "../core/event_schema.ts";
import { eventsPrefix } from "../kv_keys.ts";
import { getCatalogActivities, getProgressInputs } from "../progress/summary_store.ts";
import { configuredWeights } from "../progress/weights.ts";
import type { PathProgressSummary } from "../core/path_progress.ts";
import {
  type DayRange,
  type InsightActivity,
  type Insights,
  insightsOf,
  resolveRange,
} from "../core/insights.ts";
import { type Patterns, patternsOf } from "../core/insight_patterns.ts";

/** Events read per round trip while scanning. */
export const SCAN_PAGE_SIZE = 500;

const DAY_MS = 86_400_000;

/**
 * A student's events whose timestamp falls on a day of `range` in `timeZone` (in id order), and
 * how many events were read to find them: all of the student's events, in one list.
 */
export async function listEventsInRange(
  kv: Deno.Kv,
  userId: string,
  range: DayRange,
  timeZone: string,
): Promise<{ events: StoredEvent[]; scanned: number }> {
  // A cheap bound first (no zone is more than 14 h from UTC), then the exact day in the zone.
  const earliest = new Date(Date.parse(`${range.from}T00:00:00Z`) - DAY_MS).toISOString();
  const latest = new Date(Date.parse(`${range.to}T00:00:00Z`) + 2 * DAY_MS).toISOString();
  const events: StoredEvent[] = [];
  let scanned = 0;
  const all = kv.list<StoredEvent>({ prefix: eventsPrefix(userId) }, { batchSize: SCAN_PAGE_SIZE });
  for await (const { value: event } of all) {
    scanned++;
    if (event.timestamp < earliest || event.timestamp >= latest) continue;
    const day = dayOf(event.timestamp, timeZone);
    if (day >= range.from && day <= range.to) events.push(event);
  }
  return { events, scanned };
}

/** What a range query resolved to, or why it is invalid. */
export type RangeQuery = { from?: string; to?: string };

/** A student's time zone (UTC when unset). */
export async function timeZoneOf(kv: Deno.Kv, userId: string): Promise<string> {
  return (await getUser(kv, userId))?.timeZone ?? "UTC";
}

/** Turns `from`/`to` (days, or instants placed on the student's calendar) into days. */
export function queryDays(query: RangeQuery, timeZone: string): RangeQuery {
  const toDay = (v: string | undefined) =>
    v === undefined ? undefined : v.length === 10 ? v : dayOf(v, timeZone);
  return { from: toDay(query.from), to: toDay(query.to) };
}

/** Everything insights and patterns need for one student and range. */
export interface InsightsData {
  timeZone: string;
  range: DayRange;
  now: string;
  events: StoredEvent[];
  scanned: number;
  catalog: Map<string, InsightActivity>;
  paths: PathProgressSummary[];
}

/** Reads the data for insights; `{ error }` when the range is invalid. */
export async function readInsightsData(
  kv: Deno.Kv,
  userId: string,
  query: RangeQuery,
  now = new Date().toISOString(),
): Promise<InsightsData | { error: string }> {
  const timeZone = await timeZoneOf(kv, userId);
  const range = resolveRange(queryDays(query, timeZone), dayOf(now, timeZone));
  if ("error" in range) return range;
  const [{ events, scanned }, inputs] = await Promise.all([
    listEventsInRange(kv, userId, range, timeZone),
    getProgressInputs(kv, userId),
  ]);
  const missing = [...new Set(events.flatMap((e) => targetsOf(e)))].filter((id) =>
    !inputs.catalog.has(id)
  );
  const extra = await getCatalogActivities(kv, missing);
  const catalog = new Map<string, InsightActivity>();
  for (const a of [...inputs.catalog.values(), ...extra.values()]) {
    catalog.set(a.activityId, {
      activityType: a.activityType,
      skills: a.skills,
      expectedMinutes: a.expectedMinutes,
    });
  }
  return { timeZone, range, now, events, scanned, catalog, paths: inputs.learningPaths };
}

/** Insights of the data read. */
export function insightsFrom(data: InsightsData): Insights {
  return insightsOf({
    ...data,
    defaultExpectedMinutes: configuredWeights().defaultExpectedMinutes,
  });
}

/** Patterns of the data read. */
export function patternsFrom(data: InsightsData): Patterns {
  return patternsOf(data);
}
