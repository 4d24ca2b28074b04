import type { ActivityState } from "./activity_state.ts";

/** A student's item in another system that tracks activities (a todo or a calendar entry). */
export interface TrackedItem {
  itemId: string;
  userId: string;
  system: "todo_manager" | "calendar_service";
  kind: "todo" | "schedule";
  title: string;
  activityIds: string[];
  dueDate: string | null;
  scheduledStart: string | null;
  scheduledEnd: string | null;
  updatedAt: string;
}

/** Where an item stands, derived from its activities. */
export type ItemStatus = "open" | "in_progress" | "completed";

/** An item's derived state: status, actual times against planned, and what last changed it. */
export interface ItemState {
  itemId: string;
  status: ItemStatus;
  /** Activities of the item that are completed. */
  completedActivities: number;
  totalActivities: number;
  /** When the first of its activities was first worked on. */
  actualStart: string | null;
  /** When the last of its activities was completed (only once all are). */
  actualEnd: string | null;
  completedAt: string | null;
  /** Completion against the plan: before or after `scheduledEnd`/`dueDate`. */
  timing: "on_time" | "late" | null;
  /** The event that last changed this state (null when derived from a catalog change). */
  lastEventId: string | null;
  /** The planned time a calendar system reported the entry was moved from (latest), if any. */
  rescheduledFrom?: string;
}

/** An item with its derived state, as the API and live messages show it. */
export type ItemView = TrackedItem & { state: ItemState };

/** A learning path: ordered steps, each one activity. */
export interface LearningPath {
  pathId: string;
  title: string;
  system: "ai_journey" | "learning_path_generator";
  steps: { stepId: string; activityId: string }[];
  updatedAt: string;
}

/**
 * Derives an item's state from its activities' states: completed when all are, in progress when
 * any has been worked on, open otherwise; actual start and end from the activities' times.
 */
export function deriveItemState(
  item: TrackedItem,
  stateOf: (activityId: string) => ActivityState | undefined,
  lastEventId: string | null,
): ItemState {
  const states = item.activityIds.map(stateOf);
  const completed = states.filter((s) => s?.status === "completed");
  const worked = states.filter((s) => s !== undefined && s.status !== "not_started");
  const all = completed.length === item.activityIds.length;
  const starts = worked.map((s) => s!.firstActivityAt).sort();
  const completedAt = all ? completed.map((s) => s!.completedAt!).sort().at(-1)! : null;
  const planned = item.scheduledEnd ?? item.dueDate;
  const rescheduled = states.flatMap((s) => s?.rescheduledFrom ?? []).sort().at(-1);
  return {
    ...(rescheduled ? { rescheduledFrom: rescheduled } : {}),
    itemId: item.itemId,
    status: all ? "completed" : worked.length > 0 ? "in_progress" : "open",
    completedActivities: completed.length,
    totalActivities: item.activityIds.length,
    actualStart: starts[0] ?? null,
    actualEnd: completedAt,
    completedAt,
    timing: completedAt && planned ? (completedAt <= planned ? "on_time" : "late") : null,
    lastEventId,
  };
}

/** True when two derived item states differ in anything but the event that produced them. */
export function itemStateChanged(before: ItemState | undefined, after: ItemState): boolean {
  if (!before) return true;
  const { lastEventId: _a, ...x } = before;
  const { lastEventId: _b, ...y } = after;
  return JSON.stringify(x) !== JSON.stringify(y);
}
