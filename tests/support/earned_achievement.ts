import assert from "node:assert/strict";
import type { TestApp } from "./test_app.ts";

/**
 * Creates student `name` and processes one completed video (`activityId`, event `<name>-e1`, at
 * 2026-11-01T10:00Z), which earns `first-completion`; returns the student.
 */
export async function studentWithFirstCompletion(
  app: TestApp,
  name: string,
  activityId = "secret-activity-name",
): Promise<{ userId: string; token: string }> {
  const student = await app.student(name);
  const posted = await app.request("/api/progress-sync/events?wait=true", {
    method: "POST",
    token: student.token,
    json: {
      id: `${name}-e1`,
      eventType: "video_completed",
      sourceSystem: "video_player",
      eventData: { activityId, activityType: "video", completionStatus: "completed", timeSpent: 9 },
      timestamp: "2026-11-01T10:00:00Z",
    },
  });
  assert.equal(posted.status, 200);
  await posted.body?.cancel();
  return student;
}
