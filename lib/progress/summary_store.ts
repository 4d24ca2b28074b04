import { factsOf, getFacts } from "../achievements/achievement_store.ts";
import { dayOf, streaksOf } from "../achievements/calendar.ts";
import { getUser } from "../auth/account_store.ts";
import { getActivities, getPaths } from "../catalog/catalog_store.ts";
import { activityStateKey, outboxPrefix, summaryKey, userPathsPrefix } from "../kv_keys.ts";
import { listItemViews } from "../sync/item_views.ts";
import { pathProgressOf, type PathProgressSummary, upcomingItems } from "../sync/path_progress.ts";
import type { ActivityState } from "./activity_state.ts";
import { emptySummary, type ProgressSummary } from "./summary.ts";
import { type UnifiedProgressView, unifiedViewOf } from "./unified_view.ts";

/** Counts a user's accepted-but-unprocessed events, up to `cap`. */
export async function countPendingEvents(
  kv: Deno.Kv,
  userId: string,
  cap = 1000,
): Promise<number> {
  let count = 0;
  for await (
    const _ of kv.list({ prefix: outboxPrefix(userId) }, { limit: cap })
  ) count++;
  return count;
}

/** Reads a user's summary projection (empty when nothing was processed). */
export async function getSummary(
  kv: Deno.Kv,
  userId: string,
): Promise<ProgressSummary> {
  return (await kv.get<ProgressSummary>(summaryKey(userId))).value ??
    emptySummary(userId);
}

/** The student's paths with per-step progress. */
async function getLearningPaths(kv: Deno.Kv, userId: string): Promise<PathProgressSummary[]> {
  const pathIds: string[] = [];
  for await (const e of kv.list<string>({ prefix: userPathsPrefix(userId) })) pathIds.push(e.value);
  const paths = [...(await getPaths(kv, pathIds)).values()];
  const stepIds = [...new Set(paths.flatMap((p) => p.steps.map((s) => s.activityId)))];
  const [catalog, stateEntries] = await Promise.all([
    getActivities(kv, stepIds),
    Promise.all(
      Array.from({ length: Math.ceil(stepIds.length / 10) }, (_, i) =>
        kv.getMany<ActivityState[]>(
          stepIds.slice(i * 10, i * 10 + 10).map((a) => activityStateKey(userId, a)),
        )),
    ),
  ]);
  const states = new Map<string, ActivityState>();
  stateEntries.flat().forEach((e, i) => e.value && states.set(stepIds[i]!, e.value));
  return paths.map((p) => pathProgressOf(p, (a) => states.get(a), (a) => catalog.has(a)));
}

/** The student's current streak today, in their time zone. */
async function getCurrentStreak(kv: Deno.Kv, userId: string): Promise<number> {
  const [facts, user] = await Promise.all([getFacts(kv, userId), getUser(kv, userId)]);
  const today = dayOf(new Date().toISOString(), user?.timeZone ?? "UTC");
  return streaksOf(Object.keys(factsOf(facts).days), today).current;
}

/** Reads a user's unified progress view from the projections (never from the log). */
export async function getUnifiedView(
  kv: Deno.Kv,
  userId: string,
): Promise<UnifiedProgressView> {
  const [summary, pendingEvents, learningPaths, items, currentStreak] = await Promise.all([
    getSummary(kv, userId),
    countPendingEvents(kv, userId),
    getLearningPaths(kv, userId),
    listItemViews(kv, userId),
    getCurrentStreak(kv, userId),
  ]);
  return unifiedViewOf(summary, {
    pendingEvents,
    learningPaths,
    upcoming: upcomingItems(items),
    currentStreak,
  });
}
