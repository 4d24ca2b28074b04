import { activityIdOf, type StoredEvent } from "../core/event_schema.ts";
import { getItems } from "./catalog_store.ts";

/** The item an event reports on: its todo or its schedule entry, if any. */
function reportedItemId(event: StoredEvent): string | null {
  return event.eventData.todoProgress?.todoId ?? event.eventData.scheduleProgress?.scheduleId ??
    null;
}

/**
 * Resolves which activities each event counts toward (bi-directional sync): an event about a known
 * item of the same student — a todo or calendar entry — also counts toward the activities the item
 * tracks. The result is stored with the event, so replaying the log never depends on later edits.
 */
export async function linkEventsToItems(
  kv: Deno.Kv,
  events: readonly StoredEvent[],
): Promise<StoredEvent[]> {
  const itemIds = events.map(reportedItemId).filter((id) => id !== null);
  const items = itemIds.length > 0 ? await getItems(kv, itemIds) : new Map();
  return events.map((event) => {
    const itemId = reportedItemId(event);
    const item = itemId ? items.get(itemId) : undefined;
    if (!item || item.userId !== event.userId) return event;
    const own = event.eventData.activityId;
    const primary = own ?? item.activityIds[0] ?? activityIdOf(event);
    return { ...event, activityIds: [...new Set([primary, ...item.activityIds])] };
  });
}
