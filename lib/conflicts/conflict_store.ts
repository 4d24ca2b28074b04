/** Conflicts in KV: one record per student and conflict, and an index of the unresolved ones. */
import {
  conflictKey,
  conflictsPrefix,
  eventKey,
  eventsByActivityPrefix,
  eventsByUserPrefix,
  keyString,
  openConflictKey,
  openConflictsPrefix,
} from "../kv_keys.ts";
import { getValuesById } from "../kv_batch_reader.ts";
import { getStoredEvents } from "../events/log_store.ts";
import type { StoredEvent } from "../core/event_schema.ts";
import type { ConflictImpact, ConflictType, ProgressConflict } from "../core/conflict.ts";

/** Most conflicts one listing returns. */
export const MAX_LISTED_CONFLICTS = 1000;

/** Filters of `GET /api/progress-sync/conflicts`. */
export interface ConflictFilter {
  status?: "unresolved" | "resolved" | "all";
  impact?: ConflictImpact;
  conflictType?: ConflictType;
  limit?: number;
}

/** Reads a student's conflicts by id (missing ones are absent). */
export async function getConflicts(
  kv: Deno.Kv,
  userId: string,
  conflictIds: readonly string[],
): Promise<Map<string, ProgressConflict>> {
  return await getValuesById<ProgressConflict>(kv, conflictIds, (id) => conflictKey(userId, id));
}

/** Reads one of a student's conflicts, or null. */
export async function getConflict(
  kv: Deno.Kv,
  userId: string,
  conflictId: string,
): Promise<ProgressConflict | null> {
  return (await kv.get<ProgressConflict>(conflictKey(userId, conflictId))).value;
}

/**
 * Lists a student's conflicts, newest detection first: the unresolved ones through their index,
 * resolved or all by scanning the student's conflicts (at most `MAX_LISTED_CONFLICTS`).
 */
export async function listConflicts(
  kv: Deno.Kv,
  userId: string,
  filter: ConflictFilter = {},
): Promise<ProgressConflict[]> {
  const status = filter.status ?? "unresolved";
  const limit = Math.min(filter.limit ?? MAX_LISTED_CONFLICTS, MAX_LISTED_CONFLICTS);
  let conflicts: ProgressConflict[] = [];
  if (status === "unresolved") {
    conflicts = [...(await getConflicts(kv, userId, await openConflictIds(kv, userId))).values()];
  } else {
    for await (
      const entry of kv.list<ProgressConflict>({ prefix: conflictsPrefix(userId) })
    ) conflicts.push(entry.value);
  }
  return conflicts
    .filter((c) =>
      (status === "all" || c.status === status) &&
      (filter.impact === undefined || c.impact === filter.impact) &&
      (filter.conflictType === undefined || c.conflictType === filter.conflictType)
    )
    .sort((a, b) =>
      a.detectedAt === b.detectedAt
        ? (a.id < b.id ? -1 : 1)
        : (a.detectedAt < b.detectedAt ? 1 : -1)
    )
    .slice(0, limit);
}

/** The ids of a student's conflicts that wait for a decision. */
export async function openConflictIds(kv: Deno.Kv, userId: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const entry of kv.list({ prefix: openConflictsPrefix(userId) })) {
    ids.push(keyString(entry.key, -1));
  }
  return ids;
}

/** The most recently indexed processed events of one activity (highest event ids first), at most `limit`. */
export async function recentActivityEvents(
  kv: Deno.Kv,
  userId: string,
  activityId: string,
  limit?: number,
): Promise<StoredEvent[]> {
  const ids: [string, string][] = [];
  for await (
    const entry of kv.list<string>(
      { prefix: eventsByActivityPrefix(userId, activityId) },
      limit === undefined ? { reverse: true } : { reverse: true, limit },
    )
  ) ids.push([userId, entry.value]);
  return (await getStoredEvents(kv, ids)).filter((e) => e !== undefined);
}

/** Every processed event of one activity. */
export async function allActivityEvents(
  kv: Deno.Kv,
  userId: string,
  activityId: string,
): Promise<StoredEvent[]> {
  return await recentActivityEvents(kv, userId, activityId);
}

/**
 * Adds a processing commit's conflict writes to its atomic operation: each conflict record with its
 * place in the unresolved index, and the correction events automatic resolutions append to the
 * student's log (their `events_by_activity` entries, results and live messages are written with
 * the other processed events).
 */
export function addConflictWrites(
  op: Deno.AtomicOperation,
  kv: Deno.Kv,
  userId: string,
  writes: readonly ProgressConflict[],
  corrections: readonly StoredEvent[],
): void {
  for (const conflict of writes) {
    op.set(conflictKey(userId, conflict.id), conflict);
    if (conflict.status === "unresolved") {
      op.set(openConflictKey(userId, conflict.id), conflict.detectedAt);
    } else op.delete(openConflictKey(userId, conflict.id));
  }
  if (corrections.length === 0) return;
  for (const event of corrections) op.set(eventKey(userId, event.id), event);
  op.set([...eventsByUserPrefix(userId), kv.commitVersionstamp()], corrections.map((e) => e.id));
}
