import { createUser, getUserByUsername } from "../auth/account_store.ts";
import { hashPassword } from "../auth/password.ts";
import { contentHash } from "../core/content_hash.ts";
import { appendEvents } from "../events/log_store.ts";
import type { SourceSystem, StoredEvent } from "../core/event_schema.ts";
import { demoSeededKey } from "../kv_keys.ts";
import type { Processor } from "../processing/processor.ts";
import { putActivity, putItem, putPath } from "../catalog/catalog_store.ts";
import { DEMO_ACTIVITIES, DEMO_PATH, DEMO_USER, demoItems } from "./demo_catalog.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

async function demoEvent(
  userId: string,
  n: number,
  at: Date,
  fields: Pick<StoredEvent, "eventType" | "sourceSystem" | "eventData">,
): Promise<StoredEvent> {
  const timestamp = at.toISOString();
  const content = { ...fields, userId, timestamp };
  return {
    id: `demo-${String(n).padStart(3, "0")}`,
    ...fields,
    userId,
    timestamp,
    receivedAt: timestamp,
    contentHash: await contentHash(content),
  };
}

/** A week of the demo student's history: the first activities done, one disputed, one in progress. */
async function demoHistory(userId: string, now: Date): Promise<StoredEvent[]> {
  const done = DEMO_ACTIVITIES.slice(0, 4);
  const events: StoredEvent[] = [];
  let n = 0;
  for (const [i, activity] of done.entries()) {
    const day = new Date(now.getTime() - (done.length - i) * DAY_MS - 3 * 60 * 60 * 1000);
    const source: SourceSystem = activity.activityType === "video"
      ? "video_player"
      : activity.activityType === "quiz"
      ? "quiz_engine"
      : "todo_manager";
    events.push(
      await demoEvent(userId, ++n, day, {
        eventType: "activity_progressed",
        sourceSystem: source,
        eventData: {
          activityId: activity.activityId,
          activityType: activity.activityType,
          completionStatus: "started",
        },
      }),
      await demoEvent(userId, ++n, new Date(day.getTime() + activity.expectedMinutes * 60_000), {
        eventType: activity.activityType === "video" ? "video_completed" : "path_progress_updated",
        sourceSystem: activity.activityType === "video"
          ? "video_player"
          : "learning_path_generator",
        eventData: {
          activityId: activity.activityId,
          activityType: activity.activityType,
          completionStatus: "completed",
          timeSpent: activity.expectedMinutes,
          ...(activity.activityType === "quiz" ? { score: 80 + i * 3 } : {}),
          pathProgress: {
            pathId: DEMO_PATH.pathId,
            stepId: activity.activityId,
            stepIndex: i,
            totalSteps: DEMO_ACTIVITIES.length,
          },
        },
      }),
    );
  }
  // The tutor chat judged the first quiz failed 20 minutes after the quiz engine passed it: a
  // conflict only the student can settle, waiting on the conflicts page.
  const quiz = DEMO_ACTIVITIES[1]!;
  const quizDone = Date.parse(events[3]!.timestamp);
  events.push(
    await demoEvent(userId, ++n, new Date(quizDone + 20 * 60_000), {
      eventType: "activity_progressed",
      sourceSystem: "chat_system",
      eventData: {
        activityId: quiz.activityId,
        activityType: quiz.activityType,
        completionStatus: "failed",
        score: 40,
      },
    }),
  );
  const next = DEMO_ACTIVITIES[4]!;
  events.push(
    await demoEvent(userId, ++n, new Date(now.getTime() - 2 * 60 * 60 * 1000), {
      eventType: "activity_progressed",
      sourceSystem: "video_player",
      eventData: {
        activityId: next.activityId,
        activityType: next.activityType,
        completionStatus: "in_progress",
        timeSpent: 6,
        videoProgress: { videoId: next.activityId, percentageWatched: 35, timeWatched: 360 },
      },
    }),
  );
  return events;
}

/** The demo catalog, its path and the demo student's todos and calendar entries. */
async function seedCatalog(kv: Deno.Kv, userId: string, now: Date): Promise<void> {
  for (const a of DEMO_ACTIVITIES) {
    await putActivity(kv, a.activityId, {
      title: a.title,
      activityType: a.activityType,
      expectedMinutes: a.expectedMinutes,
      skills: a.skills,
    });
  }
  await putPath(kv, DEMO_PATH.pathId, {
    title: DEMO_PATH.title,
    system: "ai_journey",
    steps: DEMO_ACTIVITIES.map((a) => ({
      stepId: `step-${a.activityId}`,
      activityId: a.activityId,
    })),
  });
  const day = (n: number, hour: number) =>
    new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + n, hour))
      .toISOString();
  for (const [itemId, item] of demoItems(day)) await putItem(kv, itemId, userId, item);
}

/**
 * Loads the demo data once per database: the demo student (see `DEMO_USER`) and a week of
 * history from several systems, processed like any posted events. Later calls do nothing.
 */
export async function seedDemo(
  kv: Deno.Kv,
  processor: Processor,
  options: { now?: Date } = {},
): Promise<{ username: string; password: string; created: boolean }> {
  const marker = await kv.get(demoSeededKey());
  if (marker.value) return { ...DEMO_USER, created: false };
  const user = await getUserByUsername(kv, DEMO_USER.username) ??
    await createUser(kv, {
      username: DEMO_USER.username,
      passwordHash: await hashPassword(DEMO_USER.password),
    });
  if (!user) throw new Error("Could not create the demo student");
  const now = options.now ?? new Date();
  await seedCatalog(kv, user.userId, now);
  await appendEvents(kv, await demoHistory(user.userId, now));
  await processor.schedule(user.userId);
  await kv.set(demoSeededKey(), { at: new Date().toISOString() });
  return { ...DEMO_USER, created: true };
}
