/**
 * Resolving a conflict on request (API and page): the choice becomes a `conflict_resolved` event
 * appended through the normal appender and applied by the normal processor; the answer says what
 * was decided and what changed.
 */
import { acceptEvents, type IntakeDeps } from "../events/intake.ts";
import type { StoredEvent } from "../core/event_schema.ts";
import { ConflictError, InvalidInputError, NotFoundError } from "../errors.ts";
import { activityStateKey } from "../kv_keys.ts";
import { waitForResults } from "../progress/results.ts";
import { type ActivityState, type ActivityView, activityViewOf } from "../core/activity_state.ts";
import { type ProgressConflict, timeLabel } from "../core/conflict.ts";
import { getConflict } from "./conflict_store.ts";
import {
  type ResolutionChoice,
  ResolutionError,
  resolutionEvent,
  resolutionEventData,
  resolutionOutcome,
} from "../core/conflict_resolution.ts";

/** How long a resolve request waits for its event to be processed. */
export const RESOLVE_WAIT_MS = 5000;

/** One field of the activity that a resolution changed. */
export interface FieldChange {
  field: "status" | "completedAt" | "percentComplete" | "timeSpentMinutes";
  before: string | number | null;
  after: string | number | null;
}

/** The answer to a resolve request. */
export interface ResolveResponse {
  /** False when the event was stored but not yet processed within `RESOLVE_WAIT_MS`. */
  processed: boolean;
  conflict: ProgressConflict;
  /** The `conflict_resolved` event appended to the log. */
  event: Omit<StoredEvent, "contentHash">;
  activity: { before: ActivityView | null; after: ActivityView | null };
  changes: FieldChange[];
  /** What was decided and what it changed, in a sentence or two. */
  explanation: string;
}

const FIELD_LABEL: Record<FieldChange["field"], string> = {
  status: "status",
  completedAt: "completed at",
  percentComplete: "progress",
  timeSpentMinutes: "time spent",
};

function shown(field: FieldChange["field"], value: string | number | null): string {
  if (value === null) return "—";
  if (field === "completedAt") return timeLabel(String(value));
  if (field === "percentComplete") return `${value}%`;
  if (field === "timeSpentMinutes") return `${value} min`;
  return String(value).replace("_", " ");
}

/** The fields that differ between two states of an activity. */
export function changesBetween(
  before: ActivityView | null,
  after: ActivityView | null,
): FieldChange[] {
  const fields: FieldChange["field"][] = [
    "status",
    "completedAt",
    "percentComplete",
    "timeSpentMinutes",
  ];
  return fields.flatMap((field) => {
    const b = before?.[field] ?? null;
    const a = after?.[field] ?? null;
    return b === a ? [] : [{ field, before: b, after: a }];
  });
}

/** A sentence listing changes: `status: completed → in progress; progress: 100% → 30%.` */
export function describeChanges(changes: readonly FieldChange[]): string {
  if (changes.length === 0) return "The progress already matched this decision: nothing changed.";
  return `Now ${
    changes.map((c) =>
      `${FIELD_LABEL[c.field]}: ${shown(c.field, c.before)} → ${shown(c.field, c.after)}`
    ).join("; ")
  }.`;
}

async function stateOf(kv: Deno.Kv, userId: string, activityId: string) {
  const state = (await kv.get<ActivityState>(activityStateKey(userId, activityId))).value;
  return state ? activityViewOf(state) : null;
}

/**
 * Resolves one of `userId`'s conflicts with `choice`: 404 when it is not theirs, 409 when it is
 * already resolved (or another resolution of it is being applied), 400 when the choice cannot
 * apply. The decision is appended as a `conflict_resolved` event (id `<anchorEventId>@<conflictId>`)
 * and processed like any other event; the answer compares the activity before and after.
 */
export async function resolveConflict(
  deps: IntakeDeps,
  userId: string,
  conflictId: string,
  choice: ResolutionChoice,
  resolvedBy: "student" | "system",
  now = new Date(),
): Promise<ResolveResponse> {
  const { kv } = deps;
  const conflict = await getConflict(kv, userId, conflictId);
  if (!conflict) throw new NotFoundError("Conflict not found");
  if (conflict.status === "resolved") {
    throw new ConflictError(
      `Conflict already resolved (${conflict.resolution?.resolvedBy ?? "before"}): ${
        conflict.resolution?.explanation ?? ""
      }`.trim(),
    );
  }
  let decided;
  try {
    decided = resolutionOutcome(conflict, choice);
  } catch (error) {
    if (error instanceof ResolutionError) {
      throw new InvalidInputError(`Invalid resolution: ${error.message}`);
    }
    throw error;
  }
  const at = now.toISOString();
  const data = resolutionEventData(
    conflict,
    conflict.id,
    { resolutionType: choice.resolutionType, resolvedBy },
    decided.outcome,
    decided.explanation,
  );
  const event = await resolutionEvent(conflict, data, at, at);
  const before = await stateOf(kv, userId, conflict.activityId);
  const { outcomes: [outcome], runs } = await acceptEvents(deps, [event], { callerUserId: userId });
  if (outcome!.status === "conflict") {
    throw new ConflictError("Another resolution of this conflict is already being applied");
  }
  const results = await waitForResults(kv, [outcome!], runs, RESOLVE_WAIT_MS);
  const [after, updated] = await Promise.all([
    stateOf(kv, userId, conflict.activityId),
    getConflict(kv, userId, conflictId),
  ]);
  const processed = results !== null;
  const changes = processed ? changesBetween(before, after) : [];
  const { contentHash: _hash, ...view } = event;
  return {
    processed,
    conflict: updated ?? conflict,
    event: view,
    activity: { before, after },
    changes,
    explanation: processed
      ? `${decided.explanation} ${describeChanges(changes)}`
      : `${decided.explanation} The decision is stored and will apply in a moment.`,
  };
}
