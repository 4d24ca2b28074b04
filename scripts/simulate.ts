/**
 * Posts a realistic stream of progress events from several systems for one student, so the
 * dashboard visibly moves. It sends through the client library (`client/mod.ts`): events are
 * queued, batched and retried, so a server restart mid-run loses nothing. Usage:
 *   deno task simulate [--url http://localhost:8000] [--token ps_…] [--count 40] [--interval 1500]
 * Without --url it uses `PS_URL`, else `http://localhost:$PORT` (PORT defaults to 8000).
 * Without --token it signs in as the demo student and makes a token for itself, named
 * "simulate": it revokes that token when it ends, and any left by an earlier run cut short.
 */
import { parseArgs } from "node:util";
import { createProgressClient } from "../client/mod.ts";
import { DEMO_ACTIVITIES, DEMO_PATH, DEMO_USER } from "../lib/demo/demo_catalog.ts";

const { values } = parseArgs({
  options: {
    url: {
      type: "string",
      default: Deno.env.get("PS_URL") ?? `http://localhost:${Deno.env.get("PORT") ?? "8000"}`,
    },
    token: { type: "string", default: Deno.env.get("PS_TOKEN") },
    username: { type: "string", default: DEMO_USER.username },
    password: { type: "string", default: DEMO_USER.password },
    count: { type: "string", default: "40" },
    interval: { type: "string", default: "1500" },
  },
});
const base = values.url.replace(/\/$/, "");

/** Prints a plain message (no stack trace) and exits with status 1. */
function fail(message: string): never {
  console.error(message);
  Deno.exit(1);
}

async function call(path: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(`${base}${path}`, init);
  } catch {
    fail(
      `No Progress Sync server answers at ${base}.\n` +
        "Start one in another terminal with `deno task demo` (it listens on PORT, default 8000),\n" +
        "or point this script at yours with --url http://host:port (or PORT=… / PS_URL=…).",
    );
  }
}

/** The token this run made for itself (revoked at the end), and the session that made it. */
interface OwnToken {
  token: string;
  id: string;
  cookie: string;
}

const TOKEN_NAME = "simulate";

async function tokenFor(username: string, password: string): Promise<OwnToken> {
  const login = await call("/api/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json", origin: base },
    body: JSON.stringify({ username, password }),
  });
  if (!login.ok) {
    await login.body?.cancel();
    fail(
      `Signing in as "${username}" at ${base} failed (HTTP ${login.status}).\n` +
        "Is it the demo server (`deno task demo`)? Otherwise pass --username/--password or --token.",
    );
  }
  await login.body?.cancel();
  const cookie = login.headers.get("set-cookie")?.split(";")[0] ?? "";
  const headers = { "content-type": "application/json", cookie, origin: base };
  const listed = await call("/api/tokens", { headers });
  const { tokens = [] } = listed.ok ? await listed.json() : {};
  for (const old of tokens as { id: string; name: string }[]) {
    if (old.name === TOKEN_NAME) await revoke({ token: "", id: old.id, cookie });
  }
  const created = await call("/api/tokens", {
    method: "POST",
    headers,
    body: JSON.stringify({ name: TOKEN_NAME, scopes: ["events:write", "progress:read"] }),
  });
  if (!created.ok) {
    fail(`Making an API token at ${base} failed (HTTP ${created.status}): ${await created.text()}`);
  }
  const { token, id } = await created.json();
  return { token, id, cookie };
}

/** Revokes a token this script made (best effort: the server may be gone). */
async function revoke(own: OwnToken): Promise<void> {
  try {
    const response = await fetch(`${base}/api/tokens/${encodeURIComponent(own.id)}`, {
      method: "DELETE",
      headers: { cookie: own.cookie, origin: base },
    });
    await response.body?.cancel();
  } catch {
    // Nothing answers: the token stays until the next run revokes it.
  }
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

const own = values.token ? null : await tokenFor(values.username, values.password);
const token = values.token ?? own!.token;
const count = Number(values.count);
const interval = Number(values.interval);
let sent = 0;
const client = createProgressClient({
  baseUrl: base,
  token,
  flushDelayMs: Math.min(250, interval),
  retry: { baseMs: 500, maxMs: 10_000 },
  onDelivered: (ids) => console.log(`    stored ${ids.length} event${ids.length === 1 ? "" : "s"}`),
  onTrouble: (t) =>
    console.log(
      `    ${
        t.status === undefined ? "server not answering" : `HTTP ${t.status}`
      }: ${t.message}; ` +
        `retrying in ${(t.retryInMs / 1000).toFixed(1)} s (${t.pending} waiting, none lost)`,
    ),
  onRejected: (rejections) => {
    for (const r of rejections) {
      console.log(`    refused ${r.event.id} (HTTP ${r.status}): ${r.reason}`);
    }
  },
});
Deno.addSignalListener("SIGINT", async () => {
  console.log(`\nStopping: sending the ${client.pending} waiting event(s)…`);
  await client.close({ timeoutMs: 3000 });
  if (own) await revoke(own);
  Deno.exit(client.pending === 0 ? 0 : 1);
});
console.log(`Posting ${count} events to ${base} every ${interval} ms (Ctrl-C to stop)…`);
outer: for (let activity = 4;; activity++) {
  for (const event of activityEvents(activity)) {
    if (sent >= count) break outer;
    sent++;
    client.track(
      { ...event, timestamp: new Date().toISOString() } as Parameters<typeof client.track>[0],
    );
    const data = event.eventData as { activityId: string; completionStatus: string };
    console.log(
      `${String(sent).padStart(3)} ${String(event.sourceSystem).padEnd(17)} ${
        data.activityId.padEnd(17)
      } ${data.completionStatus}`,
    );
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
await client.close({ timeoutMs: 30_000 });
if (own) await revoke(own);
if (client.pending > 0) fail(`Gave up with ${client.pending} event(s) not delivered to ${base}.`);
console.log("Done.");
Deno.exit(0);
