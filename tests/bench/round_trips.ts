/**
 * KV round trips per processing run, counted with `countRoundTrips` around `processPendingEvents`
 * on the demo student (catalog, path, linked todos and calendar entries, a week of history):
 * one new event, one more event on an activity the student already has, and a 100-event batch,
 * with the caches a running processor keeps (catalog, webhook endpoints, items) warm and each KV
 * call taking 5 ms as on a remote KV.
 * Run alone: `deno run -A tests/bench/round_trips.ts`.
 */
import { appendEvents } from "../../lib/events/log_store.ts";
import type { StoredEvent } from "../../lib/core/event_schema.ts";
import { getUserByUsername } from "../../lib/auth/account_store.ts";
import { DEMO_ACTIVITIES, DEMO_USER } from "../../lib/demo/demo_catalog.ts";
import { seedDemo } from "../../lib/demo/seed_demo.ts";
import { processPendingEvents } from "../../lib/processing/process_pending.ts";
import { createProcessor } from "../../lib/processing/processor.ts";
import { createEndpointCache, type EndpointCache } from "../../lib/webhooks/endpoint_store.ts";
import { countRoundTrips, type RoundTripCount } from "../support/round_trip_kv.ts";
import type { Figure } from "./bench_env.ts";

/** Round trips of each processing run in one case. */
export interface RoundTripCase {
  name: string;
  events: number;
  runs: RoundTripCount[];
}

/** Each KV call is delayed this long, as by a remote KV, so that overlapping calls overlap. */
const REMOTE_LATENCY_MS = 5;
/** Target of the issue: at most this many sequential KV round trips per processing run. */
export const ROUND_TRIP_TARGET = 3;

function completion(userId: string, id: string, activityId: string): StoredEvent {
  const at = new Date().toISOString();
  return {
    id,
    userId,
    eventType: "video_completed",
    sourceSystem: "video_player",
    eventData: { activityId, activityType: "video", completionStatus: "completed", timeSpent: 5 },
    timestamp: at,
    receivedAt: at,
    contentHash: `hash-${id}`,
  };
}

/** Processes `events` run by run as the service's processor does (its caches warm), counting each run. */
async function processCounted(
  counter: ReturnType<typeof countRoundTrips>,
  endpoints: EndpointCache,
  userId: string,
  events: StoredEvent[],
): Promise<RoundTripCount[]> {
  await appendEvents(counter.kv, events);
  const runs: RoundTripCount[] = [];
  for (let pending = [userId]; pending.length > 0;) {
    counter.reset();
    pending = (await processPendingEvents(counter.kv, pending, { endpoints })).pending;
    runs.push(counter.count());
  }
  return runs;
}

/** Measures the three cases on a fresh in-memory KV. */
export async function measureRoundTrips(): Promise<RoundTripCase[]> {
  const kv = await Deno.openKv(":memory:");
  try {
    const processor = createProcessor(kv);
    await seedDemo(kv, processor);
    await processor.idle();
    const userId = (await getUserByUsername(kv, DEMO_USER.username))!.userId;
    const id = (n: number) => `01JRT${String(n).padStart(21, "0")}`;
    const counter = countRoundTrips(kv, { latencyMs: REMOTE_LATENCY_MS });
    const endpoints = createEndpointCache(counter.kv);
    const run = async (name: string, events: StoredEvent[]): Promise<RoundTripCase> => ({
      name,
      events: events.length,
      runs: await processCounted(counter, endpoints, userId, events),
    });
    // Not counted: fills the caches a running processor keeps (catalog, endpoints, items).
    await run("warm-up", [completion(userId, id(0), "warm-up")]);
    const last = DEMO_ACTIVITIES[DEMO_ACTIVITIES.length - 1]!.activityId;
    return [
      await run("single event, new activity", [completion(userId, id(1), last)]),
      await run("single event, activity with history", [
        completion(userId, id(2), DEMO_ACTIVITIES[0]!.activityId),
      ]),
      await run(
        "100-event batch",
        Array.from({ length: 100 }, (_, i) => completion(userId, id(100 + i), `batch-${i}`)),
      ),
    ];
  } finally {
    kv.close();
  }
}

/** The worst run's sequential round trips in a case. */
export function worstRun(c: RoundTripCase): number {
  return Math.max(...c.runs.map((r) => r.sequential));
}

/** One table row per case: the worst run's sequential round trips against the target. */
export function roundTripFigures(cases: readonly RoundTripCase[]): Figure[] {
  return cases.map((c) => ({
    name: `KV round trips per processing run, ${c.name} (${c.runs.length} run(s))`,
    unit: "trips",
    value: worstRun(c),
    limit: null,
    ratio: null,
    target: `<= ${ROUND_TRIP_TARGET}`,
    met: worstRun(c) <= ROUND_TRIP_TARGET,
  }));
}

if (import.meta.main) {
  for (const c of await measureRoundTrips()) {
    console.log(
      `${c.name}: ${c.runs.length} run(s); sequential round trips per run ${
        c.runs.map((r) => r.sequential).join(", ")
      }; calls ${c.runs.map((r) => JSON.stringify(r.byMethod)).join(" ")}`,
    );
  }
}
