import assert from "node:assert/strict";
import {
  milestoneShare,
  milestonesOf,
  nextMilestones,
  pathMilestones,
  reachedMilestones,
  stepsForThreshold,
  totalMilestones,
} from "./milestones.ts";
import { pathWith } from "./test_fixtures.ts";

Deno.test("stepsForThreshold rounds up, so a threshold is only reached once really crossed", () => {
  assert.equal(stepsForThreshold(8, 25), 2);
  assert.equal(stepsForThreshold(3, 25), 1);
  assert.equal(stepsForThreshold(3, 50), 2);
  assert.equal(stepsForThreshold(3, 75), 3);
  assert.equal(stepsForThreshold(3, 100), 3);
  assert.equal(stepsForThreshold(0, 50), 0);
});

Deno.test("pathMilestones reaches 25/50/75/100 % at the step that crossed each, with its time", () => {
  const milestones = pathMilestones(pathWith(5, 8));
  assert.deepEqual(milestones.map((m) => [m.id, m.reached, m.reachedAt]), [
    ["path:web:25", true, "2026-03-02T10:00:00.000Z"],
    ["path:web:50", true, "2026-03-04T10:00:00.000Z"],
    ["path:web:75", false, null],
    ["path:web:100", false, null],
  ]);
  assert.equal(milestones[3]!.title, "Web complete");
  assert.equal(milestones[1]!.description, "4 of 8 steps of Web completed");
  assert.equal(milestones[2]!.current, 62.5);
  assert.equal(milestoneShare(milestones[2]!), 83.3);
});

Deno.test("pathMilestones of an empty path reaches nothing; removed steps do not count", () => {
  assert.ok(pathMilestones(pathWith(0, 0)).every((m) => !m.reached));
  const withRemoved = pathMilestones(pathWith(2, 3, { removed: [2] }));
  assert.ok(withRemoved.every((m) => m.reached), "2 of the 2 remaining steps: complete");
});

Deno.test("totalMilestones lists the reached ones of each series and the next one", () => {
  const at = (n: number) => n <= 12 ? `2026-01-${String(n).padStart(2, "0")}T00:00:00Z` : null;
  const list = totalMilestones({ completedActivities: 12, totalTimeSpent: 59.5 }, at);
  assert.deepEqual(list.map((m) => [m.id, m.reached, m.reachedAt]), [
    ["activities:5", true, "2026-01-05T00:00:00Z"],
    ["activities:10", true, "2026-01-10T00:00:00Z"],
    ["activities:25", false, null],
    ["time:1h", false, null],
  ]);
  assert.equal(list[3]!.target, 60);
  const exactlyOneHour = totalMilestones({ completedActivities: 0, totalTimeSpent: 60 });
  assert.deepEqual(exactlyOneHour.map((m) => m.id), ["activities:5", "time:1h", "time:5h"]);
  assert.equal(exactlyOneHour[1]!.reachedAt, null, "the projections do not know when");
});

Deno.test("milestonesOf orders paths first; next and reached pick the closest and the latest", () => {
  const all = milestonesOf(
    [pathWith(1, 4, { pathId: "p1" }), pathWith(3, 4, { pathId: "p2" })],
    { completedActivities: 4, totalTimeSpent: 30 },
  );
  assert.equal(all.length, 4 + 4 + 2);
  // 80 %, 75 %, then two at 50 % in id order.
  assert.deepEqual(nextMilestones(all, 4).map((m) => m.id), [
    "activities:5",
    "path:p2:100",
    "path:p1:50",
    "time:1h",
  ]);
  assert.deepEqual(reachedMilestones(all).map((m) => m.id), [
    "path:p2:75",
    "path:p2:50",
    "path:p1:25",
    "path:p2:25",
  ]);
});
