/** Shared pieces of the reliability suite: students with tokens, valid events, log and repair reads. */
import { ulid } from "ulid";
import {
  api,
  registerViaApi,
  type ServerProcess,
  startServer,
  uniqueUsername,
} from "../e2e/harness.ts";

/** The password every suite student gets. */
export const STUDENT_PASSWORD = "reliability-pass-1";

/** A registered student with a session cookie and API tokens of different scopes. */
export interface Student {
  username: string;
  userId: string;
  /** `ps_session=…`, sent with this server's `Origin` by `api()`. */
  cookie: string;
  /** `events:write` + `progress:read`. */
  token: string;
  /** `progress:read` only. */
  readToken: string;
  /** `events:write` only. */
  writeToken: string;
}

/** Creates an API token through `POST /api/tokens` with the student's session; returns its secret. */
export async function createToken(
  server: ServerProcess,
  cookie: string,
  scopes: string[],
): Promise<{ id: string; token: string }> {
  const response = await api(server, "/api/tokens", {
    cookie,
    json: { name: `reliability ${scopes.join(" ")}`, scopes },
  });
  if (response.status !== 201) {
    throw new Error(`Creating a token failed: ${response.status} ${await response.text()}`);
  }
  const { id, token } = await response.json();
  return { id, token };
}

/** Every server the suite started, so a run over its time limit can stop what is left. */
const startedServers = new Set<ServerProcess>();

/** Starts the real server (`startServer` of the e2e harness) and keeps track of it. */
export async function startSuiteServer(
  options?: Parameters<typeof startServer>[0],
): Promise<ServerProcess> {
  const server = await startServer(options);
  startedServers.add(server);
  return server;
}

/** Stops every server the suite started (stopping one already stopped changes nothing). */
export async function stopSuiteServers(): Promise<void> {
  await Promise.all([...startedServers].map((server) => server.stop()));
}

/** Registers a student through the API, signs them in and makes their three tokens. */
export async function createStudent(server: ServerProcess, prefix: string): Promise<Student> {
  const username = uniqueUsername(prefix);
  const { userId, cookie } = await registerViaApi(server, username, STUDENT_PASSWORD);
  const [full, read, write] = await Promise.all([
    createToken(server, cookie, ["events:write", "progress:read"]),
    createToken(server, cookie, ["progress:read"]),
    createToken(server, cookie, ["events:write"]),
  ]);
  return {
    username,
    userId,
    cookie,
    token: full.token,
    readToken: read.token,
    writeToken: write.token,
  };
}

/** A new event id (a ULID, so ids sort by creation). */
export function newEventId(): string {
  return ulid();
}

/** A valid `video_completed` event for its own activity, spending `timeSpent` minutes. */
export function videoEvent(
  id: string,
  activityId: string,
  options: { timeSpent?: number; note?: string } = {},
): Record<string, unknown> {
  return {
    id,
    eventType: "video_completed",
    sourceSystem: "video_player",
    eventData: {
      activityId,
      activityType: "video",
      completionStatus: "completed",
      timeSpent: options.timeSpent ?? 5,
      videoProgress: {
        videoId: options.note ? `${activityId}-${options.note}` : activityId,
        percentageWatched: 100,
      },
    },
    timestamp: new Date().toISOString(),
  };
}

/** Posts one event or a batch with a bearer token; resolves with the response (never throws on status). */
export function postEvents(
  server: Pick<ServerProcess, "origin">,
  token: string,
  body: unknown,
  options: { wait?: boolean; signal?: AbortSignal } = {},
): Promise<Response> {
  return fetch(`${server.origin}/api/progress-sync/events${options.wait ? "?wait=true" : ""}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/** Reads JSON from an API path with a token, failing on any status but 200. */
export async function getJson<T>(server: ServerProcess, path: string, token: string): Promise<T> {
  const response = await api(server, path, { token });
  if (response.status !== 200) {
    throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
  }
  return await response.json() as T;
}

/** A logged event as the API lists it (the fields the suite reads). */
export interface LoggedEvent {
  id: string;
  userId: string;
  eventType: string;
  eventData: { activityId: string };
}

/** Every event in a student's log, in commit order, paging through `GET /events?since=`. */
export async function readWholeLog(server: ServerProcess, token: string): Promise<LoggedEvent[]> {
  const out: LoggedEvent[] = [];
  let since: string | null = null;
  for (;;) {
    const query: string = since === null ? "" : `&since=${encodeURIComponent(since)}`;
    const page = await getJson<{ events: LoggedEvent[]; cursor: string | null }>(
      server,
      `/api/progress-sync/events?limit=1000${query}`,
      token,
    );
    out.push(...page.events);
    if (page.events.length === 0 || page.cursor === null || page.cursor === since) return out;
    since = page.cursor;
  }
}

/** The parts of the summary the suite compares. */
export interface SummaryFigures {
  activities: number;
  completed: number;
  timeSpentMinutes: number;
}

/** A student's activity totals from `GET /summary` (its `overallProgress`). */
export async function readSummary(server: ServerProcess, token: string): Promise<SummaryFigures> {
  const view = await getJson<{
    overallProgress: {
      totalActivities: number;
      completedActivities: number;
      totalTimeSpent: number;
    };
  }>(server, "/api/progress-sync/summary", token);
  return {
    activities: view.overallProgress.totalActivities,
    completed: view.overallProgress.completedActivities,
    timeSpentMinutes: view.overallProgress.totalTimeSpent,
  };
}

/** What a dry-run consistency check reported (`POST /api/progress-sync/repair`, admin). */
export interface ConsistencyFigures {
  checkedEvents: number;
  counts: Record<string, number>;
  inconsistencies: unknown[];
}

/** Replays the log of `userId` (or everyone) into fresh projections and reports differences; repairs nothing. */
export async function checkConsistency(
  server: ServerProcess,
  userId?: string,
): Promise<ConsistencyFigures> {
  const response = await api(server, "/api/progress-sync/repair", {
    token: server.adminToken,
    json: { inconsistencyTypes: ["all"], dryRun: true, ...(userId ? { userId } : {}) },
  });
  if (response.status !== 200) {
    throw new Error(`Consistency check answered ${response.status}: ${await response.text()}`);
  }
  return await response.json();
}

/** Number of inconsistencies a check found, of every type. */
export function inconsistencyCount(report: ConsistencyFigures): number {
  return Object.values(report.counts).reduce((sum, n) => sum + n, 0);
}

/** Polls `probe` until it returns a non-null value; throws with `what` (and the last error) after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== null) return value;
    } catch (error) {
      last = error;
    }
    await delay(intervalMs);
  }
  throw new Error(
    `Timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`,
  );
}

/** Resolves after `ms`. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Queue figures from the admin health report. */
export interface QueueFigures {
  /** Unprocessed events (counted up to 10,000). */
  outboxDepth: number;
  /** Events this server process has processed since it started. */
  processedEvents: number;
  pendingDeliveries: number;
  deadLetters: number;
}

/** Outbox depth and webhook queue figures from `GET /api/progress-sync/health` (admin). */
export async function readQueues(server: ServerProcess): Promise<QueueFigures> {
  const report = await getJson<{
    outbox: { depth: number };
    processing: { processedEvents: number };
    webhooks: { pendingDeliveries: number; deadLetters: number };
  }>(server, "/api/progress-sync/health", server.adminToken);
  return {
    outboxDepth: report.outbox.depth,
    processedEvents: report.processing.processedEvents,
    pendingDeliveries: report.webhooks.pendingDeliveries,
    deadLetters: report.webhooks.deadLetters,
  };
}

/** Longest any progressing wait may last in all. */
const PROGRESSING_WAIT_LIMIT_MS = 5 * 60_000;

/**
 * Polls `probe` until it reports `done`; throws with `what` once `progress` has not reached a new
 * high for `stallMs` (so a backlog may take as long as it needs while it shrinks, but a stuck one
 * fails), or after five minutes in all.
 */
export async function waitWhileProgressing(
  what: string,
  probe: () => Promise<{ done: boolean; progress: number }>,
  stallMs: number,
  intervalMs = 250,
): Promise<void> {
  let best = -Infinity;
  let lastGain = Date.now();
  const deadline = Date.now() + PROGRESSING_WAIT_LIMIT_MS;
  for (;;) {
    const { done, progress } = await probe();
    if (done) return;
    if (Date.now() > deadline) {
      throw new Error(
        `Not done after ${PROGRESSING_WAIT_LIMIT_MS} ms waiting for ${what} (at ${progress})`,
      );
    }
    if (progress > best) {
      best = progress;
      lastGain = Date.now();
    } else if (Date.now() - lastGain > stallMs) {
      throw new Error(`No progress for ${stallMs} ms waiting for ${what} (stuck at ${progress})`);
    }
    await delay(intervalMs);
  }
}

/** Waits until every accepted event has been processed (the outbox is empty), however long a shrinking backlog takes. */
export async function waitProcessed(server: ServerProcess, stallMs = 60_000): Promise<void> {
  await waitWhileProgressing("an empty outbox", async () => {
    const { outboxDepth, processedEvents } = await readQueues(server);
    return { done: outboxDepth === 0, progress: processedEvents - outboxDepth };
  }, stallMs);
}

/** Registers a webhook endpoint for `progress_update` messages at `url` (admin); returns its id. */
export async function addWebhookEndpoint(server: ServerProcess, url: string): Promise<string> {
  const response = await api(server, "/api/webhooks", {
    token: server.adminToken,
    json: { url, eventTypes: ["progress_update"], description: "reliability receiver" },
  });
  if (response.status !== 201) {
    throw new Error(
      `Adding a webhook endpoint failed: ${response.status} ${await response.text()}`,
    );
  }
  return (await response.json()).id;
}

/** A seeded pseudo-random source in [0, 1) (mulberry32), so a run can be repeated exactly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
