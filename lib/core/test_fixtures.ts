/** Fixtures for the progress tests. */
import type { PathProgressSummary, PathStepProgress } from "./path_progress.ts";

/** A path whose first `done` of `total` steps are completed, step i at 2026-03-0(i+1) 10:00 UTC. */
export function pathWith(
  done: number,
  total: number,
  options: { pathId?: string; removed?: number[] } = {},
): PathProgressSummary {
  const steps: PathStepProgress[] = Array.from({ length: total }, (_, i) => ({
    stepId: `s${i}`,
    activityId: `a${i}`,
    status: options.removed?.includes(i) ? "removed" : i < done ? "completed" : "not_started",
    completedAt: i < done ? `2026-03-0${i + 1}T10:00:00.000Z` : null,
  }));
  const counted = steps.filter((s) => s.status !== "removed");
  const completed = counted.filter((s) => s.status === "completed").length;
  return {
    pathId: options.pathId ?? "web",
    title: "Web",
    system: "ai_journey",
    totalSteps: counted.length,
    completedSteps: completed,
    percentage: counted.length === 0 ? 0 : Math.round((completed / counted.length) * 1000) / 10,
    steps,
    nextStep: null,
  };
}
