import assert from "node:assert/strict";
import fc from "fast-check";
import type { CompletionStatus, EventType, SourceSystem, StoredEvent } from "./event_schema.ts";
import { reduceActivity } from "./activity_state.ts";
import { conflictIdOf } from "./conflict.ts";
import { mayConflictWithHistory } from "../conflicts/conflict_step.ts";
import { detectConflicts, type DetectedConflict } from "./conflict_detection.ts";

const at = (hhmmss: string, day = "2024-01-15") => `${day}T${hhmmss}.000Z`;

function ev(
  id: string,
  options: {
    activityId?: string;
    activityIds?: string[];
    status?: CompletionStatus;
    system?: SourceSystem;
    eventType?: EventType;
    timestamp?: string;
    receivedAt?: string;
    timeSpent?: number;
    percentageWatched?: number;
    completedAt?: string;
  } = {},
): StoredEvent {
  const status = options.status ?? "completed";
  const timestamp = options.timestamp ?? at("10:00:00");
  return {
    id,
    userId: "u1",
    eventType: options.eventType ??
      (status === "completed" ? "video_completed" : "activity_progressed"),
    sourceSystem: options.system ?? "video_player",
    eventData: {
      activityId: options.activityId ?? "todo123",
      activityType: "video",
      completionStatus: status,
      ...(options.timeSpent === undefined ? {} : { timeSpent: options.timeSpent }),
      ...(options.percentageWatched === undefined ? {} : {
        videoProgress: {
          videoId: options.activityId ?? "todo123",
          percentageWatched: options.percentageWatched,
          ...(options.completedAt ? { completedAt: options.completedAt } : {}),
        },
      }),
    },
    timestamp,
    receivedAt: options.receivedAt ?? timestamp,
    contentHash: `hash-${id}`,
    ...(options.activityIds ? { activityIds: options.activityIds } : {}),
  };
}

function detect(history: StoredEvent[], incoming: StoredEvent[], activityId = "todo123") {
  return detectConflicts({ activityId, history, incoming });
}

const summary = (cs: DetectedConflict[]) =>
  cs.map((c) => `${c.conflictType}/${c.rule}:${c.conflictingEvents.map((e) => e.id).join("+")}`);

Deno.test("seed 000: todo completed 10:00 vs schedule completed 10:30 is a timestamp mismatch resolved with use_latest", () => {
  const existing = ev("todo-done", {
    eventType: "todo_completed",
    system: "todo_manager",
    timestamp: at("10:00:00"),
  });
  const incoming = ev("schedule-done", {
    eventType: "schedule_completed",
    system: "calendar_service",
    timestamp: at("10:30:00"),
  });
  const conflicts = detect([existing], [incoming]);
  assert.equal(conflicts.length, 1);
  const [c] = conflicts;
  assert.equal(c!.conflictType, "timestamp_mismatch");
  assert.equal(c!.suggestedResolution.resolutionType, "use_latest");
  assert.equal(c!.requiresUserInput, false);
  assert.equal(c!.suggestedResolution.resolvedData.resolution?.completedAt, at("10:30:00"));
  assert.deepEqual(c!.conflictingEvents.map((e) => e.id), ["todo-done", "schedule-done"]);
  assert.equal(c!.eventId, "schedule-done");
  assert.equal(c!.id, conflictIdOf("timestamp_mismatch", "todo123", "schedule-done"));
  assert.match(c!.suggestedResolution.reasoning, /30 min apart/);
});

Deno.test("completion times inside the event data count, not only the timestamps", () => {
  const video = ev("v", {
    timestamp: at("10:40:00"),
    percentageWatched: 100,
    completedAt: at("10:00:00"),
  });
  const todo = ev("t", { system: "todo_manager", timestamp: at("10:40:00") });
  assert.deepEqual(summary(detect([], [video, todo])), ["timestamp_mismatch/mismatch.near:t+v"]);
});

Deno.test("two systems reporting one completion minutes apart are a duplicate; the double-counted time goes", () => {
  const video = ev("a", { timestamp: at("10:00:00"), timeSpent: 10 });
  const todo = ev("b", { system: "todo_manager", timestamp: at("10:04:59"), timeSpent: 4 });
  const [c] = detect([video], [todo]);
  assert.equal(c!.conflictType, "duplicate_event");
  assert.equal(c!.suggestedResolution.resolutionType, "merge_data");
  assert.deepEqual(c!.suggestedResolution.resolvedData.resolution?.timeSpentDelta, -4);
  assert.equal(c!.suggestedResolution.resolvedData.resolution?.status, undefined);
  assert.equal(c!.requiresUserInput, false);
});

Deno.test("the window edges: 5 min is a duplicate, 5 min 1 s a mismatch", () => {
  const a = ev("a", { timestamp: at("10:00:00") });
  const dup = ev("b", { system: "todo_manager", timestamp: at("10:05:00") });
  const far = ev("c", { system: "calendar_service", timestamp: at("10:05:01") });
  assert.deepEqual(summary(detect([a], [dup])), ["duplicate_event/duplicate.completion:a+b"]);
  assert.deepEqual(summary(detect([a], [far])), ["timestamp_mismatch/mismatch.near:a+c"]);
});

Deno.test("the same system completing twice is a duplicate only when it resends the same report", () => {
  const first = ev("q1", { system: "quiz_engine", timestamp: at("10:00:00"), timeSpent: 5 });
  const resent = ev("q2", { system: "quiz_engine", timestamp: at("10:00:00"), timeSpent: 5 });
  const again = ev("q5", { system: "quiz_engine", timestamp: at("10:00:01"), timeSpent: 5 });
  const retake = ev("q3", { system: "quiz_engine", timestamp: at("10:03:00"), timeSpent: 8 });
  assert.deepEqual(summary(detect([first], [resent])), [
    "duplicate_event/duplicate.completion:q1+q2",
  ]);
  assert.deepEqual(detect([first], [retake]), []);
  assert.deepEqual(detect([first], [again]), [], "the same report a second later is a new one");
  const later = ev("q4", { system: "quiz_engine", timestamp: at("14:00:00") });
  assert.deepEqual(
    detect([first], [later]),
    [],
    "a re-completion by the same system is no mismatch",
  );
});

Deno.test("mismatches over a day need the student; over a week they are separate completions", () => {
  const a = ev("a", { timestamp: at("10:00:00") });
  const twoDays = ev("b", { system: "todo_manager", timestamp: at("10:00:00", "2024-01-17") });
  const [c] = detect([a], [twoDays]);
  assert.equal(c!.conflictType, "timestamp_mismatch");
  assert.equal(c!.suggestedResolution.resolutionType, "manual_review");
  assert.equal(c!.requiresUserInput, true);
  assert.equal(c!.impact, "medium");
  const eightDays = ev("c", { system: "todo_manager", timestamp: at("10:00:00", "2024-01-23") });
  assert.deepEqual(detect([a], [eightDays]), []);
});

Deno.test("progress heartbeats for the same content within 10 s are a duplicate (seed 002)", () => {
  const player = ev("p", {
    status: "in_progress",
    timestamp: at("10:00:00"),
    timeSpent: 1,
    percentageWatched: 40,
  });
  const browser = ev("b", {
    status: "in_progress",
    system: "browser",
    timestamp: at("10:00:07"),
    timeSpent: 1,
    percentageWatched: 41,
  });
  const next = ev("p2", {
    status: "in_progress",
    timestamp: at("10:00:05"),
    timeSpent: 1,
    percentageWatched: 45,
  });
  assert.deepEqual(summary(detect([player], [browser])), [
    "duplicate_event/duplicate.heartbeat:p+b",
  ]);
  assert.deepEqual(detect([player], [next]), [], "the player's own next heartbeat is new progress");
  const resent = ev("p3", {
    status: "in_progress",
    timestamp: at("10:00:00"),
    timeSpent: 1,
    percentageWatched: 40,
  });
  assert.deepEqual(summary(detect([player], [resent])), [
    "duplicate_event/duplicate.heartbeat:p+p3",
  ]);
  const late = ev("b2", { status: "in_progress", system: "browser", timestamp: at("10:00:11") });
  assert.deepEqual(detect([player], [late]), []);
});

Deno.test("completed then failed by another system in the same attempt waits for the student", () => {
  const done = ev("d", { timestamp: at("10:00:00") });
  const failed = ev("f", { status: "failed", system: "quiz_engine", timestamp: at("10:20:00") });
  const [c] = detect([done], [failed]);
  assert.equal(c!.conflictType, "completion_status_conflict");
  assert.equal(c!.requiresUserInput, true);
  assert.equal(c!.impact, "high");
  assert.equal(c!.suggestedResolution.resolutionType, "manual_review");
  assert.equal(c!.suggestedResolution.resolvedData.resolution?.status, "failed");
  // Either order of the two reports.
  const failedFirst = ev("f0", {
    status: "failed",
    system: "quiz_engine",
    timestamp: at("09:50:00"),
  });
  assert.deepEqual(summary(detect([done], [failedFirst])), [
    "completion_status_conflict/status.failed:f0+d",
  ]);
  // Outside the attempt window, or the same system retaking: no conflict.
  assert.deepEqual(
    detect([done], [
      ev("f2", { status: "failed", system: "quiz_engine", timestamp: at("11:00:01") }),
    ]),
    [],
  );
  assert.deepEqual(detect([done], [ev("f3", { status: "failed", timestamp: at("10:10:00") })]), []);
});

Deno.test("a progress report after another system's completion is stale: the completion stands on its own", () => {
  const done = ev("d", { timestamp: at("10:00:00") });
  const stale = ev("s", { status: "in_progress", system: "browser", timestamp: at("10:12:00") });
  const [c] = detect([done], [stale]);
  assert.equal(c!.conflictType, "completion_status_conflict");
  assert.equal(c!.suggestedResolution.resolutionType, "use_most_complete");
  assert.equal(c!.requiresUserInput, false);
  assert.deepEqual(c!.suggestedResolution.resolvedData.resolution?.status, "completed");
  // Progress before a completion is ordinary progression.
  assert.deepEqual(detect([stale], [ev("d2", { timestamp: at("10:30:00") })]), []);
});

Deno.test("a todo marked done while its video is 30% watched is a data inconsistency for the student", () => {
  const watching = ev("w", {
    status: "in_progress",
    timestamp: at("10:00:00"),
    percentageWatched: 30,
    activityId: "video456",
  });
  const todo = ev("t", {
    system: "todo_manager",
    eventType: "todo_completed",
    timestamp: at("10:10:00"),
    activityId: "video456",
  });
  const [c] = detect([watching], [todo], "video456");
  assert.equal(c!.conflictType, "data_inconsistency");
  assert.equal(c!.rule, "item_vs_video");
  assert.equal(c!.requiresUserInput, true);
  assert.equal(c!.suggestedResolution.resolvedData.resolution?.status, "in_progress");
  assert.equal(c!.suggestedResolution.resolvedData.resolution?.percentComplete, 30);
  // The same facts arriving the other way round (the video report late) raise the same conflict.
  const [late] = detect([todo], [watching], "video456");
  assert.equal(late!.id, c!.id);
  // Watched to 90% or completed by the player: nothing to flag.
  const nearly = ev("w2", {
    status: "in_progress",
    timestamp: at("10:05:00"),
    percentageWatched: 92,
    activityId: "video456",
  });
  assert.deepEqual(detect([watching, nearly], [todo], "video456"), []);
});

Deno.test("a timestamp far ahead of its arrival is a clock error, resolved to the arrival time", () => {
  const future = ev("f", { timestamp: at("13:00:00"), receivedAt: at("10:00:00") });
  const [c] = detect([], [future]);
  assert.equal(c!.conflictType, "data_inconsistency");
  assert.equal(c!.rule, "future.completion");
  assert.equal(c!.requiresUserInput, false);
  assert.equal(c!.suggestedResolution.resolvedData.resolution?.completedAt, at("10:00:00"));
  const skewed = ev("g", { timestamp: at("10:04:59"), receivedAt: at("10:00:00") });
  assert.deepEqual(detect([], [skewed]), [], "within the clock-skew tolerance");
});

Deno.test("a reset separates completions: reports on either side never conflict", () => {
  const before = ev("a", { timestamp: at("10:00:00") });
  const reset = ev("r", {
    eventType: "progress_reset",
    status: "started",
    timestamp: at("10:10:00"),
  });
  const after = ev("b", { system: "todo_manager", timestamp: at("10:20:00") });
  assert.deepEqual(detect([before, reset], [after]), []);
});

Deno.test("reports about different activity sets are not compared for time (a calendar block covering two)", () => {
  const quiz = ev("q", { system: "quiz_engine", timestamp: at("10:00:00"), activityId: "quiz1" });
  const block = ev("c", {
    system: "calendar_service",
    timestamp: at("10:45:00"),
    activityId: "video456",
    activityIds: ["video456", "quiz1"],
  });
  assert.deepEqual(detect([quiz], [block], "quiz1"), []);
});

Deno.test("redelivering processed events raises nothing", () => {
  const a = ev("a", { timestamp: at("10:00:00") });
  const b = ev("b", { system: "todo_manager", timestamp: at("10:30:00") });
  assert.equal(detect([], [a, b]).length, 1);
  assert.deepEqual(detect([a, b], [a, b]), []);
});

// ---------- properties ----------

const systems: SourceSystem[] = ["video_player", "todo_manager", "quiz_engine", "browser"];
const statuses: CompletionStatus[] = ["started", "in_progress", "completed", "failed", "skipped"];

const eventArb = (withResets: boolean, withVideo: boolean) =>
  fc.record({
    system: fc.constantFrom(...systems),
    status: fc.constantFrom(...statuses),
    minute: fc.integer({ min: 0, max: 180 }),
    second: fc.constantFrom(0, 3, 8, 30),
    timeSpent: fc.constantFrom(0, 2, 5),
    percent: withVideo
      ? fc.option(fc.constantFrom(20, 50, 95), { nil: undefined })
      : fc.constant(undefined),
    reset: withResets ? fc.integer({ min: 0, max: 9 }).map((n) => n === 0) : fc.constant(false),
    aheadMinutes: fc.constantFrom(0, 0, 0, 30),
  });

type EventSpec = ReturnType<typeof eventArb> extends fc.Arbitrary<infer T> ? T : never;

function build(specs: EventSpec[]): StoredEvent[] {
  return specs.map((s, i) => {
    const t = Date.parse(at("09:00:00")) + s.minute * 60_000 + s.second * 1000;
    return ev(`e${String(i).padStart(3, "0")}`, {
      status: s.status,
      system: s.system,
      eventType: s.reset ? "progress_reset" : undefined,
      timestamp: new Date(t + s.aheadMinutes * 60_000).toISOString(),
      receivedAt: new Date(t).toISOString(),
      timeSpent: s.timeSpent,
      ...(s.percent === undefined ? {} : { percentageWatched: s.percent }),
    });
  });
}

/** Detection over arrival order split into runs, each seeing the runs before as history. */
function inRuns(events: StoredEvent[], cuts: number[]): Set<string> {
  const bounds = [...new Set([0, ...cuts.map((c) => c % (events.length + 1)), events.length])]
    .sort((a, b) => a - b);
  const ids = new Set<string>();
  for (let i = 0; i + 1 < bounds.length; i++) {
    const history = events.slice(0, bounds[i]);
    const incoming = events.slice(bounds[i], bounds[i + 1]);
    for (const c of detect(history, incoming)) ids.add(c.id);
  }
  return ids;
}

Deno.test("property: however arrivals are batched, the same conflicts are found", () => {
  fc.assert(
    fc.property(
      fc.array(eventArb(true, true), { minLength: 1, maxLength: 14 }),
      fc.array(fc.nat(), { maxLength: 5 }),
      (specs, cuts) => {
        const events = build(specs);
        assert.deepEqual([...inRuns(events, cuts)].sort(), [...inRuns(events, [])].sort());
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("property: pair rules find the same conflicts in any arrival order", () => {
  fc.assert(
    fc.property(
      fc.array(eventArb(false, false), { minLength: 1, maxLength: 12 }).chain((specs) =>
        fc.tuple(
          fc.constant(specs),
          fc.shuffledSubarray(specs.map((_, i) => i), { minLength: specs.length }),
        )
      ),
      ([specs, order]) => {
        const events = build(specs);
        const shuffled = order.map((i) => events[i]!);
        const ids = (list: StoredEvent[]) => detect([], list).map((c) => c.id).sort();
        assert.deepEqual(ids(shuffled), ids(events));
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("property: every conflict names real, distinct events of the activity and a known suggestion", () => {
  fc.assert(
    fc.property(fc.array(eventArb(true, true), { minLength: 1, maxLength: 14 }), (specs) => {
      const events = build(specs);
      const byId = new Map(events.map((e) => [e.id, e]));
      const conflicts = detect([], events);
      assert.equal(new Set(conflicts.map((c) => c.id)).size, conflicts.length);
      for (const c of conflicts) {
        const ids = c.conflictingEvents.map((e) => e.id);
        assert.equal(new Set(ids).size, ids.length);
        for (const id of ids) assert.ok(byId.has(id));
        assert.equal(c.anchorEventId, ids.at(-1));
        assert.ok(c.suggestedResolution.confidence > 0 && c.suggestedResolution.confidence <= 1);
        assert.equal(
          c.requiresUserInput,
          c.suggestedResolution.confidence < 0.8 ||
            c.suggestedResolution.resolutionType === "manual_review",
        );
        assert.equal(c.suggestedResolution.resolvedData.resolution?.conflictId, c.id);
      }
    }),
    { numRuns: 300 },
  );
});

Deno.test("property: when the processing step skips the history read, detection finds the same", () => {
  fc.assert(
    fc.property(
      fc.array(eventArb(true, true), { minLength: 2, maxLength: 14 }),
      fc.nat(),
      fc.boolean(),
      (specs, cut, oneSystem) => {
        // Half the runs have a single system, where the step does skip the history.
        const events = build(
          oneSystem ? specs.map((s) => ({ ...s, system: "quiz_engine" as const })) : specs,
        );
        const split = 1 + (cut % (events.length - 1));
        const history = events.slice(0, split);
        const incoming = events.slice(split);
        const state = reduceActivity(history, "todo123");
        if (mayConflictWithHistory(state, incoming)) return;
        assert.deepEqual(
          detect([], incoming).map((c) => c.id),
          detect(history, incoming).map((c) => c.id),
        );
      },
    ),
    { numRuns: 500 },
  );
});
