/**
 * `deno task bench:repair`: times the consistency check (and a repair) over 100,000 events in a
 * KV file, beside its raw limit: listing the same keys without checking anything.
 *
 * Env: `REPAIR_BENCH_USERS` (default 1,000) × `REPAIR_BENCH_EVENTS` (default 100 per user);
 * `BENCH_KEEP=1` keeps the KV file.
 */
import { join } from "node:path";
import type { StoredEvent } from "../../lib/events/schema.ts";
import {
  activityStateKey,
  activityStatesPrefix,
  eventKey,
  eventsByActivityPrefix,
  eventsByActivityUserPrefix,
  eventsByUserPrefix,
  eventsPrefix,
  outboxPrefix,
  resultKey,
  resultsPrefix,
  summaryKey,
} from "../../lib/kv_keys.ts";
import { reduceActivity } from "../../lib/progress/activity_state.ts";
import { groupByActivity } from "../../lib/progress/project.ts";
import { mergeRecent, type ProgressSummary, totalsOfStates } from "../../lib/progress/summary.ts";
import { checkConsistency } from "../../lib/repair/consistency.ts";

const USERS = Number(Deno.env.get("REPAIR_BENCH_USERS") ?? 1000);
const EVENTS_PER_USER = Number(Deno.env.get("REPAIR_BENCH_EVENTS") ?? 100);
const ACTIVITIES_PER_USER = 20;
const STATUSES = ["started", "in_progress", "completed", "failed"] as const;

function log(message: string): void {
  console.log(`[bench:repair ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

function userEvents(u: number): StoredEvent[] {
  const userId = `user-${String(u).padStart(5, "0")}`;
  const base = Date.parse("2026-11-01T00:00:00Z");
  return Array.from({ length: EVENTS_PER_USER }, (_, i) => {
    const at = new Date(base + (u * EVENTS_PER_USER + i) * 60_000).toISOString();
    return {
      id: `ev-${String(i).padStart(4, "0")}`,
      userId,
      eventType: "activity_progressed",
      sourceSystem: "quiz_engine",
      eventData: {
        activityId: `act-${(i * 7 + u) % ACTIVITIES_PER_USER}`,
        activityType: "quiz",
        completionStatus: STATUSES[(i + u) % STATUSES.length]!,
        timeSpent: (i % 13) + 1,
        score: (i * 37 + u) % 101,
      },
      timestamp: at,
      receivedAt: at,
      contentHash: `h-${u}-${i}`,
    } satisfies StoredEvent;
  });
}

/** Writes events with the projections processing would have made (same pure reducer). */
async function seed(kv: Deno.Kv): Promise<void> {
  for (let u = 0; u < USERS; u++) {
    const events = userEvents(u);
    const userId = events[0]!.userId;
    const states = new Map(
      [...groupByActivity(events)].map(([a, group]) => [a, reduceActivity(group, a)!]),
    );
    const summary: ProgressSummary = {
      userId,
      totals: totalsOfStates(states.values()),
      eventCount: events.length,
      recent: mergeRecent([], events),
      updatedAt: events.at(-1)!.receivedAt,
    };
    const writes: ((op: Deno.AtomicOperation) => void)[] = [];
    for (const event of events) {
      writes.push((op) => op.set(eventKey(userId, event.id), event));
      writes.push((op) =>
        op.set(resultKey(userId, event.id), { eventId: event.id, syncedSystems: [] })
      );
      writes.push((op) =>
        op.set([...eventsByActivityPrefix(userId, event.eventData.activityId!), event.id], event.id)
      );
    }
    for (let i = 0; i < events.length; i += 100) {
      const stamp = String(i / 100 + 1).padStart(20, "0");
      const ids = events.slice(i, i + 100).map((e) => e.id);
      writes.push((op) => op.set([...eventsByUserPrefix(userId), stamp], ids));
    }
    for (const [a, state] of states) {
      writes.push((op) => op.set(activityStateKey(userId, a), state));
    }
    writes.push((op) => op.set(summaryKey(userId), summary));
    for (let i = 0; i < writes.length; i += 500) {
      const op = kv.atomic();
      for (const write of writes.slice(i, i + 500)) write(op);
      const result = await op.commit();
      if (!result.ok) throw new Error("Seeding failed");
    }
    if ((u + 1) % 200 === 0) log(`seeded ${(u + 1) * EVENTS_PER_USER} events`);
  }
}

/** Corrupts one activity state in every hundredth user. */
async function corrupt(kv: Deno.Kv): Promise<number> {
  let n = 0;
  for (let u = 0; u < USERS; u += 100) {
    const key = activityStateKey(`user-${String(u).padStart(5, "0")}`, "act-3");
    const entry = await kv.get<Record<string, unknown>>(key);
    if (!entry.value) continue;
    await kv.set(key, { ...entry.value, status: "not_started", timeSpentMinutes: -1 });
    n++;
  }
  return n;
}

/** The raw limit: list every key the check reads, doing nothing with the values. */
async function rawScan(kv: Deno.Kv): Promise<number> {
  let keys = 0;
  for (let u = 0; u < USERS; u++) {
    const userId = `user-${String(u).padStart(5, "0")}`;
    await kv.get(summaryKey(userId));
    for (
      const prefix of [
        eventsPrefix(userId),
        resultsPrefix(userId),
        outboxPrefix(userId),
        activityStatesPrefix(userId),
        eventsByActivityUserPrefix(userId),
      ]
    ) {
      for await (const _ of kv.list({ prefix }, { batchSize: 1000 })) keys++;
    }
  }
  return keys;
}

const dir = await Deno.makeTempDir({ prefix: "progress_sync_repair_bench_" });
const path = join(dir, "bench.sqlite");
const kv = await Deno.openKv(path);
try {
  const total = USERS * EVENTS_PER_USER;
  log(`seeding ${total} events for ${USERS} students into ${path}`);
  const seedStart = performance.now();
  await seed(kv);
  log(`seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

  const rawStart = performance.now();
  const keys = await rawScan(kv);
  const rawMs = performance.now() - rawStart;

  const check = await checkConsistency(kv, { repair: false });
  const broken = await corrupt(kv);
  const repair = await checkConsistency(kv, { repair: true });
  const verify = await checkConsistency(kv, { repair: false });

  const rows: [string, string][] = [
    ["Events checked", String(check.checkedEvents)],
    ["Students / activities", `${check.checkedUsers} / ${check.checkedActivities}`],
    ["Consistency check (dry run)", `${(check.durationMs / 1000).toFixed(2)} s`],
    [`Raw limit: list the same ${keys} keys`, `${(rawMs / 1000).toFixed(2)} s`],
    ["Ratio check / raw", `${(check.durationMs / rawMs).toFixed(2)}x`],
    [`Repair run (${broken} corrupted states)`, `${(repair.durationMs / 1000).toFixed(2)} s`],
    [
      "Repaired / left after repair",
      `${repair.repaired} / ${Object.values(verify.counts).reduce((a, b) => a + b, 0)}`,
    ],
    ["Target", "< 30 s"],
  ];
  const width = Math.max(...rows.map(([a]) => a.length));
  console.log("");
  for (const [label, value] of rows) {
    console.log(`${label.padEnd(width + 2)}${value}`);
  }
  if (check.inconsistencies.length !== 0) throw new Error("The seeded store should be consistent");
  if (repair.repaired !== broken * 1) {
    console.log(`note: repaired ${repair.repaired} inconsistencies for ${broken} corrupted states`);
  }
} finally {
  kv.close();
  if (Deno.env.get("BENCH_KEEP") !== "1") await Deno.remove(dir, { recursive: true });
}
