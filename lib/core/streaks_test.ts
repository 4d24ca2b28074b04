import assert from "node:assert/strict";
import fc from "fast-check";
import type { ActivityType, StoredEvent } from "./event_schema.ts";
import { foldFacts } from "./award_step.ts";
import { addDays, streaksOf } from "./calendar.ts";
import { emptyFacts, type ProgressFacts } from "./achievement_facts.ts";
import { FREEZE_EARN_DAYS, streakReportOf, streaksWithFreeze } from "./streaks.ts";

/** `n` consecutive days from `first`. */
function run(first: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => addDays(first, i));
}

function event(id: string, timestamp: string, activityType: ActivityType = "video"): StoredEvent {
  return {
    id,
    userId: "u1",
    eventType: "activity_progressed",
    sourceSystem: "video_player",
    eventData: {
      activityId: `act-${id}`,
      activityType,
      completionStatus: "in_progress",
      timeSpent: 5,
    },
    timestamp,
    receivedAt: timestamp,
    contentHash: id,
  };
}

/** Folds event chunks into facts as processing does, each chunk with the time zone of its time. */
function fold(chunks: readonly StoredEvent[][], timeZone: string | string[] = "UTC") {
  let facts: ProgressFacts = emptyFacts();
  chunks.forEach((events, i) => {
    const zone = typeof timeZone === "string" ? timeZone : timeZone[i]!;
    facts = foldFacts({
      facts,
      events,
      timeZone: zone,
      expectedMinutes: new Map(),
      paths: [],
      stepCompletions: new Map(),
    });
  });
  return facts;
}

Deno.test("seven consecutive active days earn a freeze, and the eighth does not earn another", () => {
  const six = streaksWithFreeze(run("2026-11-01", 6), "2026-11-06");
  assert.deepEqual(six.freeze, {
    held: false,
    earnedOn: null,
    usedOn: null,
    progress: 6,
    target: FREEZE_EARN_DAYS,
  });
  const eight = streaksWithFreeze(run("2026-11-01", 8), "2026-11-08");
  assert.equal(eight.current, 8);
  assert.deepEqual(eight.freeze, {
    held: true,
    earnedOn: "2026-11-07",
    usedOn: null,
    progress: 0,
    target: 7,
  });
});

Deno.test("one missed day while a freeze is held is bridged: the streak goes on and the freeze is used", () => {
  const days = [...run("2026-11-01", 7), ...run("2026-11-09", 3)]; // 11-08 missed
  const report = streaksWithFreeze(days, "2026-11-11");
  assert.equal(report.current, 10, "the bridged day keeps the streak but is not counted");
  assert.equal(report.longest, 10);
  assert.deepEqual(report.freeze, {
    held: false,
    earnedOn: null,
    usedOn: "2026-11-08",
    progress: 3,
    target: 7,
  });
  // Without the freeze (only 6 days before the gap) the same gap ends the streak.
  const short = streaksWithFreeze([...run("2026-11-02", 6), ...run("2026-11-09", 3)], "2026-11-11");
  assert.equal(short.current, 3);
  assert.equal(short.freeze.usedOn, null);
});

Deno.test("two missed days in a row end the streak even with a freeze, which is used on the first", () => {
  const days = [...run("2026-11-01", 7), ...run("2026-11-10", 2)];
  const report = streaksWithFreeze(days, "2026-11-11");
  assert.equal(report.current, 2);
  assert.equal(report.longest, 7);
  assert.equal(report.freeze.held, false);
  assert.equal(report.freeze.usedOn, "2026-11-08");
});

Deno.test("today is never a missed day: yesterday is bridged while today is still open", () => {
  const days = run("2026-11-01", 7);
  assert.deepEqual(
    [streaksWithFreeze(days, "2026-11-08").current, streaksWithFreeze(days, "2026-11-08").freeze],
    [7, { held: true, earnedOn: "2026-11-07", usedOn: null, progress: 0, target: 7 }],
  );
  const bridged = streaksWithFreeze(days, "2026-11-09");
  assert.equal(bridged.current, 7, "11-08 missed, bridged by the freeze; 11-09 can still count");
  assert.equal(bridged.freeze.usedOn, "2026-11-08");
  assert.equal(streaksWithFreeze(days, "2026-11-10").current, 0, "11-09 missed too");
});

Deno.test("after a freeze is used, seven more consecutive active days earn the next one", () => {
  const days = [...run("2026-11-01", 7), ...run("2026-11-09", 7)];
  const report = streaksWithFreeze(days, "2026-11-15");
  assert.equal(report.current, 14);
  assert.deepEqual(report.freeze, {
    held: true,
    earnedOn: "2026-11-15",
    usedOn: "2026-11-08",
    progress: 0,
    target: 7,
  });
});

Deno.test("a late event that fills the bridged day gives the freeze back", () => {
  const days = [...run("2026-11-01", 7), ...run("2026-11-09", 3)];
  const filled = streaksWithFreeze([...days, "2026-11-08"], "2026-11-11");
  assert.equal(filled.current, 11);
  assert.deepEqual(filled.freeze, {
    held: true,
    earnedOn: "2026-11-07",
    usedOn: null,
    progress: 0,
    target: 7,
  });
});

/** The freeze rule walked one calendar day at a time: a reference for the gap arithmetic. */
function dayByDay(activeDays: ReadonlySet<string>, today: string) {
  const sorted = [...activeDays].filter((d) => d <= today).sort();
  let current = 0, longest = 0, progress = 0;
  let earnedOn: string | null = null, usedOn: string | null = null;
  let missedInARow = 0;
  for (let day = sorted[0]; day !== undefined && day <= today; day = addDays(day, 1)) {
    if (activeDays.has(day)) {
      missedInARow = 0;
      current++;
      longest = Math.max(longest, current);
      if (earnedOn === null && ++progress === FREEZE_EARN_DAYS) [earnedOn, progress] = [day, 0];
    } else if (day !== today) {
      missedInARow++;
      progress = 0;
      if (earnedOn !== null) [usedOn, earnedOn] = [day, null];
      else if (missedInARow >= 1) current = 0;
      if (missedInARow >= 2) current = 0;
    }
  }
  return { current, longest, held: earnedOn !== null, earnedOn, usedOn, progress };
}

Deno.test("streaksWithFreeze matches a day-by-day walk for any set of days, in any order, with repeats", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 60 }),
      fc.integer({ min: 0, max: 70 }),
      (offsets, todayOffset) => {
        const days = offsets.map((n) => addDays("2026-01-01", n));
        const today = addDays("2026-01-01", todayOffset);
        const got = streaksWithFreeze(days, today);
        const reversed = streaksWithFreeze([...days].reverse().concat(days), today);
        assert.deepEqual(reversed, got);
        const { current, longest, ...freeze } = dayByDay(new Set(days), today);
        assert.deepEqual(
          { current: got.current, longest: got.longest, ...got.freeze },
          { current, longest, ...freeze, target: FREEZE_EARN_DAYS },
        );
        assert.ok(got.current <= got.longest);
        assert.ok(!got.freeze.held || got.current > 0, "a held freeze always has a streak to keep");
        // A freeze only ever lengthens streaks.
        const plain = streaksOf(days.filter((d) => d <= today), today);
        assert.ok(got.current >= plain.current && got.longest >= plain.longest);
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("the streak report is the same for the same log in any order and any chunks", () => {
  const types: ActivityType[] = ["video", "quiz", "practice", "project", "milestone"];
  const logEvent = fc.record({
    day: fc.integer({ min: 0, max: 30 }),
    hour: fc.integer({ min: 0, max: 23 }),
    type: fc.constantFrom(...types),
  });
  fc.assert(
    fc.property(
      fc.uniqueArray(logEvent, { maxLength: 40, selector: (e) => `${e.day}-${e.hour}-${e.type}` }),
      fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })),
      fc.integer({ min: 1, max: 10 }),
      fc.constantFrom("UTC", "Pacific/Auckland", "America/New_York"),
      (specs, randoms, chunkSize, timeZone) => {
        const log = specs.map((s, i) =>
          event(
            `e${i}`,
            new Date(Date.UTC(2026, 9, 15 + s.day, s.hour)).toISOString(),
            s.type,
          )
        );
        const shuffled = log.map((e) => [randoms.next().value, e] as const)
          .sort((a, b) => a[0] - b[0]).map(([, e]) => e);
        const chunks = Array.from(
          { length: Math.ceil(shuffled.length / chunkSize) },
          (_, i) => [...shuffled.slice(i * chunkSize, i * chunkSize + chunkSize), log[0]!],
        ).filter((c) => c[0] !== undefined);
        const today = "2026-11-14";
        const whole = streakReportOf(fold([log], timeZone), today);
        assert.deepEqual(streakReportOf(fold(chunks, timeZone), today), whole);
        for (const type of types) {
          const typeDays = fold([log.filter((e) => e.eventData.activityType === type)], timeZone);
          assert.deepEqual(
            whole.byActivityType[type],
            streaksOf(Object.keys(typeDays.days), today),
            `${type} streaks count the days with an event of that type`,
          );
        }
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("per-type streaks: each activity type has its own current and longest run", () => {
  const facts = fold([[
    event("v1", "2026-11-01T10:00:00Z", "video"),
    event("v2", "2026-11-02T10:00:00Z", "video"),
    event("v3", "2026-11-03T10:00:00Z", "video"),
    event("q1", "2026-11-02T10:00:00Z", "quiz"),
    event("q2", "2026-11-04T10:00:00Z", "quiz"),
    event("q3", "2026-11-05T10:00:00Z", "quiz"),
  ]]);
  const report = streakReportOf(facts, "2026-11-05");
  assert.deepEqual(report.byActivityType.video, { current: 0, longest: 3 });
  assert.deepEqual(report.byActivityType.quiz, { current: 2, longest: 2 });
  assert.deepEqual(report.byActivityType.practice, { current: 0, longest: 0 });
  assert.equal(report.current, 5);
});

Deno.test("days count in the student's time zone: across midnight an event belongs to the local day", () => {
  // 23:30 UTC on 11-01 is 00:30 on 11-02 in Berlin: Berlin sees two days in a row, UTC one.
  const log = [event("a", "2026-11-01T09:00:00Z"), event("b", "2026-11-01T23:30:00Z")];
  assert.equal(streakReportOf(fold([log], "UTC"), "2026-11-02").current, 1);
  assert.equal(streakReportOf(fold([log], "Europe/Berlin"), "2026-11-02").current, 2);
});

Deno.test("daylight-saving shifts neither split nor merge local days", () => {
  // New York springs forward on 2026-03-08 (a 23-hour day) and falls back on 2026-11-01 (25 hours).
  const spring = [
    event("s1", "2026-03-08T04:30:00Z"), // 03-07 23:30 EST
    event("s2", "2026-03-09T03:30:00Z"), // 03-08 23:30 EDT
    event("s3", "2026-03-09T04:30:00Z"), // 03-09 00:30 EDT
  ];
  const facts = fold([spring], "America/New_York");
  assert.deepEqual(Object.keys(facts.days).sort(), ["2026-03-07", "2026-03-08", "2026-03-09"]);
  assert.equal(streakReportOf(facts, "2026-03-09").current, 3);
  const fall = [
    event("f1", "2026-11-01T04:30:00Z"), // 11-01 00:30 EDT
    event("f2", "2026-11-02T04:30:00Z"), // 11-01 23:30 EST: still 11-01
    event("f3", "2026-11-02T05:30:00Z"), // 11-02 00:30 EST
  ];
  const fallFacts = fold([fall], "America/New_York");
  assert.deepEqual(Object.keys(fallFacts.days).sort(), ["2026-11-01", "2026-11-02"]);
  assert.deepEqual(streakReportOf(fallFacts, "2026-11-02").byActivityType.video, {
    current: 2,
    longest: 2,
  });
});

Deno.test("a time-zone change applies from the events processed after it; earlier days stay", () => {
  // Tokyo until 11-02, then Los Angeles: 11-02 09:00 JST is 11-02 00:00 UTC, 11-03 20:00 UTC is
  // 11-03 12:00 PST. Days recorded in Tokyo keep their date and the streak carries on.
  const tokyo = [event("t1", "2026-11-01T01:00:00Z"), event("t2", "2026-11-02T00:00:00Z")];
  const la = [event("l1", "2026-11-03T20:00:00Z")];
  const facts = fold([tokyo, la], ["Asia/Tokyo", "America/Los_Angeles"]);
  assert.deepEqual(Object.keys(facts.days).sort(), ["2026-11-01", "2026-11-02", "2026-11-03"]);
  assert.equal(streakReportOf(facts, "2026-11-03").current, 3);
  // Had the student been in Los Angeles all along, 11-02 00:00 UTC would be 11-01 there.
  assert.equal(
    streakReportOf(fold([[...tokyo, ...la]], "America/Los_Angeles"), "2026-11-03")
      .current,
    1,
  );
});

Deno.test("a student with thousands of events across every type keeps facts well under KV's 64 KiB", () => {
  const types: ActivityType[] = ["video", "quiz", "practice", "project", "milestone"];
  const events = Array.from({ length: 5000 }, (_, i) =>
    event(
      `01JD${String(i).padStart(22, "0")}`,
      new Date(Date.UTC(2020, 0, 1) + Math.floor(i / 2) * 86_400_000 + (i % 2) * 3_600_000)
        .toISOString(),
      types[i % types.length]!,
    ));
  const chunks = Array.from({ length: 167 }, (_, i) => events.slice(i * 30, i * 30 + 30));
  const facts = fold(chunks);
  const typeBytes = JSON.stringify(facts.typeDays).length;
  assert.ok(typeBytes < 3_000, `per-type days are ${typeBytes} bytes`);
  assert.ok(JSON.stringify(facts).length < 60_000, `facts are ${JSON.stringify(facts).length}`);
  for (const type of types) {
    const kept = [...facts.typeDays![type]!.marks].filter((m) => m === "1").length;
    assert.ok(kept >= 150, `${type}: the latest of its days are kept (${kept})`);
  }
});
