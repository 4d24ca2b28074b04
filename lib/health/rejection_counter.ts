import { recordInboundOutcome } from "../processing/sync_stats.ts";

/** How often at most one system's refused inbound webhooks are written to KV. */
export const REJECTION_WRITE_INTERVAL_MS = 1000;

/**
 * Counts refused inbound webhooks without letting anonymous callers write to KV at will: at most
 * one write per system per interval; refusals in between are added to the next write.
 */
export interface RejectionCounter {
  /** Counts one refusal for `system` at `nowMs` (writes the pending count when the interval has passed). */
  count(kv: Deno.Kv, system: string, nowMs: number): Promise<void>;
}

/** A counter holding each system's pending refusals in memory (one per process). */
export function createRejectionCounter(
  options: { intervalMs?: number } = {},
): RejectionCounter {
  const intervalMs = options.intervalMs ?? REJECTION_WRITE_INTERVAL_MS;
  const pending = new Map<string, { count: number; lastWriteMs: number }>();
  return {
    async count(kv, system, nowMs) {
      const entry = pending.get(system) ?? { count: 0, lastWriteMs: -Infinity };
      entry.count++;
      pending.set(system, entry);
      if (nowMs - entry.lastWriteMs < intervalMs) return;
      const count = entry.count;
      entry.count = 0;
      entry.lastWriteMs = nowMs;
      await recordInboundOutcome(kv, system, { accepted: false, count, nowMs });
    },
  };
}
