/** A Deno KV queue store for the client (Deno only): one entry per waiting event. */
import type { QueuedEvent, QueueStorage } from "./mod.ts";

/**
 * Keeps the client's queue in `kv` under `prefix` (default `["progress_client_queue"]`), one
 * entry per event keyed by a per-run sequence, so it survives restarts of the script.
 */
export function kvQueueStorage(
  kv: Deno.Kv,
  options: { prefix?: Deno.KvKey } = {},
): QueueStorage {
  const prefix = options.prefix ?? ["progress_client_queue"];
  const keyOf = new Map<string, Deno.KvKey>();
  let counter = 0;
  const run = `${Date.now().toString(36).padStart(10, "0")}`;
  return {
    async load() {
      const out: QueuedEvent[] = [];
      for await (const entry of kv.list<QueuedEvent>({ prefix })) {
        keyOf.set(entry.value.id, entry.key);
        out.push(entry.value);
      }
      return out;
    },
    async add(events) {
      for (let i = 0; i < events.length; i += 100) {
        const op = kv.atomic();
        for (const event of events.slice(i, i + 100)) {
          const key = [...prefix, run, String(++counter).padStart(12, "0")];
          keyOf.set(event.id, key);
          op.set(key, event);
        }
        await op.commit();
      }
    },
    async remove(ids) {
      for (let i = 0; i < ids.length; i += 100) {
        const op = kv.atomic();
        for (const id of ids.slice(i, i + 100)) {
          const key = keyOf.get(id);
          if (key) op.delete(key);
          keyOf.delete(id);
        }
        await op.commit();
      }
    },
  };
}
