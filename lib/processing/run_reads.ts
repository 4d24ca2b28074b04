/** What a processing run reads: a student's outbox and activity history, shared snapshots, and reads planned in advance. */
import { getStoredEvents, type OutboxEntry } from "../events/log_store.ts";
import type { BatchedReader } from "../kv_batch_reader.ts";
import type { StoredEvent } from "../core/event_schema.ts";
import { eventsByActivityPrefix, outboxPrefix } from "../kv_keys.ts";
import type { CatalogSnapshot } from "../catalog/catalog_cache.ts";
import type { WebhookEndpoint } from "../webhooks/endpoint_store.ts";

/** Every event of one activity of a user, read from its index (for re-reducing late events). */
export async function listActivityHistory(
  kv: Deno.Kv,
  userId: string,
  activityId: string,
): Promise<StoredEvent[]> {
  const ids: [string, string][] = [];
  for await (
    const entry of kv.list<string>({ prefix: eventsByActivityPrefix(userId, activityId) })
  ) ids.push([userId, entry.value]);
  return (await getStoredEvents(kv, ids)).filter((e) => e !== undefined);
}

/** The first `limit` outbox entries of a user. */
export async function listOutbox(
  kv: Deno.Kv,
  userId: string,
  limit: number,
): Promise<Deno.KvEntry<OutboxEntry>[]> {
  const outbox: Deno.KvEntry<OutboxEntry>[] = [];
  for await (const entry of kv.list<OutboxEntry>({ prefix: outboxPrefix(userId) }, { limit })) {
    outbox.push(entry);
  }
  return outbox;
}

/**
 * What one commit reads once for all its users (webhook endpoints, the catalog; read while the
 * users' own reads are in flight), and its reader.
 */
export interface SharedReads {
  endpoints: Promise<readonly WebhookEndpoint[]>;
  catalog: Promise<CatalogSnapshot>;
  /** Reads the users' keys together, 10 per `getMany`. */
  reader: BatchedReader;
}

/** Identity of a key in a `prefetched` map (processing keys are made of strings). */
export function keyId(key: Deno.KvKey): string {
  return JSON.stringify(key);
}

/**
 * A reader answering from entries read in advance, and reading only the keys it lacks (through
 * `reader`): the steps after the second round trip find what they need there, and an unplanned
 * key (a rare path) costs one more round trip instead of a wrong answer.
 */
export function prefetchedReader(
  prefetched: ReadonlyMap<string, Deno.KvEntryMaybe<unknown>>,
  reader: BatchedReader,
): BatchedReader {
  return {
    async getMany<T>(keys: readonly Deno.KvKey[]) {
      const missing = keys.filter((key) => !prefetched.has(keyId(key)));
      const read = new Map<string, Deno.KvEntryMaybe<unknown>>();
      if (missing.length > 0) {
        const entries = await reader.getMany<unknown>(missing);
        missing.forEach((key, i) => read.set(keyId(key), entries[i]!));
      }
      return keys.map((key) =>
        (prefetched.get(keyId(key)) ?? read.get(keyId(key))!) as Deno.KvEntryMaybe<T>
      );
    },
  };
}

/** Reads `keys` through `reader` into `into`, by `keyId`. */
export async function prefetch(
  reader: BatchedReader,
  keys: readonly Deno.KvKey[],
  into: Map<string, Deno.KvEntryMaybe<unknown>>,
): Promise<void> {
  const entries = await reader.getMany<unknown>(keys);
  keys.forEach((key, i) => into.set(keyId(key), entries[i]!));
}
