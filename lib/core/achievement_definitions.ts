/** The five kinds of achievement (seed 000). */
export type AchievementType = "completion" | "streak" | "speed" | "consistency" | "milestone";

/** What earns an achievement: data, so new achievements need no new code. */
export type AchievementCriteria =
  /** `count` activities completed. */
  | { kind: "completed_activities"; count: number }
  /** Activity on `days` consecutive days. */
  | { kind: "streak_days"; days: number }
  /** An activity completed in less time than the catalog expects for it. */
  | { kind: "faster_than_expected" }
  /** Activity on `days` different days of one week (Monday to Sunday). */
  | { kind: "active_days_in_week"; days: number }
  /** Every step of a learning path completed. */
  | { kind: "path_completed" };

/** An achievement a student can earn. */
export interface AchievementDefinition {
  id: string;
  type: AchievementType;
  title: string;
  description: string;
  criteria: AchievementCriteria;
}

/** The default catalog of achievements. */
export const DEFAULT_ACHIEVEMENTS: readonly AchievementDefinition[] = [
  {
    id: "first-completion",
    type: "completion",
    title: "First steps",
    description: "Complete your first activity.",
    criteria: { kind: "completed_activities", count: 1 },
  },
  {
    id: "ten-completions",
    type: "completion",
    title: "Getting serious",
    description: "Complete ten activities.",
    criteria: { kind: "completed_activities", count: 10 },
  },
  {
    id: "streak-3",
    type: "streak",
    title: "Three in a row",
    description: "Learn on three days in a row.",
    criteria: { kind: "streak_days", days: 3 },
  },
  {
    id: "streak-7",
    type: "streak",
    title: "A full week",
    description: "Learn on seven days in a row.",
    criteria: { kind: "streak_days", days: 7 },
  },
  {
    id: "speedy",
    type: "speed",
    title: "Quick study",
    description: "Finish an activity faster than its expected time.",
    criteria: { kind: "faster_than_expected" },
  },
  {
    id: "consistent-week",
    type: "consistency",
    title: "Steady learner",
    description: "Learn on five days of one week.",
    criteria: { kind: "active_days_in_week", days: 5 },
  },
  {
    id: "path-complete",
    type: "milestone",
    title: "Path complete",
    description: "Complete every step of a learning path.",
    criteria: { kind: "path_completed" },
  },
];
