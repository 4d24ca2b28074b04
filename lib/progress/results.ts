import type { AppendOutcome } from "../events/log_store.ts";
import { resultKey } from "../kv_keys.ts";
import { getManyBatched } from "../kv_batch_reader.ts";
import type { ProgressSyncResult } from "../core/project.ts";

/** Whether an event has been processed (its result is written in the commit that processes it), and the result. */
export async function getProcessingState(
  kv: Deno.Kv,
  userId: string,
  eventId: string,
): Promise<{ processed: boolean; result?: ProgressSyncResult }> {
  const result = await kv.get<ProgressSyncResult>(resultKey(userId, eventId));
  return result.value === null ? { processed: false } : { processed: true, result: result.value };
}

/**
 * Waits (at most `limitMs`) for the processing runs, then reads each stored event's result in
 * request order. Returns null when some event is still unprocessed; conflicting items get an
 * error result since nothing of theirs was stored.
 */
export async function waitForResults(
  kv: Deno.Kv,
  outcomes: readonly AppendOutcome[],
  runs: readonly Promise<void>[],
  limitMs: number,
): Promise<ProgressSyncResult[] | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, limitMs);
  });
  await Promise.race([Promise.allSettled(runs), timeout]);
  clearTimeout(timer);
  const entries = await getManyBatched<ProgressSyncResult>(
    kv,
    outcomes.map((o) => resultKey(o.userId, o.id)),
  );
  const out: ProgressSyncResult[] = [];
  for (const [n, entry] of entries.entries()) {
    const outcome = outcomes[n]!;
    if (outcome.status === "conflict") {
      out.push(conflictResult(outcome.id));
    } else if (entry.value) out.push(entry.value);
    else return null;
  }
  return out;
}

function conflictResult(eventId: string): ProgressSyncResult {
  return {
    eventId,
    syncedSystems: [],
    conflicts: [],
    achievements: [],
    milestonesReached: [],
    errors: [{
      code: "id_conflict",
      message: `Event "${eventId}" was not stored: id already used with different content`,
    }],
    totalProcessingTime: 0,
  };
}
