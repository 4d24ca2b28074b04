import { factsOf, listAwards } from "../achievements/achievement_store.ts";
import type { Award } from "../core/award_step.ts";
import { dayOf } from "../core/calendar.ts";
import { streakReportOf } from "../core/streaks.ts";
import type { ProgressFacts } from "../core/achievement_facts.ts";
import type { User } from "../auth/account_store.ts";
import { catalogSnapshot } from "../catalog/catalog_cache.ts";
import type { CatalogActivity } from "../catalog/catalog_store.ts";
import {
  achievementFactsKey,
  activityStatesPrefix,
  catalogVersionKey,
  derivedViewKey,
  itemsVersionKey,
  outboxPrefix,
  summaryKey,
  userKey,
  userPathsPrefix,
} from "../kv_keys.ts";
import { listItemViews } from "../sync/item_views.ts";
import { pathProgressOf, type PathProgressSummary, upcomingItems } from "../core/path_progress.ts";
import type { LearningPath } from "../core/propagation.ts";
import { type ActivityState, comparePositions } from "../core/activity_state.ts";
import {
  type DerivedParts,
  type DerivedView,
  storedDerivedParts,
  storeDerivedParts,
} from "./derived_view_store.ts";
import { milestonesOf } from "../core/milestones.ts";
import { plannedActivityIds } from "../core/progress_model.ts";
import { emptySummary, type ProgressSummary } from "../core/summary.ts";
import {
  overallProgressOf,
  type UnifiedProgressView,
  unifiedViewOf,
} from "../core/unified_view.ts";
import {
  type ActivityFacts,
  type ActivityInfo,
  goalWeightedProgress,
  pathWeightedProgress,
  skillProgressOf,
} from "../core/weighted.ts";
import type { ProgressWeights } from "../core/weights.ts";
import { configuredWeights } from "./weights.ts";

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
export async function userPathIds(kv: Deno.Kv, userId: string): Promise<string[]> {
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

/** Catalog activities by id, from the cached catalog (missing ones are absent). */
export async function getCatalogActivities(
  kv: Deno.Kv,
  activityIds: Iterable<string>,
): Promise<Map<string, CatalogActivity>> {
  const { activities } = await catalogSnapshot(kv);
  const out = new Map<string, CatalogActivity>();
  for (const id of activityIds) {
    const activity = activities.get(id);
    if (activity) out.set(id, activity);
  }
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
  const [pathIds, states, catalogNow] = await Promise.all([
    userPathIds(kv, userId),
    getActivityStates(kv, userId),
    catalogSnapshot(kv),
  ]);
  const paths = pathIds.flatMap((id) => catalogNow.paths.get(id) ?? []);
  const catalog = await getCatalogActivities(kv, [
    ...paths.flatMap((p) => p.steps.map((s) => s.activityId)),
    ...states.keys(),
  ]);
  return { paths, learningPaths: learningPathsOf(paths, states, catalog), states, catalog };
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

/** What every view read starts from: one `getMany` and the pending count. */
interface ViewBase {
  summary: ProgressSummary;
  /** Summary, items and catalog versionstamps and the weights: the derived view's inputs. */
  versions: string;
  stored: Deno.KvEntryMaybe<DerivedView>;
  facts: ProgressFacts;
  timeZone: string;
  pendingEvents: number;
  awards: Award[];
}

/** Bumped when what the derived parts hold changes, so parts stored before are derived again. */
const DERIVED_PARTS_VERSION = 2;

async function readViewBase(kv: Deno.Kv, userId: string): Promise<ViewBase> {
  const [[summary, items, catalog, stored, facts, user], pendingEvents, awards] = await Promise.all(
    [
      kv.getMany<[ProgressSummary, unknown, unknown, DerivedView, ProgressFacts, User]>([
        summaryKey(userId),
        itemsVersionKey(userId),
        catalogVersionKey(),
        derivedViewKey(userId),
        achievementFactsKey(userId),
        userKey(userId),
      ]),
      countPendingEvents(kv, userId),
      listAwards(kv, userId),
    ],
  );
  return {
    summary: summary.value ?? emptySummary(userId),
    versions: JSON.stringify([
      summary.versionstamp,
      items.versionstamp,
      catalog.versionstamp,
      configuredWeights(),
      DERIVED_PARTS_VERSION,
    ]),
    stored,
    facts: factsOf(facts),
    timeZone: user.value?.timeZone ?? "UTC",
    pendingEvents,
    awards,
  };
}

/** The unified view from its base and derived parts; streaks are counted up to today. */
function viewOf(base: ViewBase, parts: DerivedParts): UnifiedProgressView {
  const today = dayOf(new Date().toISOString(), base.timeZone);
  return unifiedViewOf(base.summary, {
    pendingEvents: base.pendingEvents,
    learningPaths: parts.learningPaths,
    upcoming: parts.upcomingActivities,
    streaks: streakReportOf(base.facts, today),
    skillProgress: parts.skillProgress,
    milestones: parts.milestones,
    weightedProgress: parts.weightedProgress,
    plannedUntouched: parts.plannedUntouched,
    achievements: base.awards,
  });
}

/** A unified view with what it was derived from (for pages that recompute parts of it live). */
export interface UnifiedViewRead {
  view: UnifiedProgressView;
  inputs: ProgressInputs;
  completionTimeAt: (n: number) => string | null;
  weights: ProgressWeights;
}

/** Derives the view's parts from the projections and stores them for the next read. */
async function deriveView(kv: Deno.Kv, userId: string, base: ViewBase): Promise<UnifiedViewRead> {
  const [inputs, items] = await Promise.all([
    getProgressInputs(kv, userId),
    listItemViews(kv, userId),
  ]);
  const completionTimeAt = completionTimes(base.facts);
  const weights = configuredWeights();
  const { skillProgress, milestones, weightedProgress } = derivedProgressOf(
    inputs,
    base.summary,
    completionTimeAt,
    weights,
  );
  const planned = plannedActivityIds({
    paths: inputs.paths,
    items,
    inCatalog: (id) => inputs.catalog.has(id),
  });
  const parts: DerivedParts = {
    plannedUntouched: planned.filter((id) => !inputs.states.has(id)).length,
    learningPaths: inputs.learningPaths,
    upcomingActivities: upcomingItems(items),
    skillProgress,
    milestones,
    weightedProgress,
  };
  // Parts read after the versions are at least as new as them, so a stored view is never stale.
  await storeDerivedParts(kv, userId, base.stored, base.versions, parts);
  return { view: viewOf(base, parts), inputs, completionTimeAt, weights };
}

/** Reads a user's unified progress view from the projections, with its inputs (derived afresh). */
export async function readUnifiedView(kv: Deno.Kv, userId: string): Promise<UnifiedViewRead> {
  return await deriveView(kv, userId, await readViewBase(kv, userId));
}

/**
 * Reads a user's unified progress view from the projections (never from the log). The derived
 * parts are reused while the summary, the student's items, the catalog and the weights are
 * unchanged, so a read costs one `getMany` (two when the parts are stored in chunks) however
 * long the student's history is.
 */
export async function getUnifiedView(
  kv: Deno.Kv,
  userId: string,
): Promise<UnifiedProgressView> {
  const base = await readViewBase(kv, userId);
  const stored = await storedDerivedParts(kv, userId, base.stored.value, base.versions);
  if (stored) return viewOf(base, stored);
  return (await deriveView(kv, userId, base)).view;
}
