/**
 * Replay: rebuilds fresh projections (activity states, per-activity index, summaries) from a log of
 * 100,000 processed events with the repair code (`checkConsistency` with `repair`), in-process on a
 * KV file. Raw limit: reading the same 100,000 events with `kv.list` and nothing else.
 */

import { eventsPrefix } from "../../lib/kv_keys.ts";
import { checkConsistency } from "../../lib/repair/consistency.ts";
import { type Figure, fmt, log, type Workspace } from "./bench_env.ts";
import { ratio } from "./stats.ts";
import { seededUserId, seedLog } from "./log_seed.ts";

const STUDENTS = 1000;
const EVENTS_PER_STUDENT = 100;
/** Issue 6's target. */
const TARGET_SECONDS = 10;
/** Students read at once, as `checkConsistency` does by default. */
const CONCURRENCY = 4;

/** What the replay part measured. */
export interface ReplayRun {
  students: number;
  events: number;
  seedMs: number;
  /** Reading every event with `kv.list` (same concurrency as the replay), ms. */
  rawListMs: number;
  /** Events the raw read saw. */
  rawListed: number;
  /** Rebuilding every projection from the log, ms. */
  replayMs: number;
  /** Projections written, by kind of inconsistency the empty projections were. */
  rebuilt: Record<string, number>;
  /** A dry-run check after the replay found nothing to fix. */
  consistentAfter: boolean;
}

async function listAllEvents(kv: Deno.Kv): Promise<number> {
  let next = 0;
  let listed = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < STUDENTS) {
      const prefix = eventsPrefix(seededUserId(next++));
      for await (const _ of kv.list({ prefix }, { batchSize: 1000 })) listed++;
    }
  }));
  return listed;
}

/** Seeds the log without projections, times the raw read, replays it, and checks the result. */
export async function replay(ws: Workspace): Promise<ReplayRun> {
  await Deno.mkdir(`${ws.dir}/replay`, { recursive: true });
  const kv = await Deno.openKv(`${ws.dir}/replay/kv.sqlite`);
  try {
    const seedStart = performance.now();
    await seedLog(kv, {
      users: STUDENTS,
      eventsPerUser: EVENTS_PER_STUDENT,
      projections: false,
    });
    const seedMs = performance.now() - seedStart;
    log(`  seeded ${STUDENTS * EVENTS_PER_STUDENT} events in ${(seedMs / 1000).toFixed(1)} s`);
    const rawStart = performance.now();
    const rawListed = await listAllEvents(kv);
    const rawListMs = performance.now() - rawStart;
    const report = await checkConsistency(kv, { repair: true, concurrency: CONCURRENCY });
    const after = await checkConsistency(kv, { repair: false });
    return {
      students: report.checkedUsers,
      events: report.checkedEvents,
      seedMs,
      rawListMs,
      rawListed,
      replayMs: report.durationMs,
      rebuilt: report.counts,
      consistentAfter: Object.values(after.counts).every((n) => n === 0) &&
        report.repaired === Object.values(report.counts).reduce((a, b) => a + b, 0),
    };
  } finally {
    kv.close();
  }
}

/** The replay's row: seconds against the raw read of the same events. */
export function replayFigures(run: ReplayRun): Figure[] {
  return [{
    name: `Replay ${fmt(run.events)} events into fresh projections`,
    unit: "s",
    value: run.replayMs / 1000,
    limit: run.rawListMs / 1000,
    ratio: ratio(run.replayMs, run.rawListMs),
    target: `<= ${TARGET_SECONDS} s`,
    met: run.replayMs / 1000 <= TARGET_SECONDS && run.consistentAfter,
  }];
}
