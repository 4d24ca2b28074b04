import { getItemStates, listItems } from "../catalog/catalog_store.ts";
import { openItemState } from "../core/path_progress.ts";
import type { ItemView } from "../core/propagation.ts";

/** A student's items with their derived states. */
export async function listItemViews(kv: Deno.Kv, userId: string): Promise<ItemView[]> {
  const items = await listItems(kv, userId);
  const states = await getItemStates(kv, userId, items.map((i) => i.itemId));
  return items.map((item) => ({
    ...item,
    state: states.get(item.itemId)?.value ?? openItemState(item.itemId, item.activityIds.length),
  }));
}
