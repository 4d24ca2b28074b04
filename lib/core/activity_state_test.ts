import { effectiveStatus, reportsDone } from "./progress_model.ts";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  ACTIVITY_TYPES,
  type ActivityType,
  COMPLETION_STATUSES,
  type CompletionStatus,
  type EventType,
  SOURCE_SYSTEMS,
  type SourceSystem,
  type StoredEvent,
} from "./event_schema.ts";
import {
  type ActivityState,
  appliesIncrementally,
  applyEvent,
  comparePositions,
  logOrder,
  reduceActivity,
  STATUS_RANK,
} from "./activity_state.ts";

const ACTIVITY = "quiz-7";

interface EventOptions {
  status?: CompletionStatus;
  eventType?: EventType;
  score?: number;
  timeSpent?: number;
  sourceSystem?: SourceSystem;
  activityType?: ActivityType;
  percentageWatched?: number;
  /** A calendar report's actual start and end (`scheduleProgress`). */
  actual?: { start?: string; end?: string };
}

function event(
  id: string,
  timestamp: string,
  options: EventOptions = {},
): StoredEvent {
  return {
    id,
    userId: "u1",
    eventType: options.eventType ?? "activity_progressed",
    sourceSystem: options.sourceSystem ?? "quiz_engine",
    eventData: {
      activityId: ACTIVITY,
      activityType: options.activityType ?? "quiz",
      completionStatus: options.status ?? "in_progress",
      ...(options.timeSpent === undefined ? {} : { timeSpent: options.timeSpent }),
      ...(options.score === undefined ? {} : { score: options.score }),
      ...(options.percentageWatched === undefined ? {} : {
        videoProgress: { videoId: ACTIVITY, percentageWatched: options.percentageWatched },
      }),
      ...(options.actual === undefined ? {} : {
        scheduleProgress: {
          scheduleId: "cal",
          ...(options.actual.start ? { actualStartTime: options.actual.start } : {}),
          ...(options.actual.end ? { actualEndTime: options.actual.end } : {}),
        },
      }),
    },
    timestamp,
    receivedAt: "2026-11-01T12:00:00.000Z",
    contentHash: `hash-${id}`,
  };
}

const at = (hhmm: string) => `2026-11-01T${hhmm}:00.000Z`;

function reduce(events: readonly StoredEvent[]): ActivityState {
  const state = reduceActivity(events, ACTIVITY);
  assert.ok(state, "expected a state");
  return state;
}

Deno.test("logOrder sorts by timestamp, then by event id, and keeps one copy of each id", () => {
  const events = [
    event("b", at("10:00")),
    event("c", at("09:00")),
    event("a", at("10:00")),
    event("b", at("10:00")),
  ];
  assert.deepEqual(logOrder(events).map((e) => e.id), ["c", "a", "b"]);
  assert.equal(
    comparePositions({ timestamp: at("10:00"), eventId: "a" }, {
      timestamp: at("10:00"),
      eventId: "b",
    }),
    -1,
  );
  assert.equal(
    comparePositions({ timestamp: at("09:00"), eventId: "z" }, {
      timestamp: at("10:00"),
      eventId: "a",
    }),
    -1,
  );
  assert.equal(
    comparePositions({ timestamp: at("10:00"), eventId: "a" }, {
      timestamp: at("10:00"),
      eventId: "a",
    }),
    0,
  );
});

Deno.test("reduceActivity lets the later event win between equal ranks, ordered by timestamp then id", () => {
  // `failed` and `skipped` share a rank, so whichever sorts last decides the status.
  const byTimestamp = [
    event("a", at("11:00"), { status: "skipped" }),
    event("z", at("10:00"), { status: "failed" }),
  ];
  assert.equal(reduce(byTimestamp).status, "skipped");
  const byIdOnTie = [
    event("b", at("10:00"), { status: "failed", sourceSystem: "browser" }),
    event("a", at("10:00"), { status: "skipped" }),
  ];
  const state = reduce(byIdOnTie);
  assert.equal(state.status, "failed");
  assert.equal(state.lastSourceSystem, "browser");
  assert.deepEqual(state.last, { timestamp: at("10:00"), eventId: "b" });
});

Deno.test("reduceActivity only moves the status forward", () => {
  assert.equal(
    reduce([
      event("1", at("10:00"), { status: "in_progress" }),
      event("2", at("11:00"), { status: "started" }),
    ])
      .status,
    "in_progress",
  );
  assert.equal(
    reduce([
      event("1", at("10:00"), { status: "started" }),
      event("2", at("11:00"), { status: "in_progress" }),
    ])
      .status,
    "in_progress",
  );
});

Deno.test("reduceActivity keeps completed when a later attempt fails", () => {
  const state = reduce([
    event("1", at("10:00"), { status: "completed" }),
    event("2", at("11:00"), { status: "failed" }),
  ]);
  assert.equal(state.status, "completed");
  assert.equal(state.completedAt, at("10:00"));
  assert.equal(state.percentComplete, 100);
});

Deno.test("reduceActivity keeps the best score when a later attempt scores lower", () => {
  const state = reduce([
    event("1", at("10:00"), { status: "failed", score: 80 }),
    event("2", at("11:00"), { status: "failed", score: 40 }),
    event("3", at("12:00"), { status: "failed" }),
  ]);
  assert.equal(state.bestScore, 80);
  assert.equal(reduce([event("1", at("10:00"))]).bestScore, null);
});

Deno.test("progress_reset returns the activity to not_started and clears score, progress and completedAt", () => {
  const completed = event("1", at("10:00"), { status: "completed", score: 90, timeSpent: 5 });
  const reset = event("2", at("11:00"), {
    eventType: "progress_reset",
    status: "completed",
    timeSpent: 1,
  });
  const afterReset = reduce([completed, reset]);
  assert.equal(afterReset.status, "not_started");
  assert.equal(afterReset.bestScore, null);
  assert.equal(afterReset.completedAt, null);
  assert.equal(afterReset.percentComplete, 0);
  assert.equal(afterReset.timeSpentMinutes, 6);
  assert.equal(afterReset.firstActivityAt, at("10:00"));

  const redone = reduce([
    completed,
    reset,
    event("3", at("11:30"), { status: "started", score: 30 }),
    event("4", at("11:45"), { status: "completed" }),
  ]);
  assert.equal(redone.status, "completed");
  assert.equal(redone.bestScore, 30);
  assert.equal(redone.completedAt, at("11:45"));
});

Deno.test("reported times within the clock-skew bound are when it happened; the arrival bounds the rest", () => {
  // Reported at 12:00 (arrival): a calendar entry done 08:00–08:30, sent late.
  const late = event("1", at("11:00"), {
    status: "completed",
    activityType: "practice",
    actual: { start: at("08:00"), end: at("08:30") },
  });
  const state = reduce([late]);
  assert.equal(state.completedAt, at("08:30"));
  assert.equal(state.firstActivityAt, at("08:00"));
  assert.equal(state.lastAttemptAt, at("11:00"), "the log keeps the report's own times");
  const future = reduce([
    event("2", at("11:00"), {
      status: "completed",
      activityType: "practice",
      actual: { end: at("14:00") },
    }),
  ]);
  assert.equal(future.completedAt, "2026-11-01T12:00:00.000Z", "a clock error: the arrival stands");
});

Deno.test("completedAt and lastAttemptAt stay stable whatever order the events arrive in", () => {
  const events = [
    event("1", at("10:00"), { status: "completed" }),
    event("2", at("12:00"), { status: "completed" }),
    event("3", at("09:00"), { status: "started" }),
  ];
  const state = reduce(events);
  assert.equal(state.completedAt, at("10:00"));
  assert.equal(state.lastAttemptAt, at("12:00"));
  assert.equal(state.firstActivityAt, at("09:00"));
  assert.deepEqual(reduce([...events].reverse()), state);
});

Deno.test("reduceActivity counts a repeated event once", () => {
  const once = event("1", at("10:00"), { timeSpent: 7 });
  const state = reduce([once, structuredClone(once), once]);
  assert.equal(state.eventCount, 1);
  assert.equal(state.timeSpentMinutes, 7);
});

Deno.test("reduceActivity keeps the furthest progress and every reporting system", () => {
  const state = reduce([
    event("1", at("10:00"), {
      percentageWatched: 60,
      sourceSystem: "video_player",
      activityType: "video",
    }),
    event("2", at("11:00"), {
      percentageWatched: 20,
      sourceSystem: "browser",
      activityType: "video",
    }),
  ]);
  assert.equal(state.percentComplete, 60);
  assert.deepEqual(state.sourceSystems, ["browser", "video_player"]);
});

Deno.test("appliesIncrementally is true only for an event after the last applied one", () => {
  const state = reduce([event("m", at("10:00"))]);
  assert.equal(appliesIncrementally(undefined, event("a", at("01:00"))), true);
  assert.equal(appliesIncrementally(state, event("n", at("10:00"))), true);
  assert.equal(appliesIncrementally(state, event("a", at("11:00"))), true);
  assert.equal(appliesIncrementally(state, event("m", at("10:00"))), false);
  assert.equal(appliesIncrementally(state, event("l", at("10:00"))), false);
  assert.equal(appliesIncrementally(state, event("z", at("09:00"))), false);
});

// ---- Properties ---------------------------------------------------------------------------

/** Few distinct instants, so timestamps collide and the id tie-break matters. */
const timestampArb = fc.constantFrom(
  at("09:00"),
  at("09:30"),
  at("10:00"),
  at("10:00").replace(".000", ".001"),
);

const eventArb = fc.record({
  id: fc.stringMatching(/^[a-z0-9]{1,3}$/),
  timestamp: timestampArb,
  eventType: fc.oneof(
    { arbitrary: fc.constant<EventType>("progress_reset"), weight: 1 },
    {
      arbitrary: fc.constantFrom<EventType>(
        "activity_progressed",
        "video_completed",
        "skill_assessed",
      ),
      weight: 5,
    },
  ),
  status: fc.constantFrom(...COMPLETION_STATUSES),
  score: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
  timeSpent: fc.option(fc.double({ min: 0, max: 1440, noNaN: true }), { nil: undefined }),
  percentageWatched: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
  sourceSystem: fc.constantFrom(...SOURCE_SYSTEMS),
  activityType: fc.constantFrom(...ACTIVITY_TYPES),
  // Reported times: earlier than the report, or later than its arrival (12:00) beyond the skew.
  actual: fc.option(
    fc.record({
      start: fc.option(fc.constantFrom(at("08:00"), at("09:15"), at("13:00")), { nil: undefined }),
      end: fc.option(fc.constantFrom(at("08:30"), at("10:15"), at("12:04"), at("14:00")), {
        nil: undefined,
      }),
    }),
    { nil: undefined },
  ),
}).map((r) =>
  event(r.id, r.timestamp, {
    eventType: r.eventType,
    status: r.status,
    sourceSystem: r.sourceSystem,
    activityType: r.activityType,
    ...(r.score === undefined ? {} : { score: r.score }),
    ...(r.timeSpent === undefined ? {} : { timeSpent: r.timeSpent }),
    ...(r.percentageWatched === undefined ? {} : { percentageWatched: r.percentageWatched }),
    ...(r.actual === undefined ? {} : {
      actual: {
        ...(r.actual.start ? { start: r.actual.start } : {}),
        ...(r.actual.end ? { end: r.actual.end } : {}),
      },
    }),
  })
);

/** What a report says about when it happened, bounded by its arrival (12:00) plus 5 min of skew. */
const plausible = (stated: string | undefined, e: StoredEvent) =>
  stated === undefined ? e.timestamp : stated > "2026-11-01T12:05:00.000Z" ? e.receivedAt : stated;

/** A set of one activity's events with distinct ids. */
const eventSetArb = fc.uniqueArray(eventArb, {
  selector: (e) => e.id,
  minLength: 1,
  maxLength: 12,
});

/** The events in some arrival order, some of them more than once. */
function arrivalArb(events: readonly StoredEvent[]): fc.Arbitrary<StoredEvent[]> {
  return fc.array(fc.nat({ max: events.length - 1 }), { maxLength: events.length }).chain(
    (repeats) => {
      const all = [...events, ...repeats.map((i) => structuredClone(events[i]!))];
      return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
    },
  );
}

Deno.test("reduceActivity gives the identical state for every arrival order with any duplicates", () => {
  fc.assert(
    fc.property(
      eventSetArb.chain((events) =>
        fc.tuple(fc.constant(events), arrivalArb(events), arrivalArb(events))
      ),
      ([events, first, second]) => {
        const expected = reduceActivity(events, ACTIVITY);
        assert.deepEqual(reduceActivity(first, ACTIVITY), expected);
        assert.deepEqual(reduceActivity(second, ACTIVITY), expected);
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("applying events one by one in log order gives what reduceActivity gives", () => {
  fc.assert(
    fc.property(eventSetArb.chain(arrivalArb), (arrival) => {
      let state: ActivityState | undefined;
      for (const e of logOrder(arrival)) {
        assert.equal(appliesIncrementally(state, e), true);
        state = applyEvent(state, e, ACTIVITY);
      }
      assert.deepEqual(state, reduceActivity(arrival, ACTIVITY));
    }),
    { numRuns: 300 },
  );
});

Deno.test("applying events as they arrive, re-reducing only when one arrives late, gives what reduceActivity gives", () => {
  fc.assert(
    fc.property(eventSetArb.chain(arrivalArb), (arrival) => {
      const seen = new Map<string, StoredEvent>();
      let state: ActivityState | undefined;
      for (const e of arrival) {
        if (seen.has(e.id)) continue; // the log stores an id once; a duplicate is never processed
        state = appliesIncrementally(state, e)
          ? applyEvent(state, e, ACTIVITY)
          : reduceActivity([...seen.values(), e], ACTIVITY);
        seen.set(e.id, e);
      }
      assert.deepEqual(state, reduceActivity(arrival, ACTIVITY));
    }),
    { numRuns: 300 },
  );
});

Deno.test("the reduced state follows the rules: forward-only status, best score and first completion since the last reset", () => {
  fc.assert(
    fc.property(eventSetArb, (events) => {
      const ordered = logOrder(events);
      const lastReset = ordered.findLastIndex((e) => e.eventType === "progress_reset");
      const since = ordered.slice(lastReset + 1);
      const scores = since.flatMap((e) =>
        e.eventData.score === undefined ? [] : [e.eventData.score]
      );
      const state = reduce(events);

      assert.equal(
        STATUS_RANK[state.status],
        Math.max(0, ...since.map((e) => STATUS_RANK[effectiveStatus(e.eventData)])),
      );
      assert.equal(state.bestScore, scores.length === 0 ? null : Math.max(...scores));
      const done = since.filter((e) => reportsDone(e.eventData));
      // The completion time is the one the first completing report states (when plausible).
      assert.equal(
        state.completedAt,
        done[0] ? plausible(done[0].eventData.scheduleProgress?.actualEndTime, done[0]) : null,
      );
      assert.deepEqual(state.doneBy, [...new Set(done.map((e) => e.sourceSystem))].sort());
      assert.equal(
        state.firstActivityAt,
        ordered.map((e) => plausible(e.eventData.scheduleProgress?.actualStartTime, e)).sort()[0],
      );
      assert.equal(state.lastAttemptAt, ordered.at(-1)!.timestamp);
      assert.equal(state.eventCount, ordered.length);
      if (state.status === "completed") assert.equal(state.percentComplete, 100);
    }),
    { numRuns: 500 },
  );
});

Deno.test("applyEvent records which event completed the activity and the minutes it took, cleared by a reset", () => {
  const base = {
    userId: "u1",
    sourceSystem: "video_player" as const,
    receivedAt: "2026-11-01T10:00:00.000Z",
    contentHash: "h",
  };
  const progress = (
    id: string,
    at: string,
    status: "in_progress" | "completed",
    minutes: number,
  ) => ({
    ...base,
    id,
    eventType: "activity_progressed" as const,
    timestamp: at,
    eventData: {
      activityId: "a",
      activityType: "video" as const,
      completionStatus: status,
      timeSpent: minutes,
    },
  });
  const state = reduceActivity([
    progress("e1", "2026-11-01T10:00:00.000Z", "in_progress", 5),
    progress("e2", "2026-11-01T10:05:00.000Z", "completed", 3),
    progress("e3", "2026-11-01T10:20:00.000Z", "in_progress", 10),
  ], "a")!;
  assert.equal(state.completedBy, "e2");
  assert.equal(state.minutesToComplete, 8);
  assert.equal(state.timeSpentMinutes, 18);
  const reset = reduceActivity([
    progress("e2", "2026-11-01T10:05:00.000Z", "completed", 3),
    {
      ...progress("e4", "2026-11-01T11:00:00.000Z", "in_progress", 0),
      eventType: "progress_reset" as const,
    },
  ], "a")!;
  assert.equal(reset.completedBy, null);
  assert.equal(reset.minutesToComplete, null);
});
