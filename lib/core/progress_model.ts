/**
 * The definitions every page, the summary API, live messages and webhooks share (see
 * `docs/progress-model.md`): when an activity is done, what headline progress counts, and how it
 * is worded. Pure and import-free (types only), so the browser islands bundle the same rules.
 */
import type { ActivityType, CompletionStatus } from "./event_schema.ts";

/** Score (0–100) a quiz attempt needs to pass; below it the quiz is "not passed yet". */
export const PASS_SCORE = 70;

/** What a report says about an activity: its type, status and (quizzes) score. */
export interface Report {
  activityType: ActivityType;
  completionStatus: CompletionStatus;
  score?: number | undefined;
}

/**
 * The status a report counts as: a quiz reported `completed` with a score below `PASS_SCORE` is a
 * failed attempt (not passed yet), whoever reports it; every other report counts as reported.
 */
export function effectiveStatus(report: Report): CompletionStatus {
  const failedQuiz = report.activityType === "quiz" && report.completionStatus === "completed" &&
    report.score !== undefined && report.score < PASS_SCORE;
  return failedQuiz ? "failed" : report.completionStatus;
}

/** True when a report says the activity is done (completed, or passed for a quiz). */
export function reportsDone(report: Report): boolean {
  return effectiveStatus(report) === "completed";
}

/** True when a quiz score passes. */
export function passes(score: number | null | undefined): boolean {
  return typeof score === "number" && score >= PASS_SCORE;
}

/** Headline progress: done activities of those the student works toward. */
export interface Headline {
  done: number;
  total: number;
  /** `done / total` in percent, one decimal; 100 only when every one is done. */
  percentage: number;
}

/**
 * Headline progress over the activities the student works toward: every activity they touched
 * (`touched` counts them and the done ones among them) and the `planned` ones (steps of the paths
 * they follow or have started, activities of their todos and calendar entries) they have not
 * touched yet. Never 100 % unless all of them are done.
 */
export function headlineOf(input: {
  touched: { activities: number; done: number };
  plannedUntouched: number;
}): Headline {
  const total = input.touched.activities + input.plannedUntouched;
  const done = input.touched.done;
  const rounded = total === 0 ? 0 : Math.round((done / total) * 1000) / 10;
  return { done, total, percentage: done < total ? Math.min(99.9, rounded) : rounded };
}

/** The activities a student works toward besides those they touched: path steps and item activities. */
export function plannedActivityIds(input: {
  paths: readonly { steps: readonly { activityId: string }[] }[];
  items: readonly { activityIds: readonly string[] }[];
  inCatalog: (activityId: string) => boolean;
}): string[] {
  const ids = new Set<string>();
  for (const path of input.paths) {
    for (const step of path.steps) if (input.inCatalog(step.activityId)) ids.add(step.activityId);
  }
  for (const item of input.items) for (const id of item.activityIds) ids.add(id);
  return [...ids];
}

/** The headline as every page words it: "3 of 8 done · 37.5 %". */
export function headlineText(headline: Pick<Headline, "done" | "total" | "percentage">): string {
  return `${headline.done} of ${headline.total} done · ${headline.percentage} %`;
}
