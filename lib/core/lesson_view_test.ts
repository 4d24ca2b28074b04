import assert from "node:assert/strict";
import { lessonViewOf } from "./lesson_view.ts";
import type { ContentProgress } from "./learning_snapshot.ts";

const local = (
  status: ContentProgress["status"],
  score: number | null = null,
): ContentProgress => ({
  contentId: "x",
  status,
  score,
  contentVersion: null,
  progressPercent: 0,
  firstAttemptAt: "2026-11-20T10:00:00Z",
  lastAttemptAt: "2026-11-20T10:00:00Z",
  completedAt: null,
});

Deno.test("lessonViewOf: done in another system shows done, with the system that did it", () => {
  const view = lessonViewOf(
    { status: "completed", bestScore: null, doneBy: ["video_player"] },
    undefined,
  );
  assert.deepEqual(view, { status: "done", score: null, doneBy: ["video_player"] });
});

Deno.test("lessonViewOf: the device's unsynced completion lays over the server's older state", () => {
  const view = lessonViewOf(
    { status: "in_progress", bestScore: null, doneBy: [] },
    local("completed"),
  );
  assert.deepEqual(view, { status: "done", score: null, doneBy: ["browser"] });
});

Deno.test("lessonViewOf: a quiz scored below the pass mark is not passed yet, with its best score", () => {
  assert.equal(lessonViewOf(undefined, local("in_progress", 50)).status, "not_passed");
  assert.equal(
    lessonViewOf({ status: "failed", bestScore: 40, doneBy: [] }, undefined).status,
    "not_passed",
  );
  const passed = lessonViewOf({ status: "failed", bestScore: 40, doneBy: [] }, local("passed", 90));
  assert.deepEqual(passed, { status: "done", score: 90, doneBy: ["browser"] });
});

Deno.test("lessonViewOf: an unsynced reset on the device hides the server's older state", () => {
  const server = { status: "completed" as const, bestScore: null, doneBy: ["video_player"] };
  assert.equal(lessonViewOf(server, undefined, { resetPending: true }).status, "not_started");
  assert.equal(lessonViewOf(undefined, undefined).status, "not_started");
});
