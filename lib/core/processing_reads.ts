/**
 * What one processing run of a student reads besides the keys of the student alone, worked out
 * before reading anything else (pure): from the activities the pending events target, the
 * student's tracked items and paths, and the catalog's paths. Processing reads all of it in one
 * parallel batch (its second round trip), so the steps after it (projection, sync, awards,
 * milestones, headline) find their inputs already read. It over-fetches a little (every step of
 * a touched path, every planned activity) where that saves a round trip.
 */
import type { LearningPath, TrackedItem } from "./propagation.ts";
import { plannedActivityIds } from "./progress_model.ts";

/** What the reads are derived from. */
export interface ProcessingReadsInput {
  /** Activities the pending events target (`targetsOf`), in any order, duplicates allowed. */
  targetActivityIds: Iterable<string>;
  /** The student's tracked items. */
  items: readonly TrackedItem[];
  /** Paths the student already has (their `user_paths`). */
  userPathIds: readonly string[];
  /** The catalog's paths by id. */
  paths: ReadonlyMap<string, LearningPath>;
  /** The catalog's paths each activity is a step of. */
  pathIdsByActivity: ReadonlyMap<string, readonly string[]>;
  /** True for an activity in the catalog. */
  inCatalog: (activityId: string) => boolean;
}

/** The ids whose keys one run reads in its second round trip, each sorted and without duplicates. */
export interface ProcessingReads {
  /** Activity states: the targets, the other activities of their items, steps of their paths, planned activities. */
  activityIds: string[];
  /** Item states of the items the targets belong to. */
  itemIds: string[];
  /** First completions of the steps of the paths the targets are in. */
  stepIds: string[];
}

const sorted = (ids: Iterable<string>) => [...new Set(ids)].sort();

/**
 * The keys a run needs, as ids: those the projection reads (target states), the sync step (states
 * of the other activities of the items a target belongs to, those items' states), the award step
 * (step completions of the targets' paths), the milestone step (those steps' states) and the
 * headline (states of every planned activity of the student's paths, old and newly entered, and
 * items).
 */
export function processingReads(input: ProcessingReadsInput): ProcessingReads {
  const targets = new Set(input.targetActivityIds);
  const touchedPaths = sorted([...targets].flatMap((a) => input.pathIdsByActivity.get(a) ?? []))
    .flatMap((id) => input.paths.get(id) ?? []);
  const owned = input.items.filter((item) => item.activityIds.some((a) => targets.has(a)));
  const stepIds = sorted(touchedPaths.flatMap((p) => p.steps.map((s) => s.activityId)));
  const allPaths = sorted([...input.userPathIds, ...touchedPaths.map((p) => p.pathId)])
    .flatMap((id) => input.paths.get(id) ?? []);
  const planned = plannedActivityIds({
    paths: allPaths,
    items: input.items,
    inCatalog: input.inCatalog,
  });
  return {
    activityIds: sorted([
      ...targets,
      ...owned.flatMap((item) => item.activityIds),
      ...stepIds,
      ...planned,
    ]),
    itemIds: sorted(owned.map((item) => item.itemId)),
    stepIds,
  };
}
