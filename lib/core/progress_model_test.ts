import assert from "node:assert/strict";
import fc from "fast-check";
import {
  effectiveStatus,
  headlineOf,
  headlineText,
  PASS_SCORE,
  plannedActivityIds,
  reportsDone,
} from "./progress_model.ts";

Deno.test("effectiveStatus: a quiz completed below the pass mark is a failed attempt; a pass is done", () => {
  const quiz = (score?: number) =>
    effectiveStatus({ activityType: "quiz", completionStatus: "completed", score });
  assert.equal(quiz(PASS_SCORE - 1), "failed");
  assert.equal(quiz(PASS_SCORE), "completed");
  assert.equal(quiz(), "completed", "the quiz engine's completion without a score stands");
  assert.equal(
    effectiveStatus({ activityType: "practice", completionStatus: "completed", score: 10 }),
    "completed",
  );
  assert.equal(
    reportsDone({ activityType: "quiz", completionStatus: "completed", score: 50 }),
    false,
  );
});

Deno.test("headlineOf: one completed video of an 8-step path reads 1 of 8", () => {
  const headline = headlineOf({ touched: { activities: 1, done: 1 }, plannedUntouched: 7 });
  assert.deepEqual(headline, { done: 1, total: 8, percentage: 12.5 });
  assert.equal(headlineText(headline), "1 of 8 done · 12.5 %");
});

Deno.test("property: headlineOf never reads 100 % unless every activity is done", () => {
  fc.assert(
    fc.property(
      fc.nat(5000).chain((activities) =>
        fc.tuple(fc.constant(activities), fc.nat(activities), fc.nat(5000))
      ),
      ([activities, done, plannedUntouched]) => {
        const h = headlineOf({ touched: { activities, done }, plannedUntouched });
        assert.equal(h.total, activities + plannedUntouched);
        assert.equal(h.percentage === 100, h.total > 0 && h.done === h.total);
        assert.ok(h.percentage >= 0 && h.percentage <= 100);
      },
    ),
  );
});

Deno.test("plannedActivityIds: path steps still in the catalog and item activities, once each", () => {
  assert.deepEqual(
    plannedActivityIds({
      paths: [{ steps: [{ activityId: "a" }, { activityId: "gone" }, { activityId: "b" }] }],
      items: [{ activityIds: ["b", "c"] }],
      inCatalog: (id) => id !== "gone",
    }),
    ["a", "b", "c"],
  );
});
