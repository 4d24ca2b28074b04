import assert from "node:assert/strict";
import { addDays, dayOf, firstRunEnd, isoWeekOf, isValidTimeZone, streaksOf } from "./calendar.ts";

Deno.test("dayOf puts an instant on the student's own calendar day, across midnight and DST shifts", () => {
  assert.equal(dayOf("2026-11-22T23:30:00Z", "UTC"), "2026-11-22");
  assert.equal(dayOf("2026-11-22T23:30:00Z", "Europe/Berlin"), "2026-11-23");
  assert.equal(dayOf("2026-11-22T05:00:00Z", "America/Los_Angeles"), "2026-11-21");
  // Europe/Berlin springs forward on 2026-03-29 at 01:00 UTC.
  assert.equal(dayOf("2026-03-28T22:59:00Z", "Europe/Berlin"), "2026-03-28");
  assert.equal(dayOf("2026-03-28T23:00:00Z", "Europe/Berlin"), "2026-03-29");
  // and falls back on 2026-10-25 at 01:00 UTC: 22:30 UTC the day before is already past midnight.
  assert.equal(dayOf("2026-10-24T22:30:00Z", "Europe/Berlin"), "2026-10-25");
  assert.equal(dayOf("2026-10-25T22:30:00Z", "Europe/Berlin"), "2026-10-25");
});

Deno.test("isValidTimeZone accepts IANA names and rejects anything else", () => {
  assert.equal(isValidTimeZone("Asia/Tokyo"), true);
  assert.equal(isValidTimeZone("Mars/Olympus"), false);
});

Deno.test("isoWeekOf starts weeks on Monday and handles year boundaries", () => {
  assert.equal(isoWeekOf("2026-01-01"), "2026-W01");
  assert.equal(isoWeekOf("2026-11-22"), "2026-W47");
  assert.equal(isoWeekOf("2026-11-23"), "2026-W48");
  assert.equal(isoWeekOf("2027-01-01"), "2026-W53");
  assert.equal(addDays("2026-12-31", 1), "2027-01-01");
});

Deno.test("streaksOf counts the current run up to today or yesterday, and the longest run", () => {
  const days = ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-05", "2026-11-06", "2026-11-02"];
  assert.deepEqual(streaksOf(days, "2026-11-06"), { current: 2, longest: 3 });
  assert.deepEqual(streaksOf(days, "2026-11-07"), { current: 2, longest: 3 });
  assert.deepEqual(streaksOf(days, "2026-11-08"), { current: 0, longest: 3 });
  assert.deepEqual(streaksOf([], "2026-11-08"), { current: 0, longest: 0 });
});

Deno.test("firstRunEnd finds the last day of the earliest run of a given length", () => {
  const days = ["2026-11-10", "2026-11-11", "2026-11-01", "2026-11-02", "2026-11-12"];
  assert.equal(firstRunEnd(days, 2), "2026-11-02");
  assert.equal(firstRunEnd(days, 3), "2026-11-12");
  assert.equal(firstRunEnd(days, 4), null);
});
