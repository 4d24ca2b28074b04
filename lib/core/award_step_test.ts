import assert from "node:assert/strict";
import fc from "fast-check";
import type { CompletionStatus, StoredEvent } from "./event_schema.ts";
import { type Award, awardAchievements } from "./award_step.ts";
import { DEFAULT_ACHIEVEMENTS } from "./achievement_definitions.ts";
import { emptyFacts, type ProgressFacts } from "./achievement_facts.ts";
import type { LogPosition } from "./activity_state.ts";

function event(
  id: string,
  activityId: string,
  timestamp: string,
  status: CompletionStatus = "completed",
  minutes = 10,
): StoredEvent {
  return {
    id,
    userId: "u1",
    eventType: "activity_progressed",
    sourceSystem: "video_player",
    eventData: { activityId, activityType: "video", completionStatus: status, timeSpent: minutes },
    timestamp,
    receivedAt: timestamp,
    contentHash: id,
  };
}

const EXPECTED = new Map([["fast-one", 30]]);
const PATHS = [{
  pathId: "p1",
  steps: [{ stepId: "s1", activityId: "a1" }, { stepId: "s2", activityId: "a2" }],
}];

/** Runs the award step over `chunks` in arrival order, as processing would. */
function runInChunks(chunks: StoredEvent[][], timeZone = "UTC") {
  let facts: ProgressFacts = emptyFacts();
  const stepCompletions = new Map<string, LogPosition>();
  const awarded = new Map<string, Award>();
  const earned: string[] = [];
  for (const chunk of chunks) {
    const out = awardAchievements({
      definitions: DEFAULT_ACHIEVEMENTS,
      facts,
      events: chunk,
      timeZone,
      expectedMinutes: EXPECTED,
      paths: PATHS,
      stepCompletions,
      awarded,
      now: "2026-11-30T12:00:00.000Z",
    });
    facts = out.facts;
    for (const [id, at] of out.stepCompletions) stepCompletions.set(id, at);
    for (const award of out.awards) awarded.set(award.achievementId, award);
    earned.push(...out.earned.map((e) => e.award.achievementId));
  }
  return { facts, awarded, earned };
}

const day = (d: number, hour = 10) =>
  `2026-11-${String(d).padStart(2, "0")}T${String(hour).padStart(2, "0")}:00:00.000Z`;

Deno.test("the first completed activity earns `first-completion`, triggered by the completing event", () => {
  const { awarded } = runInChunks([[event("e1", "a1", day(2), "in_progress")], [
    event("e2", "a1", day(2, 11)),
  ]]);
  const award = awarded.get("first-completion")!;
  assert.equal(award.triggerEventId, "e2");
  assert.equal(award.type, "completion");
  assert.equal(award.earnedAt, day(2, 11));
});

Deno.test("a late event that fills a gap earns the streak, triggered in log order by the third day's first event", () => {
  const chunks = [
    [event("d1", "x1", day(1), "in_progress")],
    [event("d3", "x3", day(3), "in_progress"), event("d3b", "x4", day(3, 12), "in_progress")],
    [event("d2", "x2", day(2), "in_progress")],
  ];
  const { awarded, earned } = runInChunks(chunks);
  assert.equal(awarded.get("streak-3")!.triggerEventId, "d3");
  assert.ok(earned.includes("streak-3"));
  assert.equal(awarded.has("streak-7"), false);
});

Deno.test("finishing faster than the catalog's expected time earns `speedy`; slower does not", () => {
  const slow = runInChunks([[event("s1", "fast-one", day(4), "completed", 45)]]);
  assert.equal(slow.awarded.has("speedy"), false);
  const fast = runInChunks([[event("f1", "fast-one", day(4), "completed", 12)]]);
  assert.equal(fast.awarded.get("speedy")!.triggerEventId, "f1");
});

Deno.test("activity on five days of one week earns `consistent-week` on the fifth day", () => {
  // 2026-11-16 is a Monday.
  const events = [16, 17, 19, 20, 22, 23].map((d) =>
    event(`w${d}`, `a${d}`, day(d), "in_progress")
  );
  const { awarded } = runInChunks([events]);
  assert.equal(awarded.get("consistent-week")!.triggerEventId, "w22");
});

Deno.test("completing every step of a path earns `path-complete`, triggered by the last step's completion", () => {
  const { awarded } = runInChunks([[event("p-a2", "a2", day(5))], [event("p-a1", "a1", day(6))]]);
  assert.equal(awarded.get("path-complete")!.triggerEventId, "p-a1");
  assert.equal(awarded.get("path-complete")!.metadata.pathId, "p1");
});

Deno.test("streak days follow the student's time zone", () => {
  // 23:30 UTC is already the next day in Berlin: three UTC days are three Berlin days here,
  // but 22:00 and 23:30 UTC on one day fall on two Berlin days.
  const events = [
    event("t1", "a", "2026-11-01T22:00:00.000Z", "in_progress"),
    event("t2", "b", "2026-11-01T23:30:00.000Z", "in_progress"),
    event("t3", "c", "2026-11-02T23:30:00.000Z", "in_progress"),
  ];
  assert.equal(runInChunks([events], "UTC").awarded.has("streak-3"), false);
  assert.equal(
    runInChunks([events], "Europe/Berlin").awarded.get("streak-3")!.triggerEventId,
    "t3",
  );
});

Deno.test("any arrival order and chunking of the same log awards the same achievements at the same events", () => {
  const statuses: CompletionStatus[] = ["started", "in_progress", "completed"];
  const eventArb = fc.record({
    activity: fc.constantFrom("a1", "a2", "fast-one", "b", "c"),
    day: fc.integer({ min: 1, max: 12 }),
    hour: fc.integer({ min: 0, max: 23 }),
    status: fc.constantFrom(...statuses),
    minutes: fc.integer({ min: 0, max: 40 }),
  });
  fc.assert(
    fc.property(
      fc.uniqueArray(eventArb, {
        minLength: 1,
        maxLength: 25,
        selector: (e) => `${e.day}-${e.hour}-${e.activity}`,
      }),
      fc.func(fc.integer()),
      fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 10 }),
      (records, shuffleKey, sizes) => {
        const events = records.map((r, i) =>
          event(`e${i}`, r.activity, day(r.day, r.hour), r.status, r.minutes)
        );
        const whole = runInChunks([events]);
        const shuffled = [...events].sort((a, b) => shuffleKey(a.id) - shuffleKey(b.id));
        const chunks: StoredEvent[][] = [];
        for (let i = 0, s = 0; i < shuffled.length; s++) {
          const size = sizes[s % sizes.length]!;
          chunks.push(shuffled.slice(i, i + size));
          i += size;
        }
        const chunked = runInChunks(chunks);
        const triggers = (m: Map<string, Award>) =>
          Object.fromEntries([...m].map(([id, a]) => [id, a.triggerEventId]).sort());
        assert.deepEqual(triggers(chunked.awarded), triggers(whole.awarded));
        assert.deepEqual(chunked.facts, whole.facts);
        assert.equal(new Set(chunked.earned).size, chunked.earned.length, "each awarded once");
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("facts stay bounded for a student with thousands of completions and days, and awards never move later", () => {
  const events = Array.from({ length: 3000 }, (_, i) =>
    event(
      `big-${i}`,
      `act-${i}`,
      new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString(),
    ));
  // Processing takes at most 30 events of a student per commit.
  const chunks = Array.from({ length: 100 }, (_, i) => events.slice(i * 30, i * 30 + 30));
  const { facts, awarded } = runInChunks(chunks);
  assert.ok(
    JSON.stringify(facts).length < 60_000, // one KV value holds at most 65,536 bytes
    `facts are ${JSON.stringify(facts).length} bytes`,
  );
  assert.equal(awarded.get("first-completion")!.triggerEventId, "big-0");
  assert.equal(awarded.get("streak-7")!.triggerEventId, "big-6");
});
