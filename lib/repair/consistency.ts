/**
 * Consistency check and repair: recomputes a student's projections from the event log with the
 * same pure reducer processing uses, reports every difference and, unless told not to, fixes it.
 */
import { monotonicUlids } from "../ids.ts";
import { type OutboxEntry, outboxEntryOf } from "../events/log_store.ts";
import type { StoredEvent } from "../core/event_schema.ts";
import {
  activityStateKey,
  activityStatesPrefix,
  eventsByActivityPrefix,
  eventsByActivityUserPrefix,
  eventsPrefix,
  keyString,
  lastConsistencyCheckKey,
  outboxKey,
  outboxPrefix,
  resultsPrefix,
  summaryKey,
} from "../kv_keys.ts";
import { firstEntryPerPart } from "../kv_scan.ts";
import { type ActivityState } from "../core/activity_state.ts";
import { type ProgressSummary } from "../core/summary.ts";
import {
  diffUser,
  type Inconsistency,
  INCONSISTENCY_TYPES,
  type InconsistencyType,
  type UserFix,
  type UserSnapshot,
} from "./consistency_diff.ts";

/** What a check or repair run found and did. */
export interface ConsistencyReport {
  dryRun: boolean;
  inconsistencyTypes: InconsistencyType[];
  checkedUsers: number;
  checkedEvents: number;
  checkedActivities: number;
  /** Inconsistencies found, per type. */
  counts: Record<InconsistencyType, number>;
  repaired: number;
  /** The first `MAX_REPORTED` inconsistencies. */
  inconsistencies: Inconsistency[];
  truncated: boolean;
  durationMs: number;
  /** Share of checked activities (and summaries) that matched the log, 0–1. */
  consistencyScore: number;
  finishedAt: string;
}

/** Most inconsistencies listed in one report (all are counted). */
export const MAX_REPORTED = 1000;
/** Mutations per repair commit (Deno KV allows 1,000). */
const REPAIR_COMMIT_MUTATIONS = 800;

async function listValues<T>(kv: Deno.Kv, prefix: Deno.KvKey): Promise<Deno.KvEntry<T>[]> {
  const out: Deno.KvEntry<T>[] = [];
  for await (const entry of kv.list<T>({ prefix }, { batchSize: 1000 })) out.push(entry);
  return out;
}

/** Reads one student's log and projections at one moment (retries while processing commits in between). */
export async function readUserSnapshot(kv: Deno.Kv, userId: string): Promise<UserSnapshot> {
  // Reads only (no commit to retry): after 5 tries it takes what it read; the fix's summary check
  // refuses a snapshot that went stale.
  for (let attempt = 0;; attempt++) {
    const summaryEntry = await kv.get<ProgressSummary>(summaryKey(userId));
    const [events, results, outbox, states, index] = await Promise.all([
      listValues<StoredEvent>(kv, eventsPrefix(userId)),
      listValues<unknown>(kv, resultsPrefix(userId)),
      listValues<OutboxEntry>(kv, outboxPrefix(userId)),
      listValues<ActivityState>(kv, activityStatesPrefix(userId)),
      listValues<string>(kv, eventsByActivityUserPrefix(userId)),
    ]);
    const after = await kv.get<ProgressSummary>(summaryKey(userId));
    if (after.versionstamp !== summaryEntry.versionstamp && attempt < 5) continue;
    return {
      userId,
      summaryEntry,
      events: events.map((e) => e.value),
      processedIds: new Set(results.map((r) => keyString(r.key, 2))),
      outbox,
      states: new Map(states.map((s) => [keyString(s.key, 2), s.value])),
      indexEntries: new Set(index.map((i) => `${keyString(i.key, 2)}\u0000${keyString(i.key, 3)}`)),
    };
  }
}

const nextOutboxSeq = monotonicUlids();

/**
 * Writes a student's fix in commits of at most `REPAIR_COMMIT_MUTATIONS` mutations. Each commit
 * checks the summary read with the snapshot and rewrites it, so a processing commit racing with
 * the repair fails its own summary check and re-reads the repaired projections. False when the
 * snapshot went stale first (nothing after that point was written).
 */
export async function applyFix(
  kv: Deno.Kv,
  snapshot: UserSnapshot,
  fix: UserFix,
  nowMs: number,
): Promise<boolean> {
  const { userId } = snapshot;
  const writes: ((op: Deno.AtomicOperation) => void)[] = [];
  for (const [activityId, state] of fix.setStates) {
    writes.push((op) => op.set(activityStateKey(userId, activityId), state));
  }
  for (const activityId of fix.deleteStates) {
    writes.push((op) => op.delete(activityStateKey(userId, activityId)));
  }
  for (const [activityId, eventId] of fix.setIndex) {
    writes.push((op) => op.set([...eventsByActivityPrefix(userId, activityId), eventId], eventId));
  }
  for (const key of fix.deleteOutbox) writes.push((op) => op.delete(key));
  for (const event of fix.queueEvents) {
    writes.push((op) => op.set(outboxKey(userId, nextOutboxSeq(nowMs)), outboxEntryOf(event)));
  }
  const chunks: (typeof writes)[] = [];
  for (let i = 0; i < writes.length; i += REPAIR_COMMIT_MUTATIONS) {
    chunks.push(writes.slice(i, i + REPAIR_COMMIT_MUTATIONS));
  }
  if (chunks.length === 0) chunks.push([]);
  let check: Deno.AtomicCheck = snapshot.summaryEntry;
  for (const [n, chunk] of chunks.entries()) {
    const last = n === chunks.length - 1;
    const op = kv.atomic().check(check);
    for (const write of chunk) write(op);
    const summary = last ? fix.summary ?? snapshot.summaryEntry.value : snapshot.summaryEntry.value;
    if (summary) op.set(summaryKey(userId), summary);
    const result = await op.commit();
    if (!result.ok) return false;
    check = { key: summaryKey(userId), versionstamp: summary ? result.versionstamp : null };
  }
  return true;
}

/** Options of `checkConsistency`. */
export interface CheckOptions {
  /** One student, or every student with events. */
  userId?: string;
  types?: readonly InconsistencyType[];
  /** Fix what differs (default false: report only). */
  repair?: boolean;
  now?: () => number;
  /** Students checked at once. */
  concurrency?: number;
  /** Called for students whose events need processing after the repair (stuck or re-queued). */
  reschedule?: (userId: string) => void;
}

/** Every student with at least one event, by jumping from one user's first event to the next. */
export async function listUsersWithEvents(kv: Deno.Kv): Promise<string[]> {
  const users: string[] = [];
  for await (const { part } of firstEntryPerPart(kv, eventsPrefix())) users.push(part);
  return users;
}

/**
 * Checks one student or all: recomputes their projections from the log, reports each difference
 * and, with `repair`, fixes it. The outcome is also stored as the latest consistency check (read
 * by the health report).
 */
export async function checkConsistency(
  kv: Deno.Kv,
  options: CheckOptions = {},
): Promise<ConsistencyReport> {
  const now = options.now ?? Date.now;
  const started = performance.now();
  const types = [...new Set(options.types ?? INCONSISTENCY_TYPES)];
  const typeSet = new Set(types);
  const users = options.userId !== undefined ? [options.userId] : await listUsersWithEvents(kv);
  const counts = Object.fromEntries(INCONSISTENCY_TYPES.map((t) => [t, 0])) as Record<
    InconsistencyType,
    number
  >;
  const reported: Inconsistency[] = [];
  let checkedEvents = 0;
  let checkedActivities = 0;
  let inconsistentUnits = 0;
  let repaired = 0;
  let index = 0;
  async function checkNext(): Promise<void> {
    while (index < users.length) {
      const userId = users[index++]!;
      // Not `commitWithRetry`: a fix is several commits, and a student whose fix keeps going
      // stale is left for the next check instead of failing the whole run.
      for (let attempt = 0; attempt < 5; attempt++) {
        const snapshot = await readUserSnapshot(kv, userId);
        const nowMs = now();
        const { inconsistencies, fix, activities } = diffUser(snapshot, typeSet, nowMs);
        const fixed = options.repair && inconsistencies.length > 0
          ? await applyFix(kv, snapshot, fix, nowMs)
          : false;
        if (options.repair && inconsistencies.length > 0 && !fixed) continue;
        checkedEvents += snapshot.events.length;
        checkedActivities += activities;
        inconsistentUnits += new Set(
          inconsistencies.map((i) => i.activityId ?? `summary:${i.type}`),
        ).size;
        for (const item of inconsistencies) {
          counts[item.type]++;
          if (fixed) repaired++;
          if (reported.length < MAX_REPORTED) reported.push({ ...item, repaired: fixed });
        }
        if (options.repair && fix.reschedule) options.reschedule?.(userId);
        break;
      }
    }
  }
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, checkNext));
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const units = checkedActivities + users.length;
  const report: ConsistencyReport = {
    dryRun: !options.repair,
    inconsistencyTypes: types,
    checkedUsers: users.length,
    checkedEvents,
    checkedActivities,
    counts,
    repaired,
    inconsistencies: reported,
    truncated: total > reported.length,
    durationMs: Math.round(performance.now() - started),
    consistencyScore: units === 0
      ? 1
      : Math.round(Math.max(0, 1 - inconsistentUnits / units) * 10000) / 10000,
    finishedAt: new Date(now()).toISOString(),
  };
  const { inconsistencies: _list, ...stored } = report;
  await kv.set(lastConsistencyCheckKey(), { ...stored, userId: options.userId ?? null });
  return report;
}

/** The latest stored consistency check (without its list of inconsistencies), or null. */
export async function getLastConsistencyCheck(
  kv: Deno.Kv,
): Promise<(Omit<ConsistencyReport, "inconsistencies"> & { userId: string | null }) | null> {
  return (await kv.get<Omit<ConsistencyReport, "inconsistencies"> & { userId: string | null }>(
    lastConsistencyCheckKey(),
  )).value;
}
