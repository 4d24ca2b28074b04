import assert from "node:assert/strict";
import { firstPlanSize, notePlanSize } from "./user_commit.ts";

Deno.test("a batch's first plan takes about as many events as recent plans' live messages say fit", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const budget = 56 * 1024;
    assert.equal(firstPlanSize(kv, 100, budget), 100, "nothing seen yet: plan them all");
    notePlanSize(kv, 100, 88_000);
    assert.equal(firstPlanSize(kv, 100, budget), 61, "880 bytes per event: 61 fit with a margin");
    assert.equal(firstPlanSize(kv, 40, budget), 40, "fewer than fit: all of them");
    assert.equal(firstPlanSize(kv, 5, budget), 5, "small runs are never cut");
    notePlanSize(kv, 3, 60_000);
    assert.equal(
      firstPlanSize(kv, 100, budget),
      61,
      "a plan of few events does not move the estimate",
    );
    notePlanSize(kv, 61, 30_500);
    assert.equal(firstPlanSize(kv, 100, budget), 100, "smaller messages: the whole batch again");
  } finally {
    kv.close();
  }
});
