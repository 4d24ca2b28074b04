/**
 * Posts a realistic stream of progress events from several systems for one student, so the
 * dashboard visibly moves. Usage:
 *   deno task simulate [--url http://localhost:8000] [--token ps_…] [--count 40] [--interval 1500]
 * Without --token it signs in as the demo student and makes a token for itself.
 */
import { parseArgs } from "node:util";
import { DEMO_ACTIVITIES, DEMO_PATH, DEMO_USER } from "../lib/demo/demo_catalog.ts";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: Deno.env.get("PS_URL") ?? "http://localhost:8000" },
    token: { type: "string", default: Deno.env.get("PS_TOKEN") },
    username: { type: "string", default: DEMO_USER.username },
    password: { type: "string", default: DEMO_USER.password },
    count: { type: "string", default: "40" },
    interval: { type: "string", default: "1500" },
  },
});
const base = values.url.replace(/\/$/, "");

async function tokenFor(username: string, password: string): Promise<string> {
  const login = await fetch(`${base}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  if (!login.ok) {
    throw new Error(`Sign-in as ${username} failed: ${login.status} ${await login.text()}`);
  }
  const cookie = login.headers.get("set-cookie")?.split(";")[0] ?? "";
  const created = await fetch(`${base}/api/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie, origin: base },
    body: JSON.stringify({ name: "simulate", scopes: ["events:write", "progress:read"] }),
  });
  if (!created.ok) {
    throw new Error(`Token creation failed: ${created.status} ${await created.text()}`);
  }
  return (await created.json()).token;
}

/** The steps one activity goes through, as events from the systems that would report them. */
function* activityEvents(index: number): Generator<Record<string, unknown>> {
  const activity = DEMO_ACTIVITIES[index % DEMO_ACTIVITIES.length]!;
  const base = { activityId: activity.activityId, activityType: activity.activityType };
  const step = {
    pathId: DEMO_PATH.pathId,
    stepId: activity.activityId,
    stepIndex: index % DEMO_ACTIVITIES.length,
    totalSteps: DEMO_ACTIVITIES.length,
  };
  yield {
    eventType: "activity_progressed",
    sourceSystem: "calendar_service",
    eventData: {
      ...base,
      completionStatus: "started",
      scheduleProgress: {
        scheduleId: `session-${activity.activityId}`,
        actualStartTime: new Date().toISOString(),
      },
    },
  };
  if (activity.activityType === "video") {
    for (const pct of [25, 50, 75]) {
      yield {
        eventType: "activity_progressed",
        sourceSystem: "video_player",
        eventData: {
          ...base,
          completionStatus: "in_progress",
          timeSpent: Math.round(activity.expectedMinutes / 4),
          videoProgress: {
            videoId: activity.activityId,
            percentageWatched: pct,
            timeWatched: pct * 6,
          },
        },
      };
    }
    yield {
      eventType: "video_completed",
      sourceSystem: "video_player",
      eventData: {
        ...base,
        completionStatus: "completed",
        timeSpent: Math.round(activity.expectedMinutes / 4),
        videoProgress: { videoId: activity.activityId, percentageWatched: 100, timeWatched: 600 },
        pathProgress: step,
      },
    };
  } else if (activity.activityType === "quiz") {
    yield {
      eventType: "skill_assessed",
      sourceSystem: "quiz_engine",
      eventData: { ...base, completionStatus: "failed", timeSpent: 5, score: 55 },
    };
    yield {
      eventType: "skill_assessed",
      sourceSystem: "quiz_engine",
      eventData: {
        ...base,
        completionStatus: "completed",
        timeSpent: 6,
        score: 90,
        pathProgress: step,
      },
    };
  } else {
    yield {
      eventType: "activity_progressed",
      sourceSystem: "chat_system",
      eventData: {
        ...base,
        completionStatus: "in_progress",
        timeSpent: Math.round(activity.expectedMinutes / 2),
      },
    };
    yield {
      eventType: "todo_completed",
      sourceSystem: "todo_manager",
      eventData: {
        ...base,
        completionStatus: "completed",
        timeSpent: Math.round(activity.expectedMinutes / 2),
        todoProgress: {
          todoId: `todo-${activity.activityId}`,
          actualCompletionDate: new Date().toISOString(),
        },
        pathProgress: step,
      },
    };
  }
}

const token = values.token ?? await tokenFor(values.username, values.password);
const count = Number(values.count);
const interval = Number(values.interval);
const run = crypto.randomUUID().slice(0, 8);
let sent = 0;
console.log(`Posting ${count} events to ${base} every ${interval} ms (Ctrl-C to stop)…`);
outer: for (let activity = 4;; activity++) {
  for (const event of activityEvents(activity)) {
    if (sent >= count) break outer;
    const id = `sim-${run}-${++sent}`;
    const response = await fetch(`${base}/api/progress-sync/events`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ id, ...event, timestamp: new Date().toISOString() }),
    });
    const data = event.eventData as { activityId: string; completionStatus: string };
    console.log(
      `${String(sent).padStart(3)} ${response.status} ${String(event.sourceSystem).padEnd(17)} ${
        data.activityId.padEnd(17)
      } ${data.completionStatus}`,
    );
    await response.body?.cancel();
    if (!response.ok) Deno.exit(1);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
console.log("Done.");
