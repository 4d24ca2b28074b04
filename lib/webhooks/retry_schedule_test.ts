import assert from "node:assert/strict";
import {
  DEFAULT_RETRY_SCHEDULE_MS,
  describeSchedule,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  retryDelay,
} from "./retry_schedule.ts";

Deno.test("the default schedule starts at 1 s, doubles to 30 s, then keeps trying for hours", () => {
  assert.equal(describeSchedule(), "1s, 2s, 4s, 8s, 16s, 30s, 5m, 30m, 2h, 5h, 10h");
  const total = DEFAULT_RETRY_SCHEDULE_MS.reduce((a, b) => a + b, 0);
  assert.ok(total > 16 * 3_600_000, "covers a night");
});

Deno.test("retryDelay adds at most ±20 % jitter and ends with the schedule", () => {
  const schedule = [1000, 2000];
  assert.equal(retryDelay(0, { schedule, random: () => 0.5 }), 1000);
  assert.equal(retryDelay(0, { schedule, random: () => 0 }), 800);
  assert.equal(retryDelay(1, { schedule, random: () => 0.999999 }), 2400);
  assert.equal(retryDelay(2, { schedule, random: () => 0.5 }), null);
});

Deno.test("parseRetryAfter reads seconds and HTTP dates, caps long waits and ignores garbage", () => {
  const now = Date.parse("2026-11-20T10:00:00Z");
  assert.equal(parseRetryAfter("120", now), 120_000);
  assert.equal(parseRetryAfter("Fri, 20 Nov 2026 10:01:30 GMT", now), 90_000);
  assert.equal(parseRetryAfter("Fri, 20 Nov 2026 09:00:00 GMT", now), 0);
  assert.equal(parseRetryAfter("99999999", now), MAX_RETRY_AFTER_MS);
  assert.equal(parseRetryAfter("soon", now), null);
  assert.equal(parseRetryAfter(null, now), null);
});
