/**
 * Milestones: progress thresholds of each learning path, and running totals (activities completed,
 * time spent). Pure (also runs in the browser, where the dashboard keeps them live).
 */
import type { PathProgressSummary } from "./path_progress.ts";

/** Shares of a path's steps (percent) that are milestones. */
export const PATH_THRESHOLDS: readonly number[] = [25, 50, 75, 100];
/** Completed-activity counts that are milestones. */
export const ACTIVITY_MILESTONES: readonly number[] = [5, 10, 25, 50, 100, 250, 500];
/** Hours of learning that are milestones. */
export const HOUR_MILESTONES: readonly number[] = [1, 5, 10, 25, 50, 100, 250];

/** One milestone (seed 000's `Milestone`), reached or not. */
export interface Milestone {
  /** `path:<pathId>:<percent>`, `activities:<count>` or `time:<hours>h`. */
  id: string;
  kind: "path_progress" | "activities_completed" | "time_spent";
  title: string;
  description: string;
  /** The path of a `path_progress` milestone, else null. */
  pathId: string | null;
  /** What has to be reached, in `unit`. */
  target: number;
  /** Where the student stands, in `unit`. */
  current: number;
  unit: "percent" | "activities" | "minutes";
  reached: boolean;
  /** When it was reached, where the projections know it (null for time milestones). */
  reachedAt: string | null;
}

/** The running totals milestones are counted on. */
export interface MilestoneTotals {
  completedActivities: number;
  /** Minutes. */
  totalTimeSpent: number;
}

/** The steps a path needs completed to reach `percent` (0 for an empty path). */
export function stepsForThreshold(totalSteps: number, percent: number): number {
  return Math.max(0, Math.ceil((percent / 100) * totalSteps - 1e-9));
}

/** A path's threshold milestones (25, 50, 75, 100 %), each reached when enough steps are complete. */
export function pathMilestones(path: PathProgressSummary): Milestone[] {
  const completedTimes = path.steps
    .filter((s) => s.status === "completed")
    .map((s) => s.completedAt)
    .filter((t): t is string => t !== null)
    .sort();
  return PATH_THRESHOLDS.map((percent) => {
    const needed = stepsForThreshold(path.totalSteps, percent);
    const reached = path.totalSteps > 0 && path.completedSteps >= needed;
    return {
      id: `path:${path.pathId}:${percent}`,
      kind: "path_progress",
      title: percent === 100 ? `${path.title} complete` : `${path.title}: ${percent} %`,
      description: percent === 100
        ? `Every step of ${path.title} completed`
        : `${needed} of ${path.totalSteps} steps of ${path.title} completed`,
      pathId: path.pathId,
      target: percent,
      current: path.percentage,
      unit: "percent",
      reached,
      reachedAt: reached ? completedTimes[needed - 1] ?? null : null,
    };
  });
}

function hours(h: number): string {
  return `${h} hour${h === 1 ? "" : "s"}`;
}

/**
 * Total milestones: every reached one of each series, and the next one to reach.
 * `completionTimeAt(n)` is when the n-th activity was first completed (null when unknown).
 */
export function totalMilestones(
  totals: MilestoneTotals,
  completionTimeAt: (n: number) => string | null = () => null,
): Milestone[] {
  const out: Milestone[] = [];
  for (const count of ACTIVITY_MILESTONES) {
    const reached = totals.completedActivities >= count;
    out.push({
      id: `activities:${count}`,
      kind: "activities_completed",
      title: `${count} activities completed`,
      description: `Complete ${count} learning activities, from any system`,
      pathId: null,
      target: count,
      current: totals.completedActivities,
      unit: "activities",
      reached,
      reachedAt: reached ? completionTimeAt(count) : null,
    });
    if (!reached) break;
  }
  for (const h of HOUR_MILESTONES) {
    const reached = totals.totalTimeSpent >= h * 60;
    out.push({
      id: `time:${h}h`,
      kind: "time_spent",
      title: `${hours(h)} of learning`,
      description: `Spend ${hours(h)} on learning activities`,
      pathId: null,
      target: h * 60,
      current: Math.round(totals.totalTimeSpent * 100) / 100,
      unit: "minutes",
      reached,
      reachedAt: null,
    });
    if (!reached) break;
  }
  return out;
}

/** Every milestone of a student: each path's thresholds, then the totals. */
export function milestonesOf(
  paths: readonly PathProgressSummary[],
  totals: MilestoneTotals,
  completionTimeAt?: (n: number) => string | null,
): Milestone[] {
  return [...paths.flatMap(pathMilestones), ...totalMilestones(totals, completionTimeAt)];
}

/** How far along a milestone is, 0–100. */
export function milestoneShare(m: Milestone): number {
  if (m.reached) return 100;
  return m.target <= 0 ? 0 : Math.min(100, Math.round((m.current / m.target) * 1000) / 10);
}

/** The milestones still ahead, closest first (then by id), at most `limit`. */
export function nextMilestones(milestones: readonly Milestone[], limit = 4): Milestone[] {
  return milestones.filter((m) => !m.reached)
    .sort((a, b) => milestoneShare(b) - milestoneShare(a) || (a.id < b.id ? -1 : 1))
    .slice(0, limit);
}

/** The reached milestones, latest first (those without a time last), at most `limit`. */
export function reachedMilestones(milestones: readonly Milestone[], limit = 4): Milestone[] {
  return milestones.filter((m) => m.reached)
    .sort((a, b) => {
      const ta = a.reachedAt ?? "";
      const tb = b.reachedAt ?? "";
      return ta === tb ? (a.id < b.id ? -1 : 1) : ta < tb ? 1 : -1;
    })
    .slice(0, limit);
}
