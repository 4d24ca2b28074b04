/** What a student's conflict history shows: decisions and changes to their progress, once each. */
import type { ProgressConflict } from "./conflict.ts";

/** Below this confidence a waiting conflict offers a plain choice, not a suggestion. */
export const SUGGEST_MIN_CONFIDENCE = 0.65;

/** One row of the history: a settled conflict, or several identical ones collapsed. */
export interface HistoryRow {
  /** The newest of the collapsed conflicts. */
  conflict: ProgressConflict;
  /** How many identical conflicts the row stands for (1 or more). */
  count: number;
}

/** The summary of the history: the rows, and how many merges were left to the admin's records. */
export interface StudentHistory {
  rows: HistoryRow[];
  /** Settled conflicts that needed no decision and changed nothing (a system repeating itself). */
  hidden: number;
}

/** True for one system sending the same report more than once (its own retries or replays). */
export function isRepeatBySystem(conflict: ProgressConflict): boolean {
  const systems = new Set(conflict.conflictingEvents.map((e) => e.sourceSystem));
  return conflict.conflictType === "duplicate_event" && systems.size === 1;
}

/**
 * True when a settled conflict belongs in the student's history: someone decided it (the student
 * or an integration), or settling it on its own changed their progress (it appended a
 * `conflict_resolved`) for another reason than undoing a system's repeat of its own report.
 */
export function mattersToStudent(conflict: ProgressConflict): boolean {
  const r = conflict.resolution;
  if (r === null) return false;
  if (r.resolvedBy !== "auto") return true;
  return r.eventId !== null && !isRepeatBySystem(conflict);
}

function sameness(conflict: ProgressConflict): string {
  const systems = [...new Set(conflict.conflictingEvents.map((e) => e.sourceSystem))].sort();
  return JSON.stringify([
    conflict.activityId,
    conflict.conflictType,
    systems,
    conflict.resolution?.resolvedBy ?? null,
    conflict.resolution?.explanation ?? null,
  ]);
}

function newestFirst(a: ProgressConflict, b: ProgressConflict): number {
  return a.detectedAt === b.detectedAt
    ? (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)
    : (a.detectedAt < b.detectedAt ? 1 : -1);
}

/**
 * The student's history from settled conflicts (any order, repeats allowed): only those that
 * matter to them, identical ones (same activity, kind, systems and outcome) collapsed into one row
 * with a count, newest first. The others stay stored and in the API; here they are only counted.
 */
export function studentHistory(settled: readonly ProgressConflict[]): StudentHistory {
  const unique = [...new Map(settled.map((c) => [c.id, c])).values()].sort(newestFirst);
  const rows = new Map<string, HistoryRow>();
  let hidden = 0;
  for (const conflict of unique) {
    if (!mattersToStudent(conflict)) {
      hidden++;
      continue;
    }
    const key = sameness(conflict);
    const row = rows.get(key);
    if (row) row.count++;
    else rows.set(key, { conflict, count: 1 });
  }
  return { rows: [...rows.values()], hidden };
}

/** True when a waiting conflict's suggestion is confident enough to offer. */
export function offersSuggestion(conflict: ProgressConflict): boolean {
  return conflict.suggestedResolution.confidence >= SUGGEST_MIN_CONFIDENCE;
}
