import type { ActivityState, ActivityStatus } from "./activity_state.ts";
import type { ItemState, ItemView, LearningPath } from "./propagation.ts";

/** One step of a path as the summary shows it; `removed` when its activity left the catalog. */
export interface PathStepProgress {
  stepId: string;
  activityId: string;
  status: ActivityStatus | "removed";
  completedAt: string | null;
}

/** Seed 000's `PathProgressSummary`: per-step and overall progress of one path. */
export interface PathProgressSummary {
  pathId: string;
  title: string;
  system: LearningPath["system"];
  totalSteps: number;
  completedSteps: number;
  /** Completed share of the steps still in the catalog, 0–100, one decimal. */
  percentage: number;
  steps: PathStepProgress[];
  /** The first step not yet completed, or null when the path is done. */
  nextStep: { stepId: string; activityId: string } | null;
}

/** A path's progress from its steps' activity states; steps whose activity was deleted are shown as removed and not counted. */
export function pathProgressOf(
  path: LearningPath,
  stateOf: (activityId: string) => ActivityState | undefined,
  inCatalog: (activityId: string) => boolean,
): PathProgressSummary {
  const steps: PathStepProgress[] = path.steps.map((step) => {
    const state = stateOf(step.activityId);
    return {
      ...step,
      status: inCatalog(step.activityId) ? state?.status ?? "not_started" : "removed",
      completedAt: state?.completedAt ?? null,
    };
  });
  return withSteps({ pathId: path.pathId, title: path.title, system: path.system }, steps);
}

/** A path summary with its counts, percentage and next step worked out from `steps`. */
function withSteps(
  path: Pick<PathProgressSummary, "pathId" | "title" | "system">,
  steps: PathStepProgress[],
): PathProgressSummary {
  const counted = steps.filter((s) => s.status !== "removed");
  const completed = counted.filter((s) => s.status === "completed").length;
  const next = counted.find((s) => s.status !== "completed");
  return {
    pathId: path.pathId,
    title: path.title,
    system: path.system,
    totalSteps: counted.length,
    completedSteps: completed,
    percentage: counted.length === 0 ? 0 : Math.round((completed / counted.length) * 1000) / 10,
    steps,
    nextStep: next ? { stepId: next.stepId, activityId: next.activityId } : null,
  };
}

/** A path's progress after one activity's new state (client-side live update of `pathProgressOf`). */
export function applyActivityToPath(
  path: PathProgressSummary,
  activity: Pick<ActivityState, "activityId" | "status" | "completedAt">,
): PathProgressSummary {
  if (!path.steps.some((s) => s.activityId === activity.activityId)) return path;
  return withSteps(
    path,
    path.steps.map((s) =>
      s.activityId === activity.activityId && s.status !== "removed"
        ? { ...s, status: activity.status, completedAt: activity.completedAt }
        : s
    ),
  );
}

/** How many upcoming items the summary lists. */
export const UPCOMING_LIMIT = 10;

/** Open todos and calendar entries, soonest first (by scheduled start or due date), at most `UPCOMING_LIMIT`. */
export function upcomingItems(items: readonly ItemView[]): ItemView[] {
  const when = (i: ItemView) => i.scheduledStart ?? i.dueDate ?? "\uffff";
  return items.filter((i) => i.state.status !== "completed")
    .sort((a, b) =>
      when(a) === when(b) ? (a.itemId < b.itemId ? -1 : 1) : (when(a) < when(b) ? -1 : 1)
    )
    .slice(0, UPCOMING_LIMIT);
}

/** The state of an item nothing has been derived for yet. */
export function openItemState(itemId: string, totalActivities: number): ItemState {
  return {
    itemId,
    status: "open",
    completedActivities: 0,
    totalActivities,
    actualStart: null,
    actualEnd: null,
    completedAt: null,
    timing: null,
    lastEventId: null,
  };
}
