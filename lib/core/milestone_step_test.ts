import assert from "node:assert/strict";
import fc from "fast-check";
import type { CompletionStatus, StoredEvent } from "./event_schema.ts";
import type { LearningPath } from "./propagation.ts";
import type { ActivityState } from "./activity_state.ts";
import { HOUR_MILESTONES } from "./milestones.ts";
import { milestonesReachedBy, type MilestoneStepInput } from "./milestone_step.ts";
import { activitiesNeedingHistory, groupByActivity, project } from "./project.ts";
import { emptySummary, type ProgressSummary } from "./summary.ts";

function event(
  id: string,
  activityId: string,
  minute: number,
  status: CompletionStatus = "completed",
  timeSpent = 1,
): StoredEvent {
  const timestamp = new Date(Date.UTC(2026, 10, 1, 10, minute)).toISOString();
  return {
    id,
    userId: "u1",
    eventType: "activity_progressed",
    sourceSystem: "browser",
    eventData: { activityId, activityType: "practice", completionStatus: status, timeSpent },
    timestamp,
    receivedAt: timestamp,
    contentHash: id,
  };
}

const PATH: LearningPath = {
  pathId: "web",
  title: "Web",
  system: "ai_journey",
  steps: ["s1", "s2", "s3", "s4"].map((a) => ({ stepId: `step-${a}`, activityId: a })),
  updatedAt: "2026-11-01T00:00:00.000Z",
};

function input(events: StoredEvent[], more: Partial<MilestoneStepInput> = {}): MilestoneStepInput {
  return {
    events,
    states: new Map(),
    histories: new Map(),
    totals: emptySummary("u1").totals,
    paths: [],
    stepStates: new Map(),
    inCatalog: new Set(["s1", "s2", "s3", "s4"]),
    ...more,
  };
}

const ids = (reached: Map<string, { id: string }[]>) =>
  Object.fromEntries([...reached].map(([eventId, ms]) => [eventId, ms.map((m) => m.id)]));

Deno.test("the fifth completed activity reaches `activities:5` on the event that completed it, whatever the batch order", () => {
  const events = [1, 2, 3, 4, 5, 6].map((n) => event(`e${n}`, `a${n}`, n));
  const reached = milestonesReachedBy(input([...events].reverse()));
  assert.deepEqual(ids(reached), { e5: ["activities:5"] });
  const [milestone] = reached.get("e5")!;
  assert.equal(milestone!.reached, true);
  assert.equal(milestone!.reachedAt, events[4]!.timestamp);
});

Deno.test("path thresholds are reached by the step completion that crosses them, counting stored steps", () => {
  const done: ActivityState = {
    activityId: "s1",
    activityType: "practice",
    status: "completed",
    bestScore: null,
    percentComplete: 100,
    timeSpentMinutes: 1,
    firstActivityAt: "2026-10-30T10:00:00.000Z",
    lastAttemptAt: "2026-10-30T10:00:00.000Z",
    completedAt: "2026-10-30T10:00:00.000Z",
    completedBy: "x",
    minutesToComplete: null,
    last: { timestamp: "2026-10-30T10:00:00.000Z", eventId: "x" },
    lastSourceSystem: "browser",
    sourceSystems: ["browser"],
    eventCount: 1,
  };
  const step2 = event("e2", "s2", 2);
  const step3 = event("e3", "s3", 3, "in_progress");
  const reached = milestonesReachedBy(
    input([step3, step2], {
      paths: [PATH],
      stepStates: new Map([["s1", done]]),
      totals: { activities: 1, completed: 1, inProgress: 0, timeSpentMinutes: 1 },
    }),
  );
  assert.deepEqual(ids(reached), { e2: ["path:web:50"] });
  assert.equal(reached.get("e2")![0]!.reachedAt, step2.timestamp);
  // With s4 gone from the catalog the path has 3 steps: 2 of 3 is past 50 % but not 75 %.
  const fewer = milestonesReachedBy(
    input([step2], {
      paths: [PATH],
      stepStates: new Map([["s1", done]]),
      totals: { activities: 1, completed: 1, inProgress: 0, timeSpentMinutes: 1 },
      inCatalog: new Set(["s1", "s2", "s3"]),
    }),
  );
  assert.deepEqual(ids(fewer), { e2: ["path:web:50"] });
});

Deno.test("an hour of learning is reached by the event whose minutes cross 60", () => {
  const reached = milestonesReachedBy(
    input([event("e1", "a1", 1, "in_progress", 40), event("e2", "a1", 2, "in_progress", 25)]),
  );
  assert.deepEqual(ids(reached), { e2: ["time:1h"] });
});

Deno.test("a late completion re-reduces its activity's history, like the projection step", () => {
  const later = event("e9", "a1", 9, "in_progress");
  const late = event("e1", "a1", 1, "completed");
  const stored = project({
    now: later.timestamp,
    events: [later],
    states: new Map(),
    histories: new Map(),
    summary: emptySummary("u1"),
  });
  const reached = milestonesReachedBy(
    input([late], {
      states: stored.states,
      histories: new Map([["a1", [later]]]),
      totals: stored.summary.totals,
    }),
  );
  assert.equal(reached.size, 0, "one completed activity is no milestone");
  const four = [2, 3, 4, 5].map((n) => event(`c${n}`, `b${n}`, n));
  const withFour = project({
    now: later.timestamp,
    events: [later, ...four],
    states: new Map(),
    histories: new Map(),
    summary: emptySummary("u1"),
  });
  const fifth = milestonesReachedBy(
    input([late], {
      states: withFour.states,
      histories: new Map([["a1", [later]]]),
      totals: withFour.summary.totals,
    }),
  );
  assert.deepEqual(ids(fifth), { e1: ["activities:5"] });
});

Deno.test("over any chunking of a log, each milestone is reported once, by one event, and all reached ones are", () => {
  const step = fc.record({
    activity: fc.constantFrom("s1", "s2", "s3", "s4", "x1", "x2", "x3", "x4", "x5"),
    minute: fc.integer({ min: 0, max: 500 }),
    status: fc.constantFrom<CompletionStatus>("in_progress", "completed", "completed"),
    minutes: fc.integer({ min: 0, max: 30 }),
  });
  fc.assert(
    fc.property(
      fc.array(step, { minLength: 1, maxLength: 40 }),
      fc.integer({ min: 1, max: 12 }),
      (specs, size) => {
        const log = specs.map((s, i) => event(`e${i}`, s.activity, s.minute, s.status, s.minutes));
        let summary: ProgressSummary = emptySummary("u1");
        const states = new Map<string, ActivityState>();
        const processed: StoredEvent[] = [];
        const reports: string[] = [];
        for (let i = 0; i < log.length; i += size) {
          const events = log.slice(i, i + size);
          const touched = new Map(
            [...groupByActivity(events).keys()].flatMap((a) => {
              const s = states.get(a);
              return s ? [[a, s] as const] : [];
            }),
          );
          const histories = new Map(
            activitiesNeedingHistory(events, touched).map((
              a,
            ) => [a, processed.filter((e) => e.eventData.activityId === a)]),
          );
          const reached = milestonesReachedBy(
            input(events, {
              states: touched,
              histories,
              totals: summary.totals,
              paths: [PATH],
              stepStates: states,
            }),
          );
          const out = project({
            now: "2026-11-02T00:00:00Z",
            events,
            states: touched,
            histories,
            summary,
          });
          for (const [a, s] of out.states) states.set(a, s);
          summary = out.summary;
          processed.push(...events);
          for (const ms of reached.values()) reports.push(...ms.map((m) => m.id));
        }
        assert.equal(new Set(reports).size, reports.length, `reported once: ${reports}`);
        const completed = [...states.values()].filter((s) => s.status === "completed");
        const expected = new Set<string>();
        if (completed.length >= 5) expected.add("activities:5");
        for (const h of HOUR_MILESTONES) {
          if (summary.totals.timeSpentMinutes >= h * 60) expected.add(`time:${h}h`);
        }
        const steps = completed.filter((s) => s.activityId.startsWith("s")).length;
        for (const [n, percent] of [[1, 25], [2, 50], [3, 75], [4, 100]] as const) {
          if (steps >= n) expected.add(`path:web:${percent}`);
        }
        assert.deepEqual(new Set(reports), expected);
      },
    ),
    { numRuns: 300 },
  );
});
