import assert from "node:assert/strict";
import fc from "fast-check";
import { addDays } from "./calendar.ts";
import { daysOfWindow, type DayWindow, WINDOW_DAYS, withWindowDay } from "./day_window.ts";

function windowOf(days: readonly string[]): DayWindow | undefined {
  let window: DayWindow | undefined;
  for (const day of days) window = withWindowDay(window, day);
  return window;
}

Deno.test("a day window keeps each added day once, earliest first", () => {
  const window = windowOf(["2026-11-05", "2026-11-01", "2026-11-05", "2026-11-03"]);
  assert.deepEqual(window, { latest: "2026-11-05", marks: "10101" });
  assert.deepEqual(daysOfWindow(window), ["2026-11-01", "2026-11-03", "2026-11-05"]);
  assert.deepEqual(daysOfWindow(undefined), []);
});

Deno.test("a day window drops days older than WINDOW_DAYS before its latest day", () => {
  const old = "2024-01-01";
  const latest = addDays(old, WINDOW_DAYS);
  assert.deepEqual(daysOfWindow(windowOf([old, latest])), [latest]);
  assert.deepEqual(daysOfWindow(windowOf([latest, old])), [latest]);
  const edge = addDays(latest, -(WINDOW_DAYS - 1));
  assert.deepEqual(daysOfWindow(windowOf([latest, edge])), [edge, latest]);
});

Deno.test("a day window is the same whatever order its days arrive in, and stays bounded", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 900 }), { maxLength: 120 }),
      fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })),
      (offsets, randoms) => {
        const days = offsets.map((n) => addDays("2025-01-01", n));
        const shuffled = days.map((d) => [randoms.next().value, d] as const)
          .sort((a, b) => a[0] - b[0]).map(([, d]) => d);
        const window = windowOf(days);
        assert.deepEqual(windowOf(shuffled), window);
        if (!window) return;
        assert.ok(window.marks.length <= WINDOW_DAYS && !window.marks.endsWith("0"));
        const latest = days.reduce((a, b) => (a > b ? a : b));
        const expected = [...new Set(days)].filter((d) => d > addDays(latest, -WINDOW_DAYS)).sort();
        assert.deepEqual(daysOfWindow(window), expected);
      },
    ),
    { numRuns: 300 },
  );
});
