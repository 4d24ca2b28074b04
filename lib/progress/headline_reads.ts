import { dayOf } from "../core/calendar.ts";
import type { ProgressFacts } from "../core/achievement_facts.ts";
import { streakReportOf } from "../core/streaks.ts";
import type { CatalogSnapshot } from "../catalog/catalog_cache.ts";
import type { TrackedItem } from "../core/propagation.ts";
import { activityStateKey } from "../kv_keys.ts";
import type { BatchedReader } from "../kv_batch_reader.ts";
import type { ActivityState } from "../core/activity_state.ts";
import { plannedActivityIds } from "../core/progress_model.ts";
import type { ProgressSummary } from "../core/summary.ts";
import { type OverallProgress, overallProgressOf } from "../core/unified_view.ts";

/**
 * The `overallProgress` live messages carry after a processing step, worked out as the summary
 * API does (`overallProgressOf`): the headline over the student's touched activities and the
 * untouched ones of their paths (those they had and `newPathIds`) and items, and the streak of
 * their updated `facts` on the day of `now` in their time zone.
 */
export async function overallAfterStep(
  userId: string,
  reads: {
    catalog: CatalogSnapshot;
    /** The student's paths (`userPathIds`) and items, read with their other per-student keys. */
    pathIds: readonly string[];
    items: readonly TrackedItem[];
    /** Reads the untouched planned activities' states (processing fills it in advance). */
    reader: BatchedReader;
    timeZone: string;
  },
  step: {
    summary: ProgressSummary;
    states: ReadonlyMap<string, ActivityState>;
    newPathIds: readonly string[];
    facts: ProgressFacts;
    now: string;
  },
): Promise<OverallProgress> {
  const items = reads.items;
  const paths = [...new Set([...reads.pathIds, ...step.newPathIds])]
    .flatMap((id) => reads.catalog.paths.get(id) ?? []);
  const unknown = plannedActivityIds({
    paths,
    items,
    inCatalog: (id) => reads.catalog.activities.has(id),
  }).filter((id) => !step.states.has(id));
  const entries = await reads.reader.getMany<ActivityState>(
    unknown.map((id) => activityStateKey(userId, id)),
  );
  return overallProgressOf(step.summary, {
    plannedUntouched: entries.filter((e) => e.value === null).length,
    streaks: streakReportOf(step.facts, dayOf(step.now, reads.timeZone)),
  });
}
