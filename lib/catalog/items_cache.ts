import type { TrackedItem } from "../core/propagation.ts";
import { listItems } from "./catalog_store.ts";

/** Students whose items are kept in memory at most (least recently used ones are dropped). */
const MAX_CACHED_USERS = 10_000;

interface CachedItems {
  version: string | null;
  items: readonly TrackedItem[];
}

const caches = new WeakMap<Deno.Kv, Map<string, CachedItems>>();

/**
 * A student's tracked items as of `version`, the versionstamp of their items version key that the
 * caller read (every item write rewrites it in the same commit). Kept in memory per student, so
 * processing reads a student's items once per change instead of an index per activity.
 */
export async function itemsOfUser(
  kv: Deno.Kv,
  userId: string,
  version: string | null,
): Promise<readonly TrackedItem[]> {
  let users = caches.get(kv);
  if (!users) caches.set(kv, users = new Map());
  const cached = users.get(userId);
  users.delete(userId);
  const entry = cached?.version === version
    ? cached
    : { version, items: await listItems(kv, userId) };
  users.set(userId, entry);
  if (users.size > MAX_CACHED_USERS) users.delete(users.keys().next().value!);
  return entry.items;
}
