import assert from "node:assert/strict";
import fc from "fast-check";
import type { ActivityType, CompletionStatus, EventData } from "./event_schema.ts";
import { pathWith } from "./test_fixtures.ts";
import {
  type DayRange,
  daysBetween,
  type InsightActivity,
  type InsightEvent,
  insightsOf,
  MAX_RANGE_DAYS,
  resolveRange,
} from "./insights.ts";
import { hourOf } from "./calendar.ts";
import { patternsOf, sessionsOf } from "./insight_patterns.ts";

let counter = 0;

function ev(
  timestamp: string,
  activityId: string,
  options: {
    status?: CompletionStatus;
    minutes?: number;
    type?: ActivityType;
    score?: number;
    id?: string;
    source?: string;
    data?: Record<string, unknown>;
  } = {},
): InsightEvent {
  return {
    id: options.id ?? `e${String(++counter).padStart(4, "0")}`,
    timestamp,
    eventType: options.status === "completed" ? "video_completed" : "activity_progressed",
    sourceSystem: (options.source ?? "video_player") as InsightEvent["sourceSystem"],
    eventData: {
      activityId,
      activityType: options.type ?? "video",
      completionStatus: options.status ?? "in_progress",
      ...(options.minutes === undefined ? {} : { timeSpent: options.minutes }),
      ...(options.score === undefined ? {} : { score: options.score }),
      ...options.data,
    } as EventData,
  };
}

const catalog = new Map<string, InsightActivity>([
  ["html", { activityType: "video", skills: ["html"], expectedMinutes: 10 }],
  ["html-quiz", { activityType: "quiz", skills: ["html"], expectedMinutes: 5 }],
  ["css", { activityType: "video", skills: ["css"], expectedMinutes: 20 }],
  ["css-quiz", { activityType: "quiz", skills: ["css"], expectedMinutes: 5 }],
  ["js", { activityType: "practice", skills: ["js"], expectedMinutes: 30 }],
  ["dom", { activityType: "practice", skills: ["js", "dom"], expectedMinutes: null }],
]);

function range(from: string, to: string): DayRange {
  return { from, to, days: daysBetween(from, to) };
}

Deno.test("resolveRange defaults to the last 30 days and refuses inverted or over-long ranges", () => {
  assert.deepEqual(resolveRange({}, "2026-03-31"), {
    from: "2026-03-02",
    to: "2026-03-31",
    days: 30,
  });
  assert.deepEqual(resolveRange({ to: "2026-01-10" }, "2026-03-31"), {
    from: "2025-12-12",
    to: "2026-01-10",
    days: 30,
  });
  assert.deepEqual(resolveRange({ from: "2026-03-30" }, "2026-03-31"), {
    from: "2026-03-30",
    to: "2026-03-31",
    days: 2,
  });
  assert.deepEqual(resolveRange({ from: "2024-03-01", to: "2025-03-01" }, "2026-03-31"), {
    from: "2024-03-01",
    to: "2025-03-01",
    days: MAX_RANGE_DAYS,
  });
  assert.match(
    (resolveRange({ from: "2024-03-01", to: "2025-03-02" }, "2026-03-31") as { error: string })
      .error,
    /367 days: at most 366/,
  );
  assert.match(
    (resolveRange({ from: "2026-03-02", to: "2026-03-01" }, "2026-03-31") as { error: string })
      .error,
    /must not be after/,
  );
});

Deno.test("time spent lands on the student's own day: midnight boundaries in two time zones", () => {
  const events = [
    ev("2026-03-27T22:59:00Z", "html", { minutes: 10 }), // Berlin 23:59 on the 27th
    ev("2026-03-27T23:00:00Z", "html", { minutes: 20 }), // Berlin 00:00 on the 28th
    ev("2026-03-28T23:59:59Z", "css", { minutes: 5 }), // UTC 28th, Berlin 29th
  ];
  const base = {
    events,
    catalog,
    paths: [],
    range: range("2026-03-27", "2026-03-29"),
    now: "2026-03-29T12:00:00Z",
  };
  const utc = insightsOf({ ...base, timeZone: "UTC" }).timeSpent.daily;
  assert.deepEqual(utc.map((d) => [d.key, d.minutes, d.events]), [
    ["2026-03-27", 30, 2],
    ["2026-03-28", 5, 1],
    ["2026-03-29", 0, 0],
  ]);
  const berlin = insightsOf({ ...base, timeZone: "Europe/Berlin" }).timeSpent;
  assert.deepEqual(berlin.daily.map((d) => [d.key, d.minutes]), [
    ["2026-03-27", 10],
    ["2026-03-28", 20],
    ["2026-03-29", 5],
  ]);
  assert.equal(berlin.totalMinutes, 35);
  assert.equal(berlin.activeDays, 3);
  assert.equal(berlin.averageMinutesPerActiveDay, 11.7);
  // Out of range in Berlin (it is already the 30th there).
  const late = insightsOf({
    ...base,
    events: [ev("2026-03-29T22:30:00Z", "css", { minutes: 7 })],
    timeZone: "Europe/Berlin",
  });
  assert.equal(late.timeSpent.totalMinutes, 0);
  assert.equal(late.eventCount, 0);
});

Deno.test("hours of the day follow daylight-saving shifts (Europe/Berlin, spring and autumn)", () => {
  // Spring forward on 2026-03-29 at 01:00 UTC: 02:00 local never happens.
  assert.equal(hourOf("2026-03-29T00:30:00Z", "Europe/Berlin"), 1);
  assert.equal(hourOf("2026-03-29T01:30:00Z", "Europe/Berlin"), 3);
  // Fall back on 2026-10-25 at 01:00 UTC: 02:00–03:00 local happens twice.
  assert.equal(hourOf("2026-10-25T00:30:00Z", "Europe/Berlin"), 2);
  assert.equal(hourOf("2026-10-25T01:30:00Z", "Europe/Berlin"), 2);
  assert.equal(hourOf("2026-10-25T23:30:00Z", "UTC"), 23);

  const events = [
    ev("2026-10-25T00:30:00Z", "html", { minutes: 15 }),
    ev("2026-10-25T01:30:00Z", "html", { minutes: 15 }),
    ev("2026-10-25T17:00:00Z", "css", { minutes: 5 }), // 18:00 CET: evening
  ];
  const patterns = patternsOf({
    events,
    catalog,
    range: range("2026-10-25", "2026-10-25"),
    now: "2026-10-26T00:00:00Z",
    timeZone: "Europe/Berlin",
  });
  assert.equal(patterns.timeOfDay.hours[2]!.events, 2);
  assert.equal(patterns.timeOfDay.hours[2]!.minutes, 30);
  assert.equal(patterns.timeOfDay.hours[18]!.events, 1);
  assert.deepEqual(patterns.timeOfDay.parts.map((p) => [p.key, p.minutes]), [
    ["night", 30],
    ["morning", 0],
    ["afternoon", 0],
    ["evening", 5],
  ]);
  assert.equal(patterns.timeOfDay.preferred, "night");
  // The 25-hour day is one day: Sunday.
  assert.deepEqual(patterns.weekdays.map((d) => d.events), [0, 0, 0, 0, 0, 0, 3]);
});

Deno.test("weekly buckets are ISO weeks and monthly buckets calendar months, clipped to the range", () => {
  const events = [
    ev("2026-02-27T10:00:00Z", "html", { minutes: 10 }), // Fri, W09
    ev("2026-03-01T10:00:00Z", "html", { minutes: 20 }), // Sun, W09, March
    ev("2026-03-02T10:00:00Z", "css", { minutes: 40 }), // Mon, W10
  ];
  const insights = insightsOf({
    events,
    catalog,
    paths: [],
    range: range("2026-02-26", "2026-03-03"),
    now: "2026-03-03T12:00:00Z",
    timeZone: "UTC",
  });
  assert.deepEqual(insights.timeSpent.weekly.map((w) => [w.key, w.start, w.minutes, w.events]), [
    ["2026-W09", "2026-02-26", 30, 2],
    ["2026-W10", "2026-03-02", 40, 1],
  ]);
  assert.deepEqual(insights.timeSpent.monthly.map((m) => [m.key, m.start, m.minutes]), [
    ["2026-02", "2026-02-26", 10],
    ["2026-03", "2026-03-01", 60],
  ]);
});

Deno.test("completion rate and strongest and weakest skills from the range's results", () => {
  const events = [
    ev("2026-03-10T10:00:00Z", "html", { status: "completed", minutes: 10 }),
    ev("2026-03-10T10:20:00Z", "html-quiz", { status: "completed", score: 90, type: "quiz" }),
    ev("2026-03-11T10:00:00Z", "css", { status: "in_progress", minutes: 15 }),
    ev("2026-03-11T10:30:00Z", "css-quiz", { status: "failed", score: 40, type: "quiz" }),
    ev("2026-03-12T10:00:00Z", "js", { status: "completed", minutes: 30, type: "practice" }),
    ev("2026-03-12T11:00:00Z", "dom", { status: "failed", minutes: 5, type: "practice" }),
    ev("2026-03-12T12:00:00Z", "extra", {
      status: "completed",
      score: 70,
      data: { skillProgress: { skillId: "a11y", newLevel: "intermediate" } },
    }),
  ];
  const insights = insightsOf({
    events,
    catalog,
    paths: [],
    range: range("2026-03-10", "2026-03-12"),
    now: "2026-03-12T20:00:00Z",
    timeZone: "UTC",
  });
  assert.deepEqual(insights.activities, { worked: 7, completed: 4, failed: 2 });
  assert.equal(insights.completionRate, 57.1);
  assert.deepEqual(insights.skills.map((s) => [s.skillId, s.score, s.minutes]), [
    ["html", 95, 10], // 100 (completed) and 90 (best score)
    ["a11y", 70, 0],
    ["js", 50, 35], // js 100, dom 0
    ["css", 40, 15], // css has no result yet; css-quiz 40
    ["dom", 0, 5],
  ]);
  assert.deepEqual(insights.strongestSkills.map((s) => s.skillId), ["html", "a11y"]);
  assert.deepEqual(insights.weakestSkills.map((s) => s.skillId), ["dom", "css"]);
});

Deno.test("a skill's result averages every attempt in the range, not only the best", () => {
  const insights = insightsOf({
    events: [
      ev("2026-03-10T10:00:00Z", "css-quiz", { status: "failed", score: 40, type: "quiz" }),
      ev("2026-03-10T10:10:00Z", "css-quiz", { status: "completed", score: 90, type: "quiz" }),
      ev("2026-03-10T10:20:00Z", "css", { status: "in_progress", minutes: 5 }),
      ev("2026-03-10T10:30:00Z", "css", { status: "failed" }),
    ],
    catalog,
    paths: [],
    range: range("2026-03-10", "2026-03-10"),
    now: "2026-03-10T20:00:00Z",
    timeZone: "UTC",
  });
  assert.deepEqual(insights.skills.map((s) => [s.skillId, s.score, s.activities, s.completed]), [
    ["css", 43.3, 2, 1],
  ]);
});

Deno.test("one skill is only the strongest; no events give no rate and no skills", () => {
  const one = insightsOf({
    events: [ev("2026-03-10T10:00:00Z", "html", { status: "completed" })],
    catalog,
    paths: [],
    range: range("2026-03-10", "2026-03-10"),
    now: "2026-03-10T20:00:00Z",
    timeZone: "UTC",
  });
  assert.deepEqual(one.strongestSkills.map((s) => s.skillId), ["html"]);
  assert.deepEqual(one.weakestSkills, []);
  const none = insightsOf({
    events: [],
    catalog,
    paths: [],
    range: range("2026-03-10", "2026-03-10"),
    now: "2026-03-10T20:00:00Z",
    timeZone: "UTC",
  });
  assert.equal(none.completionRate, null);
  assert.deepEqual(none.skills, []);
});

Deno.test("the pace-based finish estimate counts steps first completed in the range, up to today", () => {
  // Steps a0..a3 of 8 completed on 2026-03-01..04 at 10:00 UTC.
  const path = pathWith(4, 8);
  const estimate = (from: string, to: string, now: string) =>
    insightsOf({
      events: [],
      catalog: new Map(),
      paths: [path],
      range: range(from, to),
      now,
      timeZone: "UTC",
      defaultExpectedMinutes: 30,
    }).paths[0]!;
  // 4 steps in 8 days (Mar 1–8, today the 8th): 0.5 a day, 4 left → 8 days.
  const e = estimate("2026-03-01", "2026-03-31", "2026-03-08T09:00:00Z");
  assert.equal(e.completedInRange, 4);
  assert.equal(e.stepsPerWeek, 3.5);
  assert.equal(e.remainingSteps, 4);
  assert.equal(e.remainingMinutes, 120);
  assert.equal(e.status, "estimated");
  assert.equal(e.daysLeft, 8);
  assert.equal(e.finishOn, "2026-03-16");
  // Only the steps completed on Mar 3 and 4 fall in that range: one a day, 4 left.
  const past = estimate("2026-03-03", "2026-03-04", "2026-03-10T00:00:00Z");
  assert.equal(past.completedInRange, 2);
  assert.equal(past.daysLeft, 4);
  assert.equal(past.finishOn, "2026-03-14", "counted from today");
  // No step completed in the range: no pace.
  const idle = estimate("2026-03-05", "2026-03-09", "2026-03-09T00:00:00Z");
  assert.equal(idle.status, "no_pace");
  assert.equal(idle.finishOn, null);
  const done = insightsOf({
    events: [],
    catalog: new Map(),
    paths: [pathWith(3, 3)],
    range: range("2026-03-01", "2026-03-05"),
    now: "2026-03-05T00:00:00Z",
    timeZone: "UTC",
  }).paths[0]!;
  assert.equal(done.status, "complete");
  assert.equal(done.finishOn, "2026-03-03");
});

Deno.test("sessions: events within 30 minutes of each other are one session, spans include time spent", () => {
  const events = [
    ev("2026-03-10T10:00:00Z", "html", { status: "started" }),
    ev("2026-03-10T10:20:00Z", "html", { minutes: 20 }), // 10:00–10:20
    ev("2026-03-10T10:50:00Z", "css", { minutes: 10 }), // 10:40–10:50, 20 min gap
    ev("2026-03-10T12:00:00Z", "js", { minutes: 45 }), // 11:15–12:00, 25 min gap → same session
    ev("2026-03-10T15:00:00Z", "dom", { minutes: 10 }), // alone
    ev("2026-03-10T18:00:00Z", "html", { status: "started" }), // alone, no time
  ];
  assert.deepEqual(sessionsOf(events.map((event) => ({ event }))), [120, 10, 0]);
  const patterns = patternsOf({
    events,
    catalog,
    range: range("2026-03-10", "2026-03-10"),
    now: "2026-03-11T00:00:00Z",
    timeZone: "UTC",
  });
  assert.equal(patterns.sessions.count, 3);
  assert.equal(patterns.sessions.averageMinutes, 43.3);
  assert.equal(patterns.sessions.medianMinutes, 10);
  assert.equal(patterns.sessions.longestMinutes, 120);
  assert.deepEqual(patterns.sessions.buckets.map((b) => b.sessions), [2, 0, 0, 0, 1]);
  assert.equal(patterns.sessions.typical, "under-15");
  assert.equal(patterns.preferredActivityType, "practice");
  assert.deepEqual(patterns.activityTypes.map((t) => [t.activityType, t.minutes, t.events]), [
    ["practice", 55, 2],
    ["video", 30, 4],
  ]);
});

Deno.test("the service's conflict resolutions only remove minutes counted twice", () => {
  const events = [
    ev("2026-03-10T10:00:00Z", "html", { status: "completed", minutes: 10 }),
    ev("2026-03-10T10:01:00Z", "html", {
      status: "completed",
      minutes: 10,
      source: "todo_manager",
    }),
    ev("2026-03-10T10:05:00Z", "html", {
      source: "progress_sync",
      data: { resolution: { timeSpentDelta: -10 } },
    }),
  ];
  const input = {
    events,
    catalog,
    paths: [],
    range: range("2026-03-10", "2026-03-10"),
    now: "2026-03-11T00:00:00Z",
    timeZone: "UTC",
  };
  const insights = insightsOf(input);
  assert.equal(insights.timeSpent.totalMinutes, 10);
  assert.equal(insights.timeSpent.daily[0]!.events, 2);
  assert.equal(insights.eventCount, 3);
  assert.equal(patternsOf(input).activityTypes[0]!.events, 2);
});

// ---- Property: order does not matter -------------------------------------------------------

const eventArb = fc.record({
  id: fc.stringMatching(/^[a-z0-9]{1,4}$/),
  minute: fc.integer({ min: 0, max: 4 * 24 * 60 }),
  activityId: fc.constantFrom("html", "html-quiz", "css", "js", "dom", "other"),
  status: fc.constantFrom<CompletionStatus>(
    "started",
    "in_progress",
    "completed",
    "failed",
    "skipped",
  ),
  minutes: fc.option(fc.integer({ min: 0, max: 90 }), { nil: undefined }),
  score: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
});

Deno.test("property: any order and any repeats of the same events give the same insights", () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(eventArb, { selector: (e) => e.id, maxLength: 40 }),
      fc.func(fc.integer()),
      fc.constantFrom("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"),
      (specs, shuffleKey, timeZone) => {
        // Around the 2026-03-29 Berlin spring-forward and the 03-08 New York one.
        const start = Date.parse("2026-03-27T00:00:00Z");
        const events = specs.map((s) =>
          ev(new Date(start + s.minute * 60_000).toISOString(), s.activityId, {
            id: s.id,
            status: s.status,
            minutes: s.minutes,
            score: s.score,
          })
        );
        const shuffled = [...events, ...events.slice(0, 5)]
          .map((e, i) => ({ e, k: shuffleKey(e.id, i) }))
          .sort((a, b) => a.k - b.k)
          .map(({ e }) => e);
        const base = {
          catalog,
          paths: [pathWith(2, 5)],
          range: range("2026-03-26", "2026-03-31"),
          now: "2026-03-31T12:00:00Z",
          timeZone,
        };
        assert.deepEqual(
          insightsOf({ ...base, events: shuffled }),
          insightsOf({ ...base, events }),
        );
        assert.deepEqual(
          patternsOf({ ...base, events: shuffled }),
          patternsOf({ ...base, events }),
        );
      },
    ),
    { numRuns: 200 },
  );
});
