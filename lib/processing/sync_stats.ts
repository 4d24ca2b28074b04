import { SOURCE_SYSTEMS, type SourceSystem, type StoredEvent } from "../core/event_schema.ts";
import { syncSystemStatKey, syncSystemStatsPrefix } from "../kv_keys.ts";
import type { LiveMessage } from "../core/project.ts";

/** Figures kept per source system, each a `Deno.KvU64` changed only with `sum`/`max` (no read, no contention). */
export type SyncStat =
  | "processed"
  | "last_processed_at"
  | "last_event_at"
  | "last_received_at"
  | "conflicts"
  | "last_conflict_at"
  | "inbound_accepted"
  | "inbound_rejected"
  | "last_inbound_ok_at"
  | "last_inbound_rejected_at";

/** Per-system figures as read back (times as epoch ms, 0 = never). */
export type SyncStats = Record<SyncStat, number>;

/** A system's figures before anything happened (every count and time 0). */
export function emptySyncStats(): SyncStats {
  return {
    processed: 0,
    last_processed_at: 0,
    last_event_at: 0,
    last_received_at: 0,
    conflicts: 0,
    last_conflict_at: 0,
    inbound_accepted: 0,
    inbound_rejected: 0,
    last_inbound_ok_at: 0,
    last_inbound_rejected_at: 0,
  };
}

function u64(value: number): bigint {
  return BigInt(Math.max(0, Math.floor(value)));
}

function systemsOf(events: readonly StoredEvent[]): Map<SourceSystem, StoredEvent[]> {
  const out = new Map<SourceSystem, StoredEvent[]>();
  for (const event of events) {
    const list = out.get(event.sourceSystem) ?? [];
    list.push(event);
    out.set(event.sourceSystem, list);
  }
  return out;
}

function conflictSystems(
  messages: readonly LiveMessage[],
  events: readonly StoredEvent[],
): Map<SourceSystem, number> {
  const byId = new Map(events.map((e) => [e.id, e.sourceSystem]));
  const out = new Map<SourceSystem, number>();
  for (const message of messages) {
    if (message.event !== "conflict_detected") continue;
    const data = message.data as Record<string, unknown> | null;
    const eventId = data && typeof data === "object" ? data.eventId : undefined;
    const system = typeof eventId === "string" ? byId.get(eventId) : undefined;
    if (system) out.set(system, (out.get(system) ?? 0) + 1);
  }
  return out;
}

/** Most mutations `addSyncStats` adds to one commit: six per source system. */
export const SYNC_STAT_MUTATIONS = 6 * SOURCE_SYSTEMS.length;

/**
 * Adds one processing commit's per-system figures to its atomic operation: events processed, the
 * latest event, receipt and processing times, and conflicts (attributed through the conflict
 * message's `eventId`).
 */
export function addSyncStats(
  op: Deno.AtomicOperation,
  events: readonly StoredEvent[],
  messages: readonly LiveMessage[],
  nowMs: number,
): void {
  for (const [system, list] of systemsOf(events)) {
    const lastEvent = Math.max(...list.map((e) => Date.parse(e.timestamp)));
    const lastReceived = Math.max(...list.map((e) => Date.parse(e.receivedAt)));
    op.sum(syncSystemStatKey(system, "processed"), u64(list.length))
      .max(syncSystemStatKey(system, "last_processed_at"), u64(nowMs))
      .max(syncSystemStatKey(system, "last_event_at"), u64(lastEvent))
      .max(syncSystemStatKey(system, "last_received_at"), u64(lastReceived));
  }
  for (const [system, count] of conflictSystems(messages, events)) {
    op.sum(syncSystemStatKey(system, "conflicts"), u64(count))
      .max(syncSystemStatKey(system, "last_conflict_at"), u64(nowMs));
  }
}

/** Counts `count` inbound webhooks of `system`, accepted or rejected. */
export async function recordInboundOutcome(
  kv: Deno.Kv,
  system: string,
  outcome: { accepted: boolean; count?: number; nowMs: number },
): Promise<void> {
  const { accepted, nowMs } = outcome;
  await kv.atomic()
    .sum(
      syncSystemStatKey(system, accepted ? "inbound_accepted" : "inbound_rejected"),
      u64(outcome.count ?? 1),
    )
    .max(
      syncSystemStatKey(system, accepted ? "last_inbound_ok_at" : "last_inbound_rejected_at"),
      u64(nowMs),
    )
    .commit();
}

/** Reads every system's figures. */
export async function readSyncStats(kv: Deno.Kv): Promise<Map<string, SyncStats>> {
  const out = new Map<string, SyncStats>();
  for await (const entry of kv.list<Deno.KvU64>({ prefix: syncSystemStatsPrefix() })) {
    const [, system, stat] = entry.key as [string, string, SyncStat];
    const stats = out.get(system) ?? emptySyncStats();
    if (stat in stats) stats[stat] = Number(entry.value.value);
    out.set(system, stats);
  }
  return out;
}
