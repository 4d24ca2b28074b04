import type { ActivitySummary, ProgressSummary } from "./summary.ts";

/** Seed 000's `overallProgress` block. */
export interface OverallProgress {
  totalActivities: number;
  completedActivities: number;
  inProgressActivities: number;
  percentageComplete: number;
  totalTimeSpent: number;
  currentStreak: number;
}

/** Seed 000's `UnifiedProgressView`: one consistent picture of a student's progress. */
export interface UnifiedProgressView {
  userId: string;
  overallProgress: OverallProgress;
  skillProgress: Record<string, unknown>;
  learningPaths: unknown[];
  recentActivities: ActivitySummary[];
  upcomingActivities: ActivitySummary[];
  achievements: unknown[];
  milestones: unknown[];
  lastSyncTime: string | null;
  dataConsistencyScore: number;
}

/** The `overallProgress` block of a summary; percentage rounded to one decimal. */
export function overallProgressOf(summary: ProgressSummary): OverallProgress {
  const { totals } = summary;
  return {
    totalActivities: totals.activities,
    completedActivities: totals.completed,
    inProgressActivities: totals.inProgress,
    percentageComplete: totals.activities === 0
      ? 0
      : Math.round((totals.completed / totals.activities) * 1000) / 10,
    totalTimeSpent: Math.round(totals.timeSpentMinutes * 100) / 100,
    currentStreak: 0,
  };
}

/**
 * Builds the unified view from a summary projection. `pendingEvents` (accepted but not yet
 * processed) lowers `dataConsistencyScore`, the share of the student's events reflected in it.
 */
export function unifiedViewOf(
  summary: ProgressSummary,
  options: { pendingEvents?: number } = {},
): UnifiedProgressView {
  const pending = options.pendingEvents ?? 0;
  const all = summary.eventCount + pending;
  return {
    userId: summary.userId,
    overallProgress: overallProgressOf(summary),
    skillProgress: {},
    learningPaths: [],
    recentActivities: summary.recent,
    upcomingActivities: [],
    achievements: [],
    milestones: [],
    lastSyncTime: summary.updatedAt,
    dataConsistencyScore: all === 0 ? 1 : Math.round((summary.eventCount / all) * 1000) / 1000,
  };
}
