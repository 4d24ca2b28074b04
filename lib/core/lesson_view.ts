/**
 * What the learn page shows for a lesson: the server's activity state (the source of truth, done
 * in any system) with the device's own progress laid over it until it syncs. Pure and bundled
 * into the learn island, so it imports types and pure rules only.
 */
import type { ActivityStatus } from "./activity_state.ts";
import { passes } from "./progress_model.ts";
import type { ContentProgress } from "./learning_snapshot.ts";

/** A lesson's state as the learn page shows it. */
export type LessonStatus = "not_started" | "in_progress" | "not_passed" | "done";

/** What the server knows of an activity (from the page render, then live updates). */
export interface ServerActivity {
  status: ActivityStatus;
  bestScore: number | null;
  /** Systems that reported it done (since the last reset). */
  doneBy: string[];
}

/** One lesson as shown: its status, best score and the systems that did it. */
export interface LessonView {
  status: LessonStatus;
  score: number | null;
  /** Systems that did it (`browser` for this and other devices), empty unless done. */
  doneBy: string[];
}

/** What the learn page needs of an activity's server state (page render and live updates). */
export function serverActivityOf(
  view: { status: ActivityStatus; bestScore: number | null; doneBy?: string[] },
): ServerActivity {
  return { status: view.status, bestScore: view.bestScore, doneBy: view.doneBy ?? [] };
}

const best = (a: number | null | undefined, b: number | null | undefined): number | null =>
  a == null ? b ?? null : b == null ? a : Math.max(a, b);

/**
 * A lesson's view from the server's state and the device's snapshot entry. While the device holds
 * an unsynced reset of the lesson (`resetPending`), the server's older state is not shown.
 */
export function lessonViewOf(
  server: ServerActivity | undefined,
  local: ContentProgress | undefined,
  options: { resetPending?: boolean } = {},
): LessonView {
  const known = options.resetPending ? undefined : server;
  const localDone = local !== undefined &&
    (local.status === "completed" || local.status === "passed");
  const score = best(known?.bestScore, local?.score);
  if (known?.status === "completed" || localDone) {
    const by = new Set(known?.status === "completed" ? known.doneBy : []);
    if (localDone) by.add("browser");
    return { status: "done", score, doneBy: [...by].sort() };
  }
  const scoredBelow = score !== null && !passes(score);
  if (known?.status === "failed" || scoredBelow) {
    return { status: "not_passed", score, doneBy: [] };
  }
  const started = (known !== undefined && known.status !== "not_started") ||
    (local !== undefined && local.status !== "not_started");
  return { status: started ? "in_progress" : "not_started", score, doneBy: [] };
}
