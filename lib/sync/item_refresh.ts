import { getItemStates } from "../catalog/catalog_store.ts";
import { activityStateKey, itemStateKey, summaryKey } from "../kv_keys.ts";
import { getManyBatched } from "../kv_batch_reader.ts";
import { commitWithRetry } from "../kv_commit.ts";
import type { ActivityState } from "../core/activity_state.ts";
import { emptySummary, type ProgressSummary } from "../core/summary.ts";
import { deriveItemState, type ItemState, type TrackedItem } from "../core/propagation.ts";

/**
 * Derives and stores an item's state from its activities' current states (after the item is
 * created or edited). Like every writer of a student's projections, the commit checks and
 * rewrites the student's summary, so it cannot interleave with a processing commit.
 */
export async function refreshItemState(kv: Deno.Kv, item: TrackedItem): Promise<ItemState> {
  return await commitWithRetry(async () => {
    const summary = await kv.get<ProgressSummary>(summaryKey(item.userId));
    const entries = await getManyBatched<ActivityState>(
      kv,
      item.activityIds.map((a) => activityStateKey(item.userId, a)),
    );
    const states = new Map(item.activityIds.map((a, i) => [a, entries[i]?.value ?? undefined]));
    const previous = (await getItemStates(kv, item.userId, [item.itemId])).get(item.itemId);
    const state = deriveItemState(
      item,
      (a) => states.get(a),
      previous?.value?.lastEventId ?? null,
    );
    const op = kv.atomic()
      .check(summary)
      .set(summaryKey(item.userId), summary.value ?? emptySummary(item.userId))
      .set(itemStateKey(item.userId, item.itemId), state);
    return { value: state, op };
  }, { what: `derive the state of item ${item.itemId}` });
}
