/**
 * `deno task bench:repair`: times the consistency check (and a repair) over 100,000 events in a
 * KV file, beside its raw limit: listing the same keys without checking anything.
 *
 * Env: `REPAIR_BENCH_USERS` (default 1,000) × `REPAIR_BENCH_EVENTS` (default 100 per user);
 * `BENCH_KEEP=1` keeps the KV file.
 */
import { join } from "node:path";
import {
  activityStateKey,
  activityStatesPrefix,
  eventsByActivityUserPrefix,
  eventsPrefix,
  outboxPrefix,
  resultsPrefix,
  summaryKey,
} from "../../lib/kv_keys.ts";
import { checkConsistency } from "../../lib/repair/consistency.ts";
import { seededUserId, seedLog } from "./log_seed.ts";

const USERS = Number(Deno.env.get("REPAIR_BENCH_USERS") ?? 1000);
const EVENTS_PER_USER = Number(Deno.env.get("REPAIR_BENCH_EVENTS") ?? 100);

function log(message: string): void {
  console.log(`[bench:repair ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

/** Corrupts one activity state in every hundredth user. */
async function corrupt(kv: Deno.Kv): Promise<number> {
  let n = 0;
  for (let u = 0; u < USERS; u += 100) {
    const key = activityStateKey(seededUserId(u), "act-3");
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
    const userId = seededUserId(u);
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
  await seedLog(kv, {
    users: USERS,
    eventsPerUser: EVENTS_PER_USER,
    projections: true,
    progress: (events) => log(`seeded ${events} events`),
  });
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
