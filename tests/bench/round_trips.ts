/**
 * KV round trips per processing run, counted with `countRoundTrips` around `processPendingEvents`
 * on the demo student (catalog, path, linked todos and calendar entries, a week of history):
 * one new event, one more event on an activity the student already has, a 100-event batch, and
 * two rare paths (a late event whose activity history is re-read; an outbox entry written before
 * entries carried their events' targets),
 * with the caches a running processor keeps (catalog, webhook endpoints, items) warm and each KV
 * call taking 5 ms as on a remote KV.
 * Run alone: `deno run -A tests/bench/round_trips.ts`.
 */
import { appendEvents, type OutboxEntry } from "../../lib/events/log_store.ts";
import { outboxPrefix } from "../../lib/kv_keys.ts";
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
  /** True for a rare path allowed more round trips than `ROUND_TRIP_TARGET` (reported, not judged). */
  rare?: boolean;
}

/** Each KV call is delayed this long, as by a remote KV, so that overlapping calls overlap. */
const REMOTE_LATENCY_MS = 5;
/** Target of the issue: at most this many sequential KV round trips per processing run. */
export const ROUND_TRIP_TARGET = 3;

function completion(
  userId: string,
  id: string,
  activityId: string,
  at = new Date().toISOString(),
): StoredEvent {
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
    const run = async (
      name: string,
      events: StoredEvent[],
      rare = false,
    ): Promise<RoundTripCase> => ({
      name,
      events: events.length,
      runs: await processCounted(counter, endpoints, userId, events),
      ...(rare ? { rare } : {}),
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
      // Rare: dated before what the activity already applied, so its history is re-reduced.
      await run("late event (history re-read)", [
        completion(userId, id(3), DEMO_ACTIVITIES[0]!.activityId, "2020-01-01T00:00:00.000Z"),
      ], true),
      // Rare: an outbox entry written before entries carried their targets.
      await run(
        "outbox entry without targets",
        await withoutTargets(counter.kv, userId, [
          completion(userId, id(4), "legacy-entry"),
        ]),
        true,
      ),
      // Rare: an activity fed by several systems, so conflict detection reads its recent events.
      await run("event on an activity fed by two systems", [
        { ...completion(userId, id(5), DEMO_ACTIVITIES[0]!.activityId), sourceSystem: "browser" },
      ], true),
    ];
  } finally {
    kv.close();
  }
}

/**
 * Returns `events` after making their outbox entries look like those written before entries
 * carried the events' targets: appended, then the entries rewritten without `activityIds`. The
 * caller's `processCounted` appends them again, which only reports them duplicates.
 */
async function withoutTargets(
  kv: Deno.Kv,
  userId: string,
  events: StoredEvent[],
): Promise<StoredEvent[]> {
  await appendEvents(kv, events);
  for await (const entry of kv.list<OutboxEntry>({ prefix: outboxPrefix(userId) })) {
    const { activityIds: _, ...old } = entry.value;
    await kv.set(entry.key, old);
  }
  return events;
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
    target: c.rare ? "rare path" : `<= ${ROUND_TRIP_TARGET}`,
    met: c.rare ? null : worstRun(c) <= ROUND_TRIP_TARGET,
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
