/**
 * Sequential KV round trips per processing run (read → plan → write), counted with the counting
 * KV wrapper on the demo student: the common cases stay within the target (reads in two
 * round trips, then the commit) and the rare paths within what they cost when this was written.
 */
import assert from "node:assert/strict";
import { measureRoundTrips, ROUND_TRIP_TARGET, worstRun } from "../../tests/bench/round_trips.ts";

Deno.test("a processing run makes at most three sequential KV round trips in the common cases", async () => {
  const cases = new Map((await measureRoundTrips()).map((c) => [c.name, c]));
  const worst = (name: string) => {
    const c = cases.get(name);
    assert.ok(c, `case ${name}`);
    return worstRun(c);
  };
  for (const name of ["single event, new activity", "single event, activity with history"]) {
    assert.equal(worst(name), ROUND_TRIP_TARGET, name);
    assert.equal(cases.get(name)!.runs.length, 1);
  }
  const batch = cases.get("100-event batch")!;
  assert.ok(worstRun(batch) <= ROUND_TRIP_TARGET, `batch: ${worstRun(batch)}`);
  // One commit per run, and a batch of 100 in as few runs as its live messages allow.
  assert.ok(batch.runs.every((r) => r.byMethod.commit === 1));
  assert.ok(batch.runs.length <= 2, `batch runs: ${batch.runs.length}`);
  // Rare paths: the late event's history (list + read), an old outbox entry (events read
  // first), an activity fed by two systems (conflict detection reads its recent events).
  assert.ok(worst("late event (history re-read)") <= 5);
  assert.ok(worst("outbox entry without targets") <= 4);
  assert.ok(worst("event on an activity fed by two systems") <= 6);
});
