import assert from "node:assert/strict";
import { formatTable, linearSlope, percentile, ratio, summarize } from "./stats.ts";

Deno.test("percentile uses the nearest rank of the sorted values", () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(values, 50), 50);
  assert.equal(percentile(values, 90), 90);
  assert.equal(percentile(values, 99), 99);
  assert.equal(percentile(values, 100), 100);
  assert.equal(percentile(values, 0), 1);
  assert.equal(percentile([7], 99), 7);
  assert.equal(percentile([1, 2, 3], 50), 2);
});

Deno.test("percentile of no values is NaN", () => {
  assert.ok(Number.isNaN(percentile([], 50)));
});

Deno.test("summarize sorts its input and reports count, mean and percentiles", () => {
  const summary = summarize([5, 1, 4, 2, 3]);
  assert.deepEqual(summary, { count: 5, min: 1, mean: 3, p50: 3, p90: 5, p99: 5, max: 5 });
});

Deno.test("ratio is NaN when the limit is not positive", () => {
  assert.equal(ratio(80, 100), 0.8);
  assert.ok(Number.isNaN(ratio(1, 0)));
});

Deno.test("formatTable pads the first column left and the others right", () => {
  assert.equal(
    formatTable(["a", "bb"], [["xyz", "1"], ["q", "22"]]),
    ["a    bb", "---  --", "xyz   1", "q    22"].join("\n"),
  );
});

Deno.test("linearSlope fits a line through noisy points and is NaN without two distinct xs", () => {
  const xs = [0, 1, 2, 3, 4, 5];
  assert.equal(linearSlope(xs, xs.map((x) => 7 - 2 * x)), -2);
  assert.ok(Math.abs(linearSlope(xs, [0, 3, 4, 7, 8, 11]) - 36.5 / 17.5) < 1e-9);
  assert.equal(linearSlope(xs, xs.map(() => 5)), 0);
  assert.ok(Number.isNaN(linearSlope([1], [1])));
  assert.ok(Number.isNaN(linearSlope([2, 2], [1, 3])));
});
