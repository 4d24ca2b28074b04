import type { CatalogSnapshot } from "../catalog/catalog_cache.ts";
import type { StoredEvent } from "../core/event_schema.ts";
import { targetsOf } from "../core/event_schema.ts";
import { reportsDone } from "../core/progress_model.ts";
import type { BatchedReader } from "../kv_batch_reader.ts";
import { stepCompletionKey } from "../kv_keys.ts";
import type { LogPosition } from "../core/activity_state.ts";
import type { LearningPath } from "../core/propagation.ts";
import { type Award, awardAchievements, type AwardOutput } from "../core/award_step.ts";
import { DEFAULT_ACHIEVEMENTS } from "../core/achievement_definitions.ts";
import type { ProgressFacts } from "../core/achievement_facts.ts";

/** The award step's decision (written in the processing commit, whose summary check guards it). */
export interface AwardWork {
  output: AwardOutput;
}

/** What processing already read for the award step (facts, awards, time zone, catalog), and its reader. */
export interface AwardReads {
  facts: ProgressFacts;
  /** The student's awards (`listAwards`), read with their other per-student keys. */
  awards: readonly Award[];
  timeZone: string;
  catalog: CatalogSnapshot;
  reader: BatchedReader;
}

/**
 * Reads the first completions of the paths' steps (through `reads.reader`, which processing has
 * filled in advance), and runs the award
 * step with their facts, time zone and the catalog's expected minutes of the activities these
 * events complete.
 */
export async function awardStep(
  userId: string,
  reads: AwardReads,
  events: readonly StoredEvent[],
  paths: readonly LearningPath[],
  now: string,
): Promise<AwardWork> {
  const stepIds = [...new Set(paths.flatMap((p) => p.steps.map((s) => s.activityId)))];
  const stepEntries = await reads.reader.getMany<LogPosition>(
    stepIds.map((id) => stepCompletionKey(userId, id)),
  );
  const stepCompletions = new Map<string, LogPosition>();
  stepEntries.forEach((e, i) => e.value && stepCompletions.set(stepIds[i]!, e.value));
  const expectedMinutes = new Map<string, number>();
  for (const event of events) {
    const activityId = targetsOf(event)[0];
    if (!reportsDone(event.eventData) || activityId === undefined) continue;
    const minutes = reads.catalog.activities.get(activityId)?.expectedMinutes;
    if (minutes != null) expectedMinutes.set(activityId, minutes);
  }
  return {
    output: awardAchievements({
      definitions: DEFAULT_ACHIEVEMENTS,
      facts: reads.facts,
      events,
      timeZone: reads.timeZone,
      expectedMinutes,
      paths,
      stepCompletions,
      awarded: new Map(reads.awards.map((a: Award) => [a.achievementId, a])),
      now,
    }),
  };
}
