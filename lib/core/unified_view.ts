import { emptyStreakReport, type StreakFreeze, type StreakReport } from "./streaks.ts";
import type { PathProgressSummary } from "./path_progress.ts";
import type { ItemView } from "./propagation.ts";
import type { Milestone } from "./milestones.ts";
import type { ActivitySummary, ProgressSummary } from "./summary.ts";
import { headlineOf } from "./progress_model.ts";
import type { SkillAssessment } from "./summary.ts";
import type { SkillProgress, WeightedProgress } from "./weighted.ts";

/**
 * Skill progress with each assessed skill's latest level and confidence (`skill_assessed`); a
 * skill assessed but on no catalog activity gets an entry of its own.
 */
export function withAssessments(
  skills: Readonly<Record<string, SkillProgress>>,
  assessed: Readonly<Record<string, SkillAssessment>>,
): Record<string, SkillProgress> {
  const out = { ...skills };
  for (const [skillId, a] of Object.entries(assessed)) {
    const base = out[skillId] ??
      {
        skillId,
        activities: 0,
        completedActivities: 0,
        timeSpentMinutes: 0,
        value: 0,
        components: [],
      };
    out[skillId] = {
      ...base,
      level: a.level,
      previousLevel: a.previousLevel,
      confidence: a.confidence,
      assessedAt: a.at.timestamp,
    };
  }
  return out;
}

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
 * The `overallProgress` block: the headline (`headlineOf`: done of the activities the student
 * touched and the `plannedUntouched` ones of their paths, todos and calendar entries) and the
 * streak of `streaks`. Every page, the summary and live messages build it here.
 */
export function overallProgressOf(
  summary: ProgressSummary,
  options: { plannedUntouched?: number; streaks?: StreakReport } = {},
): OverallProgress {
  const { totals } = summary;
  const headline = headlineOf({
    touched: { activities: totals.activities, done: totals.completed },
    plannedUntouched: options.plannedUntouched ?? 0,
  });
  const streaks = options.streaks ?? emptyStreakReport();
  return {
    totalActivities: headline.total,
    completedActivities: headline.done,
    inProgressActivities: totals.inProgress,
    percentageComplete: headline.percentage,
    totalTimeSpent: Math.round(totals.timeSpentMinutes * 100) / 100,
    currentStreak: streaks.current,
    longestStreak: streaks.longest,
    streakFreeze: streaks.freeze,
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
    /** Activities of the student's paths, todos and calendar entries they have not touched. */
    plannedUntouched?: number;
    /** Earned achievements (`/api/progress-sync/achievements`). */
    achievements?: unknown[];
  } = {},
): UnifiedProgressView {
  const pending = options.pendingEvents ?? 0;
  const streaks = options.streaks ?? emptyStreakReport();
  const all = summary.eventCount + pending;
  const disputed = Math.min(summary.eventCount, 2 * (summary.openConflicts ?? 0));
  return {
    userId: summary.userId,
    overallProgress: overallProgressOf(summary, {
      streaks,
      ...(options.plannedUntouched === undefined
        ? {}
        : { plannedUntouched: options.plannedUntouched }),
    }),
    skillProgress: withAssessments(options.skillProgress ?? {}, summary.skills ?? {}),
    learningPaths: options.learningPaths ?? [],
    recentActivities: summary.recent,
    upcomingActivities: options.upcoming ?? [],
    achievements: options.achievements ?? [],
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
