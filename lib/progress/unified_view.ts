import {
  emptyStreakReport,
  type StreakFreeze,
  type StreakReport,
} from "../achievements/streaks.ts";
import type { PathProgressSummary } from "../sync/path_progress.ts";
import type { ItemView } from "../sync/propagation.ts";
import type { Milestone } from "./milestones.ts";
import type { ActivitySummary, ProgressSummary } from "./summary.ts";
import type { SkillProgress, WeightedProgress } from "./weighted.ts";

/** Seed 000's `overallProgress` block. */
export interface OverallProgress {
  totalActivities: number;
  completedActivities: number;
  inProgressActivities: number;
  percentageComplete: number;
  totalTimeSpent: number;
  currentStreak: number;
  /** The longest run of active days. */
  longestStreak?: number;
  /** The streak freeze: held, or when one was last used (see `streaks`). */
  streakFreeze?: StreakFreeze;
}

/** Weighted progress (seed 003) of the student's goal and of each of their paths, with components. */
export interface WeightedProgressView {
  /** Null while the student has no path. */
  goal: WeightedProgress | null;
  /** By path id. */
  paths: Record<string, WeightedProgress>;
}

/** Seed 000's `UnifiedProgressView`: one consistent picture of a student's progress. */
export interface UnifiedProgressView {
  userId: string;
  overallProgress: OverallProgress;
  /** Weighted progress per skill, by skill id (skills from the catalog's activities). */
  skillProgress: Record<string, SkillProgress>;
  learningPaths: PathProgressSummary[];
  recentActivities: ActivitySummary[];
  /** Open todos and calendar entries, soonest first. */
  upcomingActivities: ItemView[];
  achievements: unknown[];
  /** Path thresholds (25/50/75/100 %) and totals: reached ones and the next of each series. */
  milestones: Milestone[];
  /** Current and longest streaks with the streak freeze, overall and per activity type. */
  streaks: StreakReport;
  weightedProgress: WeightedProgressView;
  lastSyncTime: string | null;
  dataConsistencyScore: number;
  /** Conflicts waiting for the student's decision (`GET /api/progress-sync/conflicts`). */
  openConflicts: number;
}

/**
 * The `overallProgress` block of a summary, over the activities the student has worked on (path
 * progress, untouched steps included, is in `learningPaths`). Percentage rounded to one decimal.
 */
export function overallProgressOf(summary: ProgressSummary): OverallProgress {
  const { totals } = summary;
  const total = totals.activities;
  return {
    totalActivities: total,
    completedActivities: totals.completed,
    inProgressActivities: totals.inProgress,
    percentageComplete: total === 0 ? 0 : Math.round((totals.completed / total) * 1000) / 10,
    totalTimeSpent: Math.round(totals.timeSpentMinutes * 100) / 100,
    currentStreak: 0,
  };
}

/**
 * Builds the unified view from a summary projection. `dataConsistencyScore` is the share of the
 * student's events that are reflected in it and undisputed: `pendingEvents` (accepted but not yet
 * processed) lower it, and so does each unresolved conflict (its two reports count as disputed).
 */
export function unifiedViewOf(
  summary: ProgressSummary,
  options: {
    pendingEvents?: number;
    learningPaths?: PathProgressSummary[];
    upcoming?: ItemView[];
    streaks?: StreakReport;
    skillProgress?: Record<string, SkillProgress>;
    milestones?: Milestone[];
    weightedProgress?: WeightedProgressView;
  } = {},
): UnifiedProgressView {
  const pending = options.pendingEvents ?? 0;
  const streaks = options.streaks ?? emptyStreakReport();
  const all = summary.eventCount + pending;
  const disputed = Math.min(summary.eventCount, 2 * (summary.openConflicts ?? 0));
  return {
    userId: summary.userId,
    overallProgress: {
      ...overallProgressOf(summary),
      currentStreak: streaks.current,
      longestStreak: streaks.longest,
      streakFreeze: streaks.freeze,
    },
    skillProgress: options.skillProgress ?? {},
    learningPaths: options.learningPaths ?? [],
    recentActivities: summary.recent,
    upcomingActivities: options.upcoming ?? [],
    achievements: [],
    milestones: options.milestones ?? [],
    streaks,
    weightedProgress: options.weightedProgress ?? { goal: null, paths: {} },
    lastSyncTime: summary.updatedAt,
    dataConsistencyScore: all === 0
      ? 1
      : Math.round(((summary.eventCount - disputed) / all) * 1000) / 1000,
    openConflicts: summary.openConflicts ?? 0,
  };
}
