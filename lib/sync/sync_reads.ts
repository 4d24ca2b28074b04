/** The sync step of processing: reads the linked items' and activities' states, then runs the pure sync rules. */
import type { ActivityState } from "../core/activity_state.ts";
import type { BatchedReader } from "../kv_batch_reader.ts";
import type { StoredEvent } from "../core/event_schema.ts";
import { activityStateKey, itemStateKey } from "../kv_keys.ts";
import type { CatalogSnapshot } from "../catalog/catalog_cache.ts";
import type { ItemState, TrackedItem } from "../core/propagation.ts";
import { syncLinkedSystems, type SyncOutput } from "../core/sync_step.ts";

/** Runs the sync step over the items and paths linked to the changed activities, reading their states through `reader`. */
export async function syncStep(
  reader: BatchedReader,
  userId: string,
  reads: { items: readonly TrackedItem[]; catalog: CatalogSnapshot },
  events: readonly StoredEvent[],
  before: ReadonlyMap<string, ActivityState>,
  after: ReadonlyMap<string, ActivityState>,
): Promise<SyncOutput> {
  const changed = [...after.keys()];
  const { catalog, items } = reads;
  const pathIds = new Set(changed.flatMap((a) => catalog.pathIdsByActivity.get(a) ?? []));
  const paths = [...pathIds].map((id) => catalog.paths.get(id)!);
  const owned = items.filter((item) => item.activityIds.some((a) => after.has(a)));
  const otherIds = [...new Set(owned.flatMap((i) => i.activityIds))].filter((a) => !after.has(a));
  const itemIds = [...new Set(owned.map((i) => i.itemId))];
  const [otherEntries, itemStateEntries] = await Promise.all([
    reader.getMany<ActivityState>(otherIds.map((a) => activityStateKey(userId, a))),
    reader.getMany<ItemState>(itemIds.map((id) => itemStateKey(userId, id))),
  ]);
  const others = new Map<string, ActivityState>();
  otherEntries.forEach((e, i) => e.value && others.set(otherIds[i]!, e.value));
  const itemStates = new Map<string, ItemState>();
  itemStateEntries.forEach((e, i) => e.value && itemStates.set(itemIds[i]!, e.value));
  return syncLinkedSystems({
    events,
    before,
    after,
    others,
    items: owned,
    itemStates,
    paths,
  });
}
