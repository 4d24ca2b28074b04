import type { Award } from "./award_step.ts";
import { isoWeekOf, streaksOf } from "./calendar.ts";
import type { AchievementDefinition } from "./achievement_definitions.ts";
import type { ProgressFacts } from "./achievement_facts.ts";

/** An achievement with the student's standing: earned (and when), or how close they are. */
export interface AchievementStatus {
  definition: AchievementDefinition;
  earned: Award | null;
  /** Progress toward the criteria (`current` capped at `target`). */
  progress: { current: number; target: number };
}

function progressOf(
  definition: AchievementDefinition,
  facts: ProgressFacts,
  today: string,
): { current: number; target: number } {
  const c = definition.criteria;
  switch (c.kind) {
    case "completed_activities":
      return { current: Object.keys(facts.completions).length, target: c.count };
    case "streak_days":
      return { current: streaksOf(Object.keys(facts.days), today).current, target: c.days };
    case "faster_than_expected":
      return { current: facts.firstFast ? 1 : 0, target: 1 };
    case "active_days_in_week": {
      const week = isoWeekOf(today);
      const days = Object.keys(facts.days).filter((d) => isoWeekOf(d) === week).length;
      return { current: days, target: c.days };
    }
    case "path_completed":
      return { current: Object.keys(facts.paths).length > 0 ? 1 : 0, target: 1 };
  }
}

/** Every achievement of the catalog with the student's standing on `today` (in their time zone). Pure. */
export function achievementStatuses(
  definitions: readonly AchievementDefinition[],
  facts: ProgressFacts,
  awards: readonly Award[],
  today: string,
): AchievementStatus[] {
  const byId = new Map(awards.map((a) => [a.achievementId, a]));
  return definitions.map((definition) => {
    const earned = byId.get(definition.id) ?? null;
    const { current, target } = progressOf(definition, facts, today);
    return {
      definition,
      earned,
      progress: { current: earned ? target : Math.min(current, target), target },
    };
  });
}
