import { factsOf, getFacts } from "../achievements/achievement_store.ts";
import { dayOf, type Streaks, streaksOf } from "../achievements/calendar.ts";
import type { ProgressFacts } from "../achievements/facts.ts";
import { getUser } from "../auth/account_store.ts";
import { type CatalogActivity, getPaths } from "../catalog/catalog_store.ts";
import {
  activityStatesPrefix,
  catalogActivityKey,
  outboxPrefix,
  summaryKey,
  userPathsPrefix,
} from "../kv_keys.ts";
import { listItemViews } from "../sync/item_views.ts";
import { pathProgressOf, type PathProgressSummary, upcomingItems } from "../sync/path_progress.ts";
import type { LearningPath } from "../sync/propagation.ts";
import { type ActivityState, comparePositions } from "./activity_state.ts";
import { milestonesOf } from "./milestones.ts";
import { emptySummary, type ProgressSummary } from "./summary.ts";
import { overallProgressOf, type UnifiedProgressView, unifiedViewOf } from "./unified_view.ts";
import {
  type ActivityFacts,
  type ActivityInfo,
  goalWeightedProgress,
  pathWeightedProgress,
  skillProgressOf,
} from "./weighted.ts";
import { configuredWeights, type ProgressWeights } from "./weights.ts";

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

/** The ids of the paths a student has progress in. */
async function userPathIds(kv: Deno.Kv, userId: string): Promise<string[]> {
  const pathIds: string[] = [];
  for await (const e of kv.list<string>({ prefix: userPathsPrefix(userId) })) pathIds.push(e.value);
  return pathIds;
}

/** Every activity state of a student, by activity id (one list over their projection). */
export async function getActivityStates(
  kv: Deno.Kv,
  userId: string,
): Promise<Map<string, ActivityState>> {
  const states = new Map<string, ActivityState>();
  for await (const e of kv.list<ActivityState>({ prefix: activityStatesPrefix(userId) })) {
    states.set(e.value.activityId, e.value);
  }
  return states;
}

/** Catalog activities by id, read in parallel batches (missing ones are absent). */
export async function getCatalogActivities(
  kv: Deno.Kv,
  activityIds: Iterable<string>,
): Promise<Map<string, CatalogActivity>> {
  const ids = [...new Set(activityIds)];
  const batches = await Promise.all(
    Array.from(
      { length: Math.ceil(ids.length / 10) },
      (_, i) =>
        kv.getMany<CatalogActivity[]>(ids.slice(i * 10, i * 10 + 10).map(catalogActivityKey)),
    ),
  );
  const out = new Map<string, CatalogActivity>();
  batches.flat().forEach((e, i) => e.value && out.set(ids[i]!, e.value));
  return out;
}

/** The student's paths with per-step progress, from their activity states. */
export function learningPathsOf(
  paths: readonly LearningPath[],
  states: ReadonlyMap<string, ActivityState>,
  catalog: ReadonlyMap<string, unknown>,
): PathProgressSummary[] {
  return paths.map((p) => pathProgressOf(p, (a) => states.get(a), (a) => catalog.has(a)));
}

/** What weighted progress reads of an activity state. */
export function activityFactsOf(state: ActivityState): ActivityFacts {
  return {
    status: state.status,
    timeSpentMinutes: state.timeSpentMinutes,
    bestScore: state.bestScore,
    tutorChat: state.sourceSystems.includes("chat_system"),
  };
}

/** What weighted progress reads of a catalog activity. */
export function activityInfoOf(activity: CatalogActivity): ActivityInfo {
  return {
    activityType: activity.activityType,
    expectedMinutes: activity.expectedMinutes,
    skills: activity.skills,
  };
}

/** A student's paths with their progress, activity states and the catalog entries of both. */
export interface ProgressInputs {
  paths: LearningPath[];
  learningPaths: PathProgressSummary[];
  states: Map<string, ActivityState>;
  catalog: Map<string, CatalogActivity>;
}

/** Reads what path, weighted and skill progress are derived from (projections and catalog). */
export async function getProgressInputs(kv: Deno.Kv, userId: string): Promise<ProgressInputs> {
  const [pathIds, states] = await Promise.all([
    userPathIds(kv, userId),
    getActivityStates(kv, userId),
  ]);
  const paths = [...(await getPaths(kv, pathIds)).values()];
  const catalog = await getCatalogActivities(kv, [
    ...paths.flatMap((p) => p.steps.map((s) => s.activityId)),
    ...states.keys(),
  ]);
  return { paths, learningPaths: learningPathsOf(paths, states, catalog), states, catalog };
}

/** The student's streaks today, in their time zone, and their facts. */
async function getStreaks(
  kv: Deno.Kv,
  userId: string,
): Promise<{ streaks: Streaks; facts: ProgressFacts }> {
  const [entry, user] = await Promise.all([getFacts(kv, userId), getUser(kv, userId)]);
  const facts = factsOf(entry);
  const today = dayOf(new Date().toISOString(), user?.timeZone ?? "UTC");
  return { streaks: streaksOf(Object.keys(facts.days), today), facts };
}

/** When the n-th activity was first completed (1-based), from the facts; null when unknown. */
export function completionTimes(facts: ProgressFacts): (n: number) => string | null {
  const sorted = Object.values(facts.completions).sort(comparePositions);
  return (n) => sorted[n - 1]?.timestamp ?? null;
}

/** Skill, milestone and weighted progress from the progress inputs. Pure. */
export function derivedProgressOf(
  inputs: ProgressInputs,
  summary: ProgressSummary,
  completionTimeAt: (n: number) => string | null,
  weights: ProgressWeights,
): Pick<UnifiedProgressView, "skillProgress" | "milestones" | "weightedProgress"> {
  const facts = (id: string) => {
    const state = inputs.states.get(id);
    return state ? activityFactsOf(state) : undefined;
  };
  const info = (id: string) => {
    const activity = inputs.catalog.get(id);
    return activity ? activityInfoOf(activity) : undefined;
  };
  const overall = overallProgressOf(summary);
  const paths = inputs.learningPaths.map((p) => pathWeightedProgress(p, facts, info, weights));
  return {
    skillProgress: skillProgressOf(inputs.catalog.keys(), facts, info, weights),
    milestones: milestonesOf(inputs.learningPaths, overall, completionTimeAt),
    weightedProgress: {
      goal: goalWeightedProgress(
        inputs.learningPaths,
        paths,
        overall.completedActivities,
        weights,
      ),
      paths: Object.fromEntries(paths.map((p) => [p.pathId, p])),
    },
  };
}

/** A unified view with what it was derived from (for pages that recompute parts of it live). */
export interface UnifiedViewRead {
  view: UnifiedProgressView;
  inputs: ProgressInputs;
  completionTimeAt: (n: number) => string | null;
  weights: ProgressWeights;
}

/** Reads a user's unified progress view from the projections, with its inputs. */
export async function readUnifiedView(kv: Deno.Kv, userId: string): Promise<UnifiedViewRead> {
  const [summary, pendingEvents, inputs, items, { streaks, facts }] = await Promise.all([
    getSummary(kv, userId),
    countPendingEvents(kv, userId),
    getProgressInputs(kv, userId),
    listItemViews(kv, userId),
    getStreaks(kv, userId),
  ]);
  const completionTimeAt = completionTimes(facts);
  const weights = configuredWeights();
  const view = unifiedViewOf(summary, {
    pendingEvents,
    learningPaths: inputs.learningPaths,
    upcoming: upcomingItems(items),
    currentStreak: streaks.current,
    longestStreak: streaks.longest,
    ...derivedProgressOf(inputs, summary, completionTimeAt, weights),
  });
  return { view, inputs, completionTimeAt, weights };
}

/** Reads a user's unified progress view from the projections (never from the log). */
export async function getUnifiedView(
  kv: Deno.Kv,
  userId: string,
): Promise<UnifiedProgressView> {
  return (await readUnifiedView(kv, userId)).view;
}
