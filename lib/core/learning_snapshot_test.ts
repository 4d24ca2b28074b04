import { passes } from "./progress_model.ts";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { LearningContentStatus, LearningProgressEvent } from "./learning_events.ts";
import {
  activeStreak,
  advanceStreak,
  appliesAfter,
  applyLearningEvent,
  emptySnapshot,
  reduceLearningEvents,
} from "./learning_snapshot.ts";

const at = (time: string, day = "2026-03-02") => `${day}T${time}:00.000Z`;

function progressed(
  eventId: string,
  occurredAt: string,
  contentId: string,
  status: LearningContentStatus,
  extra: Partial<Extract<LearningProgressEvent, { type: "content.progressed" }>["payload"]> = {},
): LearningProgressEvent {
  return {
    eventId,
    occurredAt,
    clientId: "c1",
    type: "content.progressed",
    payload: { contentId, status, ...extra },
  };
}

Deno.test("reduceLearningEvents never moves a status back and keeps the best score", () => {
  const snapshot = reduceLearningEvents([
    progressed("e1", at("10:00"), "quiz", "in_progress"),
    progressed("e2", at("10:05"), "quiz", "passed", { score: 90 }),
    progressed("e3", at("10:10"), "quiz", "completed", { score: 40 }),
    progressed("e4", at("10:15"), "quiz", "in_progress"),
  ]);
  const quiz = snapshot.content.quiz!;
  assert.equal(quiz.status, "passed");
  assert.equal(quiz.score, 90);
  assert.equal(quiz.firstAttemptAt, at("10:00"));
  assert.equal(quiz.lastAttemptAt, at("10:15"));
  assert.equal(quiz.completedAt, at("10:05"));
  assert.equal(quiz.progressPercent, 100);
  assert.equal(snapshot.lastUpdated, at("10:15"));
  assert.equal(snapshot.eventCount, 4);
});

Deno.test("reduceLearningEvents orders by occurredAt, not by arrival, for stable lastAttemptAt and completedAt", () => {
  const events = [
    progressed("b", at("11:00"), "video", "completed"),
    progressed("a", at("09:00"), "video", "in_progress"),
    progressed("c", at("12:00"), "video", "completed"),
  ];
  const snapshot = reduceLearningEvents(events);
  assert.equal(snapshot.content.video!.completedAt, at("11:00"));
  assert.equal(snapshot.content.video!.lastAttemptAt, at("12:00"));
  assert.equal(snapshot.content.video!.firstAttemptAt, at("09:00"));
});

Deno.test("an interaction state of null removes the interaction (a quiz reset)", () => {
  const snapshot = reduceLearningEvents([
    progressed("e1", at("10:00"), "quiz", "in_progress", {
      interaction: { interactionId: "quiz:q1", state: { kind: "quiz", selectedOptionId: "b" } },
    }),
    progressed("e2", at("10:01"), "quiz", "in_progress", {
      interaction: { interactionId: "quiz:q2", state: { kind: "quiz", selectedOptionId: "a" } },
    }),
    progressed("e3", at("10:02"), "quiz", "in_progress", {
      interaction: { interactionId: "quiz:q1", state: null },
    }),
  ]);
  assert.deepEqual(Object.keys(snapshot.interactions), ["quiz:q2"]);
  assert.deepEqual(snapshot.interactions["quiz:q2"], {
    contentId: "quiz",
    state: { kind: "quiz", selectedOptionId: "a" },
    updatedAt: at("10:01"),
  });
});

Deno.test("video progress is the furthest percent watched, and 100 once completed", () => {
  const watch = (id: string, time: string, percent: number) =>
    progressed(id, at(time), "v", "in_progress", {
      interaction: { interactionId: "v:playback", state: { kind: "video", percent } },
    });
  const snapshot = reduceLearningEvents([watch("1", "10:00", 40), watch("2", "10:01", 20)]);
  assert.equal(snapshot.content.v!.progressPercent, 40);
  assert.equal(snapshot.interactions["v:playback"]!.state.percent, 20);
  const done = reduceLearningEvents([
    watch("1", "10:00", 40),
    progressed("3", at("10:02"), "v", "completed"),
  ]);
  assert.equal(done.content.v!.progressPercent, 100);
});

Deno.test("progress.reset clears content, interactions and streak but keeps onboarding, path and history", () => {
  const events: LearningProgressEvent[] = [
    {
      eventId: "o",
      occurredAt: at("09:00"),
      clientId: "c",
      type: "onboarding.completed",
      payload: { pathId: "p" },
    },
    {
      eventId: "p",
      occurredAt: at("09:01"),
      clientId: "c",
      type: "activePath.set",
      payload: { pathId: "p" },
    },
    progressed("e1", at("10:00"), "a", "passed", {
      score: 80,
      interaction: { interactionId: "a:q1", state: { kind: "quiz", selectedOptionId: "x" } },
    }),
    { eventId: "r", occurredAt: at("11:00"), clientId: "c", type: "progress.reset" },
    progressed("e2", at("12:00"), "b", "in_progress"),
  ];
  const snapshot = reduceLearningEvents(events);
  assert.deepEqual(Object.keys(snapshot.content), ["b"]);
  assert.deepEqual(snapshot.interactions, {});
  assert.deepEqual(snapshot.streak, { current: 0, longest: 0, lastDay: null });
  assert.deepEqual(snapshot.onboarding, { completed: true, pathId: "p", updatedAt: at("09:00") });
  assert.equal(snapshot.activePathId, "p");
  assert.equal(snapshot.lastUpdated, at("12:00"));
  assert.equal(snapshot.eventCount, 5);
  // A completion that happened before the reset but arrives late is still cleared by it.
  const late = reduceLearningEvents([...events, progressed("e0", at("10:30"), "c", "completed")]);
  assert.equal(late.content.c, undefined);
});

Deno.test("the latest onboarding event decides onboarding; activePath.set null clears the path", () => {
  const snapshot = reduceLearningEvents([
    { eventId: "2", occurredAt: at("10:00"), clientId: "c", type: "onboarding.reset" },
    {
      eventId: "1",
      occurredAt: at("09:00"),
      clientId: "c",
      type: "onboarding.completed",
      payload: { pathId: "p" },
    },
    {
      eventId: "3",
      occurredAt: at("08:00"),
      clientId: "c",
      type: "activePath.set",
      payload: { pathId: "p" },
    },
    {
      eventId: "4",
      occurredAt: at("08:30"),
      clientId: "c",
      type: "activePath.set",
      payload: { pathId: null },
    },
  ]);
  assert.deepEqual(snapshot.onboarding, { completed: false, pathId: null, updatedAt: at("10:00") });
  assert.equal(snapshot.activePathId, null);
});

Deno.test("the streak counts consecutive calendar days with a completion, in the writer's offset", () => {
  const snapshot = reduceLearningEvents([
    progressed("1", "2026-03-01T23:30:00.000+02:00", "a", "completed"),
    progressed("2", "2026-03-02T08:00:00.000+02:00", "b", "passed", { score: 100 }),
    progressed("3", "2026-03-02T09:00:00.000+02:00", "c", "completed"),
    progressed("4", "2026-03-03T09:00:00.000+02:00", "a", "completed"), // not a transition
    progressed("5", "2026-03-05T09:00:00.000+02:00", "d", "completed"),
  ]);
  assert.deepEqual(snapshot.streak, { current: 1, longest: 2, lastDay: "2026-03-05" });
  assert.equal(activeStreak(snapshot.streak, "2026-03-06"), 1);
  assert.equal(activeStreak(snapshot.streak, "2026-03-07"), 0);
  assert.deepEqual(advanceStreak(snapshot.streak, "2026-03-06"), {
    current: 2,
    longest: 2,
    lastDay: "2026-03-06",
  });
});

Deno.test("applyLearningEvent on an event that sorts last equals reducing the whole log", () => {
  const events = [
    progressed("1", at("10:00"), "a", "in_progress"),
    progressed("2", at("10:01"), "a", "completed"),
  ];
  const incremental = reduceLearningEvents(events.slice(0, 1));
  assert.ok(appliesAfter(incremental, events[1]!));
  assert.deepEqual(applyLearningEvent(incremental, events[1]!), reduceLearningEvents(events));
  assert.ok(!appliesAfter(reduceLearningEvents(events), events[0]!));
  assert.ok(appliesAfter(emptySnapshot(), events[0]!));
});

Deno.test("an id reused with different content is settled by content, whatever the order", () => {
  const a = progressed("same", at("10:00"), "a", "completed");
  const b = progressed("same", at("10:00"), "a", "in_progress");
  assert.deepEqual(reduceLearningEvents([a, b]), reduceLearningEvents([b, a]));
  assert.equal(reduceLearningEvents([a, b]).eventCount, 1);
});

const contentIds = ["video-1", "quiz-1", "todo-1"];
const statusArb = fc.constantFrom<LearningContentStatus>(
  "not_started",
  "in_progress",
  "completed",
  "passed",
);
const eventArb: fc.Arbitrary<LearningProgressEvent> = fc.record({
  n: fc.integer({ min: 0, max: 40 }),
  minute: fc.integer({ min: 0, max: 8 }),
  day: fc.integer({ min: 1, max: 4 }),
  kind: fc.oneof(
    { arbitrary: fc.constant("content"), weight: 8 },
    { arbitrary: fc.constant("reset"), weight: 1 },
    { arbitrary: fc.constant("onboarding"), weight: 1 },
    { arbitrary: fc.constant("onboardingReset"), weight: 1 },
    { arbitrary: fc.constant("path"), weight: 1 },
  ),
  contentId: fc.constantFrom(...contentIds),
  status: statusArb,
  score: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
  interaction: fc.option(
    fc.record({
      interactionId: fc.constantFrom("i1", "i2"),
      state: fc.option(
        fc.record({ kind: fc.constant("quiz"), selectedOptionId: fc.constantFrom("a", "b") }),
        {
          nil: null,
        },
      ),
    }),
    { nil: undefined },
  ),
  pathId: fc.option(fc.constantFrom("p1", "p2"), { nil: null }),
}).map((r): LearningProgressEvent => {
  const base = {
    eventId: `e${r.n}`,
    occurredAt: `2026-03-0${r.day}T10:0${r.minute}:00.000Z`,
    clientId: "c",
  };
  switch (r.kind) {
    case "reset":
      return { ...base, type: "progress.reset" };
    case "onboarding":
      return { ...base, type: "onboarding.completed", payload: { pathId: r.pathId ?? "p0" } };
    case "onboardingReset":
      return { ...base, type: "onboarding.reset" };
    case "path":
      return { ...base, type: "activePath.set", payload: { pathId: r.pathId } };
    default:
      return {
        ...base,
        type: "content.progressed",
        payload: {
          contentId: r.contentId,
          status: r.status,
          ...(r.score === undefined ? {} : { score: r.score }),
          ...(r.interaction === undefined ? {} : { interaction: r.interaction }),
        },
      };
  }
});

/** Unique ids, as a real log has them (the same id always means the same content). */
const logArb = fc.uniqueArray(eventArb, { selector: (e) => e.eventId, maxLength: 30 })
  .map((events) => JSON.parse(JSON.stringify(events)) as LearningProgressEvent[]);

Deno.test("property: any permutation of a log gives the same snapshot", () => {
  fc.assert(
    fc.property(logArb, fc.infiniteStream(fc.nat()), (events, randoms) => {
      const shuffled = [...events];
      const it = randoms[Symbol.iterator]();
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = it.next().value! % (i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      assert.deepEqual(reduceLearningEvents(shuffled), reduceLearningEvents(events));
    }),
  );
});

Deno.test("property: duplicating events (any copies, any order) gives the same snapshot", () => {
  fc.assert(
    fc.property(
      logArb,
      fc.array(fc.nat(), { maxLength: 40 }),
      fc.boolean(),
      (events, copies, reverse) => {
        const withCopies = [
          ...events,
          ...copies.flatMap((i) =>
            events.length === 0 ? [] : [structuredClone(events[i % events.length]!)]
          ),
        ];
        if (reverse) withCopies.reverse();
        assert.deepEqual(reduceLearningEvents(withCopies), reduceLearningEvents(events));
      },
    ),
  );
});

Deno.test("property: status never ranks below any status reported after the last reset", () => {
  const rank = { not_started: 0, in_progress: 1, completed: 2, passed: 3 } as const;
  fc.assert(
    fc.property(logArb, (events) => {
      const snapshot = reduceLearningEvents(events);
      const ordered = [...events].sort((a, b) =>
        a.occurredAt === b.occurredAt
          ? (a.eventId < b.eventId ? -1 : 1)
          : (a.occurredAt < b.occurredAt ? -1 : 1)
      );
      const lastReset = ordered.findLastIndex((e) => e.type === "progress.reset");
      for (const event of ordered.slice(lastReset + 1)) {
        if (event.type !== "content.progressed") continue;
        const state = snapshot.content[event.payload.contentId]!;
        const { score, status } = event.payload;
        // A scored attempt below the pass mark counts as in progress ("not passed yet").
        const reported = score !== undefined && !passes(score) && rank[status] >= rank.completed
          ? "in_progress"
          : status;
        assert.ok(rank[state.status] >= rank[reported]);
        if (event.payload.score !== undefined) assert.ok(state.score! >= event.payload.score);
      }
    }),
  );
});
