import assert from "node:assert/strict";
import type { ContentProgressedEvent, LearningProgressEvent } from "../core/learning_events.ts";
import { COMPLETION_STATUS_OF, derivedResetId, eventDataOf, planSharedLog } from "./shared_log.ts";

function content(
  eventId: string,
  occurredAt: string,
  contentId: string,
  extra: Partial<ContentProgressedEvent["payload"]> = {},
): ContentProgressedEvent {
  return {
    eventId,
    occurredAt,
    clientId: "c",
    type: "content.progressed",
    payload: { contentId, status: "in_progress", ...extra },
  };
}

Deno.test("statuses map onto the shared log's lattice: passed is completed, not_started is started", () => {
  assert.deepEqual(COMPLETION_STATUS_OF, {
    not_started: "started",
    in_progress: "in_progress",
    completed: "completed",
    passed: "completed",
  });
});

Deno.test("eventDataOf keeps the score and turns video playback into videoProgress and timeSpent", () => {
  const quiz = content("q", "2026-03-02T10:00:00Z", "quiz", { status: "passed", score: 80 });
  assert.deepEqual(eventDataOf(quiz, "quiz"), {
    activityId: "quiz",
    activityType: "quiz",
    completionStatus: "completed",
    score: 80,
  });
  const video = content("v", "2026-03-02T10:00:00Z", "vid", {
    interaction: {
      interactionId: "vid:playback",
      state: { kind: "video", percent: 120, positionSeconds: 90, watchedSeconds: 90 },
    },
  });
  assert.deepEqual(eventDataOf(video, "video"), {
    activityId: "vid",
    activityType: "video",
    completionStatus: "in_progress",
    videoProgress: { videoId: "vid", percentageWatched: 100, timeWatched: 90 },
    timeSpent: 1.5,
  });
});

Deno.test("planSharedLog: a reset covers activities worked on before it, a late event is covered by later resets", () => {
  const reset: LearningProgressEvent = {
    eventId: "r1",
    occurredAt: "2026-03-02T12:00:00Z",
    clientId: "c",
    type: "progress.reset",
  };
  const plan = planSharedLog({
    events: [
      reset,
      content("before", "2026-03-02T11:00:00Z", "a"),
      content("after", "2026-03-02T13:00:00Z", "b"),
    ],
    activities: [
      { activityId: "old", activityType: "video", firstAt: "2026-03-01T10:00:00Z" },
      { activityId: "future", activityType: "video", firstAt: "2026-03-03T10:00:00Z" },
    ],
    resets: [reset, { eventId: "r0", occurredAt: "2026-03-02T11:30:00Z" }],
    catalogTypes: new Map([["a", "quiz"]]),
  });
  assert.deepEqual(plan.content.map((c) => [c.event.eventId, c.activityType]), [
    ["before", "quiz"],
    ["after", "practice"],
  ]);
  assert.deepEqual(
    plan.resets.map((r) => `${r.reset.eventId}:${r.activity.activityId}`).sort(),
    ["r0:a", "r1:a", "r1:old"],
  );
});

Deno.test("derivedResetId is deterministic, distinct per activity, and a valid event id", async () => {
  const a = await derivedResetId("reset-1", "html-basics");
  assert.equal(a, await derivedResetId("reset-1", "html-basics"));
  assert.notEqual(a, await derivedResetId("reset-1", "css-layout"));
  assert.match(a, /^reset-1~reset~[0-9a-f]{24}$/);
  const long = await derivedResetId("x".repeat(128), "weird id/with spaces");
  assert.ok(long.length <= 128);
  assert.match(long, /^[A-Za-z0-9._:~-]+$/);
});
