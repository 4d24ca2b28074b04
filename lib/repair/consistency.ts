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
import { type ActivityState, reduceActivity } from "../core/activity_state.ts";
import { groupByActivity } from "../core/project.ts";
import {
  emptySummary,
  type ProgressSummary,
  type ProgressTotals,
  totalsOfStates,
} from "../core/summary.ts";
import { canonicalJson } from "../core/content_hash.ts";

/** Kinds of inconsistency the check looks for. */
export const INCONSISTENCY_TYPES = [
  "activity_state_mismatch",
  "summary_totals_mismatch",
  "stale_outbox",
] as const;

/** One of `INCONSISTENCY_TYPES`. */
export type InconsistencyType = (typeof INCONSISTENCY_TYPES)[number];

/** One difference between the projections and what the log says they should be. */
export interface Inconsistency {
  type: InconsistencyType;
  /**
   * `state_differs`, `state_missing`, `state_orphaned` or `index_missing` (activity states);
   * `totals_differ` or `event_count_differs` (summary); `already_processed`, `event_missing`,
   * `stuck` or `not_queued` (outbox).
   */
  kind: string;
  userId: string;
  activityId?: string;
  eventId?: string;
  /** The fields that differ, for `state_differs` and `totals_differ`. */
  fields?: string[];
  expected?: unknown;
  actual?: unknown;
  repaired: boolean;
}

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
/** An outbox entry this old with no result is stuck (the sweeper should have processed it). */
export const STUCK_AFTER_MS = 60_000;
/** Mutations per repair commit (Deno KV allows 1,000). */
const REPAIR_COMMIT_MUTATIONS = 800;

/** Everything the check reads about one student, from one consistent moment. */
export interface UserSnapshot {
  userId: string;
  summaryEntry: Deno.KvEntryMaybe<ProgressSummary>;
  events: StoredEvent[];
  /** Ids of events with a processing result (applied to the projections). */
  processedIds: Set<string>;
  outbox: Deno.KvEntry<OutboxEntry>[];
  states: Map<string, ActivityState>;
  /** `activityId\u0000eventId` of every entry in the per-activity index. */
  indexEntries: Set<string>;
}

/** What repairing one student writes. */
export interface UserFix {
  setStates: Map<string, ActivityState>;
  deleteStates: string[];
  setIndex: [activityId: string, eventId: string][];
  summary: ProgressSummary | null;
  deleteOutbox: Deno.KvKey[];
  queueEvents: StoredEvent[];
  /** Processing should run for this student (stuck or re-queued events). */
  reschedule: boolean;
}

function differingFields(expected: object, actual: object): string[] {
  const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  return [...keys].filter((k) =>
    canonicalJson((expected as Record<string, unknown>)[k]) !==
      canonicalJson((actual as Record<string, unknown>)[k])
  ).sort();
}

/**
 * Compares one student's projections with a replay of their processed events (pure): each
 * activity state against `reduceActivity` of its events, the per-activity index, the summary's
 * totals and event count against the replayed states, and the outbox against the results.
 */
export function diffUser(
  snapshot: UserSnapshot,
  types: ReadonlySet<InconsistencyType>,
  nowMs: number,
): { inconsistencies: Omit<Inconsistency, "repaired">[]; fix: UserFix; activities: number } {
  const { userId } = snapshot;
  const out: Omit<Inconsistency, "repaired">[] = [];
  const fix: UserFix = {
    setStates: new Map(),
    deleteStates: [],
    setIndex: [],
    summary: null,
    deleteOutbox: [],
    queueEvents: [],
    reschedule: false,
  };
  const processed = snapshot.events.filter((e) => snapshot.processedIds.has(e.id));
  const groups = groupByActivity(processed);
  const expected = new Map<string, ActivityState>();
  for (const [activityId, events] of groups) {
    const state = reduceActivity(events, activityId);
    if (state) expected.set(activityId, state);
  }
  if (types.has("activity_state_mismatch")) {
    for (const [activityId, state] of expected) {
      const actual = snapshot.states.get(activityId);
      if (!actual) {
        out.push({
          type: "activity_state_mismatch",
          kind: "state_missing",
          userId,
          activityId,
          expected: state,
        });
        fix.setStates.set(activityId, state);
        continue;
      }
      const fields = differingFields(state, actual);
      if (fields.length > 0) {
        out.push({
          type: "activity_state_mismatch",
          kind: "state_differs",
          userId,
          activityId,
          fields,
          expected: Object.fromEntries(
            fields.map((f) => [f, (state as unknown as Record<string, unknown>)[f]]),
          ),
          actual: Object.fromEntries(
            fields.map((f) => [f, (actual as unknown as Record<string, unknown>)[f]]),
          ),
        });
        fix.setStates.set(activityId, state);
      }
    }
    for (const [activityId, actual] of snapshot.states) {
      if (expected.has(activityId)) continue;
      out.push({
        type: "activity_state_mismatch",
        kind: "state_orphaned",
        userId,
        activityId,
        actual,
      });
      fix.deleteStates.push(activityId);
    }
    for (const [activityId, events] of groups) {
      for (const event of events) {
        if (snapshot.indexEntries.has(`${activityId}\u0000${event.id}`)) continue;
        out.push({
          type: "activity_state_mismatch",
          kind: "index_missing",
          userId,
          activityId,
          eventId: event.id,
        });
        fix.setIndex.push([activityId, event.id]);
      }
    }
  }
  if (types.has("summary_totals_mismatch")) {
    const summary = snapshot.summaryEntry.value ?? emptySummary(userId);
    const totals: ProgressTotals = totalsOfStates(expected.values());
    const fields = differingFields(totals, summary.totals);
    let changed = false;
    if (fields.length > 0) {
      out.push({
        type: "summary_totals_mismatch",
        kind: "totals_differ",
        userId,
        fields,
        expected: totals,
        actual: summary.totals,
      });
      changed = true;
    }
    if (summary.eventCount !== processed.length) {
      out.push({
        type: "summary_totals_mismatch",
        kind: "event_count_differs",
        userId,
        expected: processed.length,
        actual: summary.eventCount,
      });
      changed = true;
    }
    if (changed) fix.summary = { ...summary, totals, eventCount: processed.length };
  }
  if (types.has("stale_outbox")) {
    const byId = new Map(snapshot.events.map((e) => [e.id, e]));
    const queued = new Set<string>();
    for (const entry of snapshot.outbox) {
      const { eventId, acceptedAt } = entry.value;
      queued.add(eventId);
      if (!byId.has(eventId)) {
        out.push({ type: "stale_outbox", kind: "event_missing", userId, eventId });
        fix.deleteOutbox.push(entry.key);
      } else if (snapshot.processedIds.has(eventId)) {
        out.push({ type: "stale_outbox", kind: "already_processed", userId, eventId });
        fix.deleteOutbox.push(entry.key);
      } else if (nowMs - Date.parse(acceptedAt) > STUCK_AFTER_MS) {
        out.push({ type: "stale_outbox", kind: "stuck", userId, eventId, actual: { acceptedAt } });
        fix.reschedule = true;
      }
    }
    for (const event of snapshot.events) {
      if (snapshot.processedIds.has(event.id) || queued.has(event.id)) continue;
      out.push({ type: "stale_outbox", kind: "not_queued", userId, eventId: event.id });
      fix.queueEvents.push(event);
      fix.reschedule = true;
    }
  }
  const activities = new Set([...expected.keys(), ...snapshot.states.keys()]).size;
  return { inconsistencies: out, fix, activities };
}

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
