import assert from "node:assert/strict";
import fc from "fast-check";
import { delayAfter, FREE_FAILURES, MAX_DELAY_MS, waitMs } from "./throttle.ts";

Deno.test("delayAfter is zero for the free failures, then grows and never passes the cap", () => {
  fc.assert(fc.property(fc.nat(10_000), fc.nat(10_000), (a, b) => {
    const [low, high] = a <= b ? [a, b] : [b, a];
    assert.ok(delayAfter(low) <= delayAfter(high), "more failures never wait less");
    assert.ok(delayAfter(high) <= MAX_DELAY_MS);
    assert.equal(delayAfter(low) === 0, low < FREE_FAILURES);
  }));
});

Deno.test("waitMs counts down from the latest attempt and is zero once the delay has passed", () => {
  fc.assert(fc.property(fc.nat(100), fc.nat(1e12), fc.nat(MAX_DELAY_MS * 2), (failures, at, t) => {
    const wait = waitMs({ failures, lastAt: at }, at + t);
    assert.equal(wait, Math.max(0, delayAfter(failures) - t));
  }));
  assert.equal(waitMs(null, 5), 0);
});

Deno.test("a free attempt never waits, even when a concurrent one stamped a later time", () => {
  fc.assert(
    fc.property(fc.nat(FREE_FAILURES - 1), fc.nat(1e12), fc.nat(60_000), (f, now, ahead) => {
      assert.equal(waitMs({ failures: f, lastAt: now + ahead }, now), 0);
    }),
  );
});
