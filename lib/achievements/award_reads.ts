import { getUser } from "../auth/account_store.ts";
import { catalogSnapshot } from "../catalog/catalog_cache.ts";
import type { StoredEvent } from "../events/schema.ts";
import { targetsOf } from "../events/schema.ts";
import type { LearningPath } from "../sync/propagation.ts";
import { factsOf, getFacts, listAwards } from "./achievement_store.ts";
import { type Award, awardAchievements, type AwardOutput } from "./award_step.ts";
import { DEFAULT_ACHIEVEMENTS } from "./definitions.ts";
import type { ProgressFacts } from "./facts.ts";

/** The award step's decision (written in the processing commit, whose summary check guards it). */
export interface AwardWork {
  output: AwardOutput;
}

/**
 * Reads what the award step needs for one student — their facts, awards, time zone and the
 * catalog's expected minutes of the activities these events complete — and runs it.
 */
export async function awardStep(
  kv: Deno.Kv,
  userId: string,
  events: readonly StoredEvent[],
  paths: readonly LearningPath[],
  now: string,
): Promise<AwardWork> {
  const completing = events.filter((e) => e.eventData.completionStatus === "completed")
    .map((e) => targetsOf(e)[0]!);
  const [factsEntry, awards, user, catalog] = await Promise.all([
    getFacts(kv, userId),
    listAwards(kv, userId),
    getUser(kv, userId),
    catalogSnapshot(kv),
  ]);
  const expectedMinutes = new Map<string, number>();
  for (const activityId of completing) {
    const minutes = catalog.activities.get(activityId)?.expectedMinutes;
    if (minutes != null) expectedMinutes.set(activityId, minutes);
  }
  const facts: ProgressFacts = factsOf(factsEntry);
  return {
    output: awardAchievements({
      definitions: DEFAULT_ACHIEVEMENTS,
      facts,
      events,
      timeZone: user?.timeZone ?? "UTC",
      expectedMinutes,
      paths,
      awarded: new Map(awards.map((a: Award) => [a.achievementId, a])),
      now,
    }),
  };
}
