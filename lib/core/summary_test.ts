import assert from "node:assert/strict";
import type { ActivityState } from "./activity_state.ts";
import { replaceInTotals, totalsOf, totalsOfStates } from "./summary.ts";

function stateWith(activityId: string, timeSpentMinutes: number): ActivityState {
  const at = "2026-11-01T10:00:00.000Z";
  return {
    activityId,
    activityType: "video",
    status: "in_progress",
    bestScore: null,
    percentComplete: 0,
    timeSpentMinutes,
    firstActivityAt: at,
    lastAttemptAt: at,
    completedAt: null,
    completedBy: null,
    minutesToComplete: null,
    last: { timestamp: at, eventId: activityId },
    lastSourceSystem: "video_player",
    sourceSystems: ["video_player"],
    eventCount: 1,
  };
}

Deno.test("running totals of fractional minutes equal a recount, whatever the order of changes", () => {
  const steps: [string, number][] = [["a", 0.1], ["b", 0.2], ["a", 0.7], ["b", 1.3], ["a", 2.9], [
    "b",
    3.3,
  ]];
  const current = new Map<string, ActivityState>();
  let totals = totalsOf(undefined);
  for (const [activityId, minutes] of steps) {
    const next = stateWith(activityId, minutes);
    totals = replaceInTotals(totals, current.get(activityId), next);
    current.set(activityId, next);
  }
  assert.deepEqual(totals, totalsOfStates(current.values()));
  assert.equal(totals.timeSpentMinutes, 6.2);
});
