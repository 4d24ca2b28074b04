import { type StoredEvent, targetsOf } from "./event_schema.ts";
import { type ActivityState, logOrder } from "./activity_state.ts";
import type { ProjectionOutput } from "./project.ts";
import {
  deriveItemState,
  type ItemState,
  itemStateChanged,
  type ItemView,
  type LearningPath,
  type TrackedItem,
} from "./propagation.ts";

/** What the sync step reads besides the projection: the items and paths linked to changed activities. */
export interface SyncInput {
  events: readonly StoredEvent[];
  /** Activity states before the projection step (of the activities it changed, where they existed). */
  before: ReadonlyMap<string, ActivityState>;
  /** Activity states the projection step wrote. */
  after: ReadonlyMap<string, ActivityState>;
  /** States of other activities of the linked items, as stored. */
  others: ReadonlyMap<string, ActivityState>;
  /** The student's items tracking any changed activity. */
  items: readonly TrackedItem[];
  /** Those items' current derived states. */
  itemStates: ReadonlyMap<string, ItemState>;
  /** Paths including any changed activity. */
  paths: readonly LearningPath[];
}

/** What the sync step decided: item states to write, and per event the systems and items it updated. */
export interface SyncOutput {
  itemStates: Map<string, ItemState>;
  syncedSystems: Map<string, Set<string>>;
  syncedItems: Map<string, ItemView[]>;
  /** Paths the student now has progress in. */
  pathIds: string[];
  /** Those paths. */
  paths: LearningPath[];
}

/** The last event (in log order) that counts toward any of `activityIds`. */
function lastEventFor(events: readonly StoredEvent[], activityIds: readonly string[]): StoredEvent {
  const relevant = logOrder(events).filter((e) =>
    targetsOf(e).some((a) => activityIds.includes(a))
  );
  return relevant.at(-1)!;
}

function addTo<T>(map: Map<string, T[] | Set<T>>, key: string, value: T): void {
  const current = map.get(key);
  if (current instanceof Set) current.add(value);
  else if (current) current.push(value);
}

/**
 * Propagates changed activity states to the systems that track them: each linked item's derived
 * state (todo done, calendar entry with its actual times) and each path whose step changed status.
 * A system counts as synced for the event that last changed what it tracks. Pure.
 */
export function syncLinkedSystems(input: SyncInput): SyncOutput {
  const stateOf = (id: string) => input.after.get(id) ?? input.others.get(id);
  const syncedSystems = new Map(input.events.map((e) => [e.id, new Set<string>()]));
  const syncedItems = new Map(input.events.map((e) => [e.id, [] as ItemView[]]));
  const itemStates = new Map<string, ItemState>();
  for (const item of input.items) {
    const cause = lastEventFor(input.events, item.activityIds);
    const state = deriveItemState(item, stateOf, cause.id);
    if (!itemStateChanged(input.itemStates.get(item.itemId), state)) continue;
    itemStates.set(item.itemId, state);
    addTo(syncedSystems, cause.id, item.system);
    addTo(syncedItems, cause.id, { ...item, state });
  }
  for (const path of input.paths) {
    const moved = path.steps.map((s) => s.activityId).filter((id) =>
      input.after.has(id) && input.after.get(id)!.status !== input.before.get(id)?.status
    );
    if (moved.length > 0) addTo(syncedSystems, lastEventFor(input.events, moved).id, path.system);
  }
  return {
    itemStates,
    syncedSystems,
    syncedItems,
    pathIds: input.paths.map((p) => p.pathId),
    paths: [...input.paths],
  };
}

/** Writes the sync step's findings into the projection's results and live messages. */
export function withSync(output: ProjectionOutput, sync: SyncOutput): ProjectionOutput {
  return {
    ...output,
    results: output.results.map((r) => ({
      ...r,
      syncedSystems: [...(sync.syncedSystems.get(r.eventId) ?? [])].sort(),
    })),
    messages: output.messages.map((m) =>
      m.event === "progress_update"
        ? { ...m, data: { ...m.data, syncedItems: sync.syncedItems.get(m.data.eventId) ?? [] } }
        : m
    ),
  };
}
