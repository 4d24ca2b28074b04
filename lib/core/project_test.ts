import assert from "node:assert/strict";
import fc from "fast-check";
import {
  activityIdOf,
  COMPLETION_STATUSES,
  type CompletionStatus,
  type EventType,
  type StoredEvent,
} from "./event_schema.ts";
import { type ActivityState, comparePositions, reduceActivity } from "./activity_state.ts";
import {
  activitiesNeedingHistory,
  groupByActivity,
  project,
  type ProjectionOutput,
  withTitles,
} from "./project.ts";
import {
  type ActivitySummary,
  emptySummary,
  mergeRecent,
  type ProgressSummary,
  RECENT_LIMIT,
  totalsOfStates,
} from "./summary.ts";

const USER = "u1";
const NOW = "2026-11-02T00:00:00.000Z";

function event(
  id: string,
  activityId: string,
  timestamp: string,
  options: { status?: CompletionStatus; eventType?: EventType; timeSpent?: number } = {},
): StoredEvent {
  return {
    id,
    userId: USER,
    eventType: options.eventType ?? "activity_progressed",
    sourceSystem: "browser",
    eventData: {
      activityId,
      activityType: "practice",
      completionStatus: options.status ?? "in_progress",
      ...(options.timeSpent === undefined ? {} : { timeSpent: options.timeSpent }),
    },
    timestamp,
    receivedAt: "2026-11-01T23:00:00.000Z",
    contentHash: `hash-${id}`,
  };
}

const at = (hhmm: string) => `2026-11-01T${hhmm}:00.000Z`;

/** One projection of the whole set from nothing, as a full replay gives. */
function projectAll(events: readonly StoredEvent[]): ProjectionOutput {
  return project({
    now: NOW,
    events,
    states: new Map(),
    histories: new Map(),
    summary: emptySummary(USER),
  });
}

/**
 * Feeds chunks through `project` the way the processor shell does: it reads the states of the
 * activities a chunk touches, and for those `activitiesNeedingHistory` names it supplies the
 * already-applied events of that activity.
 */
function projectInChunks(chunks: readonly (readonly StoredEvent[])[]) {
  const states = new Map<string, ActivityState>();
  const applied: StoredEvent[] = [];
  const resultIds: string[] = [];
  let summary: ProgressSummary = emptySummary(USER);
  for (const chunk of chunks) {
    const touched = new Map<string, ActivityState>();
    for (const activityId of groupByActivity(chunk).keys()) {
      const state = states.get(activityId);
      if (state) touched.set(activityId, state);
    }
    const histories = new Map<string, StoredEvent[]>();
    for (const activityId of activitiesNeedingHistory(chunk, touched)) {
      histories.set(activityId, applied.filter((e) => activityIdOf(e) === activityId));
    }
    const output = project({ now: NOW, events: chunk, states: touched, histories, summary });
    for (const [activityId, state] of output.states) states.set(activityId, state);
    summary = output.summary;
    applied.push(...chunk);
    resultIds.push(...output.results.map((r) => r.eventId));
  }
  return { states, summary, resultIds };
}

function sortedEntries<V>(map: ReadonlyMap<string, V>): [string, V][] {
  return [...map].sort(([a], [b]) => (a < b ? -1 : 1));
}

// ---- Examples -----------------------------------------------------------------------------

Deno.test("activitiesNeedingHistory names only activities where an event sorts before what was applied", () => {
  const applied = projectAll([event("e5", "a", at("10:00")), event("e6", "b", at("10:00"))]);
  const next = [
    event("e1", "a", at("09:00")),
    event("e9", "b", at("11:00")),
    event("e2", "c", at("08:00")),
  ];
  assert.deepEqual(activitiesNeedingHistory(next, applied.states), ["a"]);
  assert.deepEqual(activitiesNeedingHistory([event("e4", "b", at("10:00"))], applied.states), [
    "b",
  ]);
});

Deno.test("project re-reduces an activity from its history when an event arrives late", () => {
  const first = [
    event("e2", "a", at("10:00"), { status: "started" }),
    event("e3", "a", at("11:00"), { eventType: "progress_reset" }),
  ];
  const before = projectAll(first);
  const late = event("e1", "a", at("09:00"), { status: "completed" });
  const output = project({
    now: NOW,
    events: [late],
    states: before.states,
    histories: new Map([["a", first]]),
    summary: before.summary,
  });
  assert.deepEqual(output.states.get("a"), reduceActivity([...first, late], "a"));
  assert.equal(output.states.get("a")!.status, "not_started");
  assert.equal(output.summary.totals.completed, 0);
  assert.equal(output.summary.eventCount, 3);
});

Deno.test("project returns one result and one progress_update per event, in log order", () => {
  const output = projectAll([
    event("e2", "a", at("10:00"), { status: "completed", timeSpent: 4 }),
    event("e1", "b", at("10:00")),
  ]);
  assert.deepEqual(output.results.map((r) => r.eventId), ["e1", "e2"]);
  const update = output.messages[1]!;
  assert.equal(update.event, "progress_update");
  if (update.event !== "progress_update") return;
  assert.equal(update.data.eventId, "e2");
  assert.equal(update.data.activityId, "a");
  assert.equal(update.data.activity.status, "completed");
  assert.deepEqual(
    {
      total: update.data.overallProgress.totalActivities,
      done: update.data.overallProgress.completedActivities,
      percentage: update.data.overallProgress.percentageComplete,
    },
    { total: 2, done: 1, percentage: 50 },
  );
});

// ---- Properties ---------------------------------------------------------------------------

const timestampArb = fc.constantFrom(at("09:00"), at("09:30"), at("10:00"), at("11:00"));

/** Events of several activities with distinct ids. Minutes are whole so sums are exact. */
const eventSetArb = fc.uniqueArray(
  fc.record({
    id: fc.stringMatching(/^[a-z0-9]{1,3}$/),
    activityId: fc.constantFrom("a", "b", "c", "d"),
    timestamp: timestampArb,
    status: fc.constantFrom(...COMPLETION_STATUSES),
    eventType: fc.oneof(
      { arbitrary: fc.constant<EventType>("progress_reset"), weight: 1 },
      { arbitrary: fc.constant<EventType>("activity_progressed"), weight: 5 },
    ),
    timeSpent: fc.option(
      fc.oneof(fc.integer({ min: 0, max: 90 }), fc.double({ min: 0, max: 90, noNaN: true })),
      { nil: undefined },
    ),
  }).map((r) =>
    event(r.id, r.activityId, r.timestamp, {
      status: r.status,
      eventType: r.eventType,
      ...(r.timeSpent === undefined ? {} : { timeSpent: r.timeSpent }),
    })
  ),
  { selector: (e) => e.id, minLength: 1, maxLength: 30 },
);

/** The events in an arbitrary arrival order, cut into arbitrary consecutive non-empty chunks. */
function chunksArb(events: readonly StoredEvent[]): fc.Arbitrary<StoredEvent[][]> {
  return fc.tuple(
    fc.shuffledSubarray([...events], { minLength: events.length, maxLength: events.length }),
    fc.array(fc.nat({ max: events.length }), { maxLength: events.length }),
  ).map(([arrival, cuts]) => {
    const bounds = [...new Set([0, ...cuts, arrival.length])].sort((a, b) => a - b);
    return bounds.slice(1).map((end, i) => arrival.slice(bounds[i], end));
  });
}

const eventsAndChunksArb = eventSetArb.chain((events) =>
  fc.tuple(fc.constant(events), chunksArb(events))
);

Deno.test("projecting arbitrary chunks in arbitrary arrival order ends where one projection of the whole set does", () => {
  fc.assert(
    fc.property(eventsAndChunksArb, ([events, chunks]) => {
      const whole = projectAll(events);
      const chunked = projectInChunks(chunks);

      assert.deepEqual(sortedEntries(chunked.states), sortedEntries(whole.states));
      for (const [activityId, group] of groupByActivity(events)) {
        assert.deepEqual(chunked.states.get(activityId), reduceActivity(group, activityId));
      }
      assert.deepEqual(chunked.summary.totals, whole.summary.totals);
      assert.deepEqual(chunked.summary.totals, totalsOfStates(chunked.states.values()));
      assert.equal(chunked.summary.eventCount, events.length);
      assert.deepEqual(chunked.summary.recent, whole.summary.recent);
      assert.deepEqual(chunked.resultIds.toSorted(), events.map((e) => e.id).toSorted());
    }),
    { numRuns: 400 },
  );
});

Deno.test("the recent list is newest first, at most ten, without repeats, whatever the arrival order or redelivery", () => {
  fc.assert(
    fc.property(eventsAndChunksArb, ([events, chunks]) => {
      const { recent } = projectInChunks(chunks).summary;
      const newestFirst = events.toSorted((a, b) =>
        comparePositions(
          { timestamp: b.timestamp, eventId: b.id },
          { timestamp: a.timestamp, eventId: a.id },
        )
      );
      assert.equal(recent.length, Math.min(RECENT_LIMIT, events.length));
      assert.equal(new Set(recent.map((r) => r.eventId)).size, recent.length);
      assert.deepEqual(
        recent.map((r) => r.eventId),
        newestFirst.slice(0, RECENT_LIMIT).map((e) => e.id),
      );

      // Merging events the list already holds (a redelivery) changes nothing.
      let redelivered: ActivitySummary[] = [];
      for (const chunk of chunks) {
        redelivered = mergeRecent(redelivered, chunk);
        redelivered = mergeRecent(redelivered, [...chunk, ...events.slice(0, 3)]);
      }
      assert.deepEqual(redelivered, recent);
    }),
    { numRuns: 400 },
  );
});

Deno.test("withTitles puts catalog titles on recent rows and live messages, and ids only where the catalog has none", () => {
  const output = withTitles(
    projectAll([event("e1", "html-basics", at("10:00")), event("e2", "unknown", at("10:01"))]),
    (id) => (id === "html-basics" ? "HTML basics" : undefined),
  );
  const titles = output.messages.flatMap((m) =>
    m.event === "progress_update" ? [m.data.recentActivity.title ?? m.data.activityId] : []
  );
  assert.deepEqual(titles, ["HTML basics", "unknown"]);
  assert.deepEqual(output.summary.recent.map((r) => r.title ?? r.activityId), [
    "unknown",
    "HTML basics",
  ]);
});
