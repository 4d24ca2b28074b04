import assert from "node:assert/strict";
import type { CompletionStatus, StoredEvent } from "./event_schema.ts";
import { applyEvent, reduceActivity } from "./activity_state.ts";
import { conflictEventOf, type ProgressConflict } from "./conflict.ts";
import { detectConflicts } from "./conflict_detection.ts";
import {
  isNoChange,
  ResolutionError,
  resolutionEventData,
  resolutionOutcome,
} from "./conflict_resolution.ts";

const at = (hhmm: string) => `2024-01-15T${hhmm}:00.000Z`;

function ev(
  id: string,
  hhmm: string,
  status: CompletionStatus,
  system: StoredEvent["sourceSystem"],
  extra: Partial<StoredEvent["eventData"]> = {},
): StoredEvent {
  return {
    id,
    userId: "u1",
    eventType: status === "completed" ? "video_completed" : "activity_progressed",
    sourceSystem: system,
    eventData: { activityId: "v1", activityType: "video", completionStatus: status, ...extra },
    timestamp: at(hhmm),
    receivedAt: at(hhmm),
    contentHash: `h-${id}`,
  };
}

function correction(
  id: string,
  hhmm: string,
  resolution: NonNullable<StoredEvent["eventData"]["resolution"]>,
): StoredEvent {
  return {
    id,
    userId: "u1",
    eventType: "conflict_resolved",
    sourceSystem: "progress_sync",
    eventData: {
      activityId: "v1",
      activityType: "video",
      completionStatus: resolution.status ?? "completed",
      resolution,
    },
    timestamp: at(hhmm),
    receivedAt: at(hhmm),
    contentHash: `h-${id}`,
  };
}

const base = {
  conflictId: "cf_1",
  resolutionType: "manual_review",
  resolvedBy: "student",
  explanation: "",
} as const;

Deno.test("a conflict_resolved event may move the status backwards and clears the completion", () => {
  const done = reduceActivity(
    [ev("a", "10:00", "completed", "todo_manager", { timeSpent: 5 })],
    "v1",
  )!;
  assert.equal(done.status, "completed");
  const after = applyEvent(
    done,
    correction("c", "10:30", { ...base, status: "in_progress", percentComplete: 30 }),
    "v1",
  );
  assert.equal(after.status, "in_progress");
  assert.equal(after.completedAt, null);
  assert.equal(after.completedBy, null);
  assert.equal(after.percentComplete, 30);
  assert.equal(after.timeSpentMinutes, 5);
  assert.equal(after.lastAttemptAt, at("10:00"), "a correction is not an attempt");
  assert.deepEqual(after.sourceSystems, ["todo_manager"]);
  assert.equal(after.eventCount, 2);
});

Deno.test("a conflict_resolved event moves the completion time or gives back double-counted minutes only", () => {
  const state = reduceActivity([
    ev("a", "10:00", "completed", "todo_manager", { timeSpent: 10 }),
    ev("b", "10:02", "completed", "video_player", { timeSpent: 10 }),
  ], "v1")!;
  const moved = applyEvent(
    state,
    correction("c", "10:03", { ...base, completedAt: at("10:30") }),
    "v1",
  );
  assert.equal(moved.status, "completed");
  assert.equal(moved.completedAt, at("10:30"));
  assert.equal(moved.completedBy, "a");
  const merged = applyEvent(
    state,
    correction("d", "10:03", { ...base, timeSpentDelta: -10 }),
    "v1",
  );
  assert.equal(merged.timeSpentMinutes, 10);
  assert.equal(merged.completedAt, at("10:00"));
  assert.equal(merged.status, "completed");
});

Deno.test("later events apply on top of a correction, and the log order decides as always", () => {
  const events = [
    ev("a", "10:00", "completed", "video_player"),
    correction("c", "10:30", { ...base, status: "in_progress", percentComplete: 40 }),
    ev("b", "11:00", "completed", "video_player"),
  ];
  const state = reduceActivity([...events].reverse(), "v1")!;
  assert.equal(state.status, "completed");
  assert.equal(state.completedAt, at("11:00"));
  assert.equal(state.completedBy, "b");
});

function conflictOf(history: StoredEvent[], incoming: StoredEvent[]): ProgressConflict {
  const [found] = detectConflicts({ activityId: "v1", history, incoming });
  assert.ok(found, "a conflict is detected");
  return {
    ...found,
    userId: "u1",
    status: "unresolved",
    detectedAt: at("12:00"),
    resolution: null,
  };
}

Deno.test("each resolution type picks its report; only the fields the conflict is about change", () => {
  const done = ev("d", "10:00", "completed", "video_player");
  const failed = ev("f", "10:20", "failed", "quiz_engine", { score: 40 });
  const conflict = conflictOf([done], [failed]);
  assert.deepEqual(resolutionOutcome(conflict, { resolutionType: "use_latest" }).outcome, {
    status: "failed",
    completedAt: null,
    percentComplete: 0,
  });
  assert.deepEqual(resolutionOutcome(conflict, { resolutionType: "use_most_complete" }).outcome, {
    status: "completed",
    completedAt: at("10:00"),
    percentComplete: 100,
  });
  assert.deepEqual(
    resolutionOutcome(conflict, { resolutionType: "manual_review", userData: { eventId: "d" } })
      .outcome.status,
    "completed",
  );
  const accepted = resolutionOutcome(conflict, { resolutionType: "manual_review" });
  assert.equal(accepted.outcome.status, "failed", "no userData accepts the suggestion");
  assert.match(accepted.explanation, /^Accepted the suggestion: failed/);
  const custom = resolutionOutcome(conflict, {
    resolutionType: "manual_review",
    userData: { status: "in_progress", percentComplete: 60 },
  });
  assert.deepEqual(custom.outcome, {
    status: "in_progress",
    completedAt: null,
    percentComplete: 60,
  });
  assert.throws(
    () =>
      resolutionOutcome(conflict, {
        resolutionType: "manual_review",
        userData: { eventId: "zzz" },
      }),
    ResolutionError,
  );

  const mismatch = conflictOf(
    [ev("t", "10:00", "completed", "todo_manager")],
    [ev("s", "10:30", "completed", "calendar_service")],
  );
  assert.deepEqual(resolutionOutcome(mismatch, { resolutionType: "use_latest" }).outcome, {
    completedAt: at("10:30"),
  });
  assert.deepEqual(resolutionOutcome(mismatch, { resolutionType: "use_most_complete" }).outcome, {
    completedAt: at("10:00"),
  }, "equally complete: the first completion");
});

Deno.test("a duplicate's resolution only gives back the minutes counted twice", () => {
  const conflict = conflictOf(
    [ev("a", "10:00", "completed", "video_player", { timeSpent: 12 })],
    [ev("b", "10:01", "completed", "todo_manager", { timeSpent: 9 })],
  );
  for (const resolutionType of ["use_latest", "use_most_complete", "merge_data"] as const) {
    assert.deepEqual(resolutionOutcome(conflict, { resolutionType }).outcome, {
      timeSpentDelta: -9,
    });
  }
  const none = conflictOf(
    [ev("a", "10:00", "completed", "video_player")],
    [ev("b", "10:01", "completed", "todo_manager")],
  );
  assert.ok(isNoChange(resolutionOutcome(none, { resolutionType: "merge_data" }).outcome));
});

Deno.test("applying a suggestion's event data to the state gives what the suggestion says", () => {
  const a = ev("a", "10:00", "completed", "todo_manager", { timeSpent: 5 });
  const b = ev("b", "10:30", "completed", "calendar_service", { timeSpent: 20 });
  const conflict = conflictOf([a], [b]);
  const data = resolutionEventData(
    conflict,
    conflict.id,
    { resolutionType: "use_latest", resolvedBy: "auto" },
    resolutionOutcome(conflict, { resolutionType: "use_latest" }).outcome,
    "x",
  );
  const { explanation: _x, ...applied } = data.resolution!;
  const { explanation: _y, ...suggested } = conflict.suggestedResolution.resolvedData.resolution!;
  assert.deepEqual(applied, suggested);
  const fix: StoredEvent = {
    ...correction("c", "10:31", data.resolution!),
    eventData: data,
  };
  const state = reduceActivity([a, b, fix], "v1")!;
  assert.equal(state.completedAt, at("10:30"));
  assert.equal(state.timeSpentMinutes, 25, "a mismatch keeps both systems' time");
  assert.equal(conflictEventOf(a).processed, true);
});
