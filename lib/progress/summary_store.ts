import { outboxPrefix, summaryKey } from "../kv_keys.ts";
import { emptySummary, type ProgressSummary } from "./summary.ts";
import { type UnifiedProgressView, unifiedViewOf } from "./unified_view.ts";

/** Counts a user's accepted-but-unprocessed events, up to `cap`. */
export async function countPendingEvents(
  kv: Deno.Kv,
  userId: string,
  cap = 1000,
): Promise<number> {
  let count = 0;
  for await (
    const _ of kv.list({ prefix: outboxPrefix(userId) }, { limit: cap })
  ) count++;
  return count;
}

/** Reads a user's summary projection (empty when nothing was processed). */
export async function getSummary(
  kv: Deno.Kv,
  userId: string,
): Promise<ProgressSummary> {
  return (await kv.get<ProgressSummary>(summaryKey(userId))).value ??
    emptySummary(userId);
}

/** Reads a user's unified progress view from the projections (never from the log). */
export async function getUnifiedView(
  kv: Deno.Kv,
  userId: string,
): Promise<UnifiedProgressView> {
  const [summary, pendingEvents] = await Promise.all([
    getSummary(kv, userId),
    countPendingEvents(kv, userId),
  ]);
  return unifiedViewOf(summary, { pendingEvents });
}
