import { getItemStates } from "../catalog/catalog_store.ts";
import { activityStateKey, itemStateKey, summaryKey } from "../kv_keys.ts";
import type { ActivityState } from "../core/activity_state.ts";
import { emptySummary, type ProgressSummary } from "../core/summary.ts";
import { deriveItemState, type ItemState, type TrackedItem } from "../core/propagation.ts";

/**
 * Derives and stores an item's state from its activities' current states (after the item is
 * created or edited). Like every writer of a student's projections, the commit checks and
 * rewrites the student's summary, so it cannot interleave with a processing commit.
 */
export async function refreshItemState(kv: Deno.Kv, item: TrackedItem): Promise<ItemState> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const summary = await kv.get<ProgressSummary>(summaryKey(item.userId));
    const entries: Deno.KvEntryMaybe<ActivityState>[] = [];
    for (let i = 0; i < item.activityIds.length; i += 10) {
      entries.push(
        ...await kv.getMany<ActivityState[]>(
          item.activityIds.slice(i, i + 10).map((a) => activityStateKey(item.userId, a)),
        ),
      );
    }
    const states = new Map(item.activityIds.map((a, i) => [a, entries[i]?.value ?? undefined]));
    const previous = (await getItemStates(kv, item.userId, [item.itemId])).get(item.itemId);
    const state = deriveItemState(
      item,
      (a) => states.get(a),
      previous?.value?.lastEventId ?? null,
    );
    const result = await kv.atomic()
      .check(summary)
      .set(summaryKey(item.userId), summary.value ?? emptySummary(item.userId))
      .set(itemStateKey(item.userId, item.itemId), state)
      .commit();
    if (result.ok) return state;
  }
  throw new Error(`Could not derive the state of item ${item.itemId}: too much contention`);
}
