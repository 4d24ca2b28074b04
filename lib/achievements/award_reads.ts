import type { CatalogSnapshot } from "../catalog/catalog_cache.ts";
import type { StoredEvent } from "../events/schema.ts";
import { targetsOf } from "../events/schema.ts";
import type { LearningPath } from "../sync/propagation.ts";
import { listAwards } from "./achievement_store.ts";
import { type Award, awardAchievements, type AwardOutput } from "./award_step.ts";
import { DEFAULT_ACHIEVEMENTS } from "./definitions.ts";
import type { ProgressFacts } from "./facts.ts";

/** The award step's decision (written in the processing commit, whose summary check guards it). */
export interface AwardWork {
  output: AwardOutput;
}

/** What processing already read for the award step: the student's facts and time zone, the catalog. */
export interface AwardReads {
  facts: ProgressFacts;
  timeZone: string;
  catalog: CatalogSnapshot;
}

/**
 * Reads the student's awards and runs the award step with their facts, time zone and the
 * catalog's expected minutes of the activities these events complete.
 */
export async function awardStep(
  kv: Deno.Kv,
  userId: string,
  reads: AwardReads,
  events: readonly StoredEvent[],
  paths: readonly LearningPath[],
  now: string,
): Promise<AwardWork> {
  const awards = await listAwards(kv, userId);
  const expectedMinutes = new Map<string, number>();
  for (const event of events) {
    if (event.eventData.completionStatus !== "completed") continue;
    const activityId = targetsOf(event)[0]!;
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
      awarded: new Map(awards.map((a: Award) => [a.achievementId, a])),
      now,
    }),
  };
}
